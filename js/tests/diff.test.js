// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import { hasChanges, wordDiff } from "../diff.js";

test("identical prompts: one unchanged run", () => {
  const diff = wordDiff("a red fox", "a  red fox ");
  assert.deepEqual(diff, [{ op: "same", text: "a red fox" }]);
  assert.equal(hasChanges(diff), false);
});

test("insertions, deletions and kept words in order", () => {
  assert.deepEqual(wordDiff("a red fox in snow", "a red fox at night in the rain"), [
    { op: "same", text: "a red fox" },
    { op: "add", text: "at night" },
    { op: "same", text: "in" },
    { op: "del", text: "snow" },
    { op: "add", text: "the rain" },
  ]);
});

test("empty sides", () => {
  assert.deepEqual(wordDiff("", "new words"), [{ op: "add", text: "new words" }]);
  assert.deepEqual(wordDiff("old words", ""), [{ op: "del", text: "old words" }]);
  assert.deepEqual(wordDiff("", ""), []);
  assert.deepEqual(wordDiff(null, undefined), []);
});

test("replacing a word puts the deletion first", () => {
  assert.deepEqual(wordDiff("fox at dawn", "fox at dusk"), [
    { op: "same", text: "fox at" },
    { op: "del", text: "dawn" },
    { op: "add", text: "dusk" },
  ]);
});

test("huge middles fall back to replace without blowing up", () => {
  const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join(" ");
  const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join(" ");
  const diff = wordDiff(`start ${a} end`, `start ${b} end`);
  assert.deepEqual(
    diff.map((d) => d.op),
    ["same", "del", "add", "same"],
  );
});

test("reconstructs both sides", () => {
  const before = "the quick brown fox jumps over the lazy dog";
  const after = "the slow brown bear walks over the sleepy lazy dog today";
  const diff = wordDiff(before, after);
  /** @param {string} skip */
  const side = (skip) =>
    diff
      .filter((d) => d.op !== skip)
      .map((d) => d.text)
      .join(" ");
  assert.equal(side("add"), before);
  assert.equal(side("del"), after);
});
