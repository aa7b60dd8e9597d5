// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  CHOICES,
  chartScale,
  isTyping,
  nextKey,
  niceStep,
  ranked,
  ratingText,
  sections,
  standingText,
  verdictText,
  voteKey,
} from "../arena_model.js";
import { localView } from "../local_view.js";

/**
 * A stand-in for a focused element: `closest(selector)` answers from the tags and attributes
 * it is given (only the selectors arena_model asks about).
 * @param {string} tag
 * @param {Record<string, string>} [attributes]
 * @returns {EventTarget}
 */
function element(tag, attributes = {}) {
  const self = {
    tagName: tag.toUpperCase(),
    type: attributes.type ?? "",
    isContentEditable: attributes.contenteditable === "true",
    /** @param {string} name */
    getAttribute: (name) => attributes[name] ?? null,
    /** @param {string} selector */
    closest(selector) {
      const parts = selector.split(",").map((part) => part.trim());
      const matches = parts.some((part) => {
        const attribute = /^\[([\w-]+)(?:='([^']*)')?\]$/.exec(part);
        if (attribute) return attributes[attribute[1]] === (attribute[2] ?? "");
        if (part === "a[href]") return tag === "a" && "href" in attributes;
        return part === tag;
      });
      return matches ? self : null;
    },
  };
  return /** @type {EventTarget} */ (/** @type {unknown} */ (self));
}

/**
 * @param {string} key
 * @param {EventTarget | null} [target]
 * @param {Partial<Pick<KeyboardEvent, "ctrlKey" | "metaKey" | "altKey" | "isComposing">>} [extra]
 */
function press(key, target = element("div"), extra = {}) {
  return {
    key,
    target,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    isComposing: false,
    ...extra,
  };
}

test("keys 1 to 4 cast left, right, tie and both bad while a pair awaits its vote", () => {
  assert.equal(voteKey(press("1"), "voting"), "left");
  assert.equal(voteKey(press("2"), "voting"), "right");
  assert.equal(voteKey(press("3"), "voting"), "tie");
  assert.equal(voteKey(press("4"), "voting"), "both_bad");
  assert.equal(voteKey(press("5"), "voting"), null);
  assert.deepEqual(
    CHOICES.map((item) => item.key),
    ["1", "2", "3", "4"],
  );
});

test("a vote key does nothing outside the voting phase", () => {
  for (const phase of ["estimate", "generating", "revealed", "done"]) {
    assert.equal(voteKey(press("1"), phase), null, phase);
  }
});

test("a digit typed in a text field is text, not a vote", () => {
  assert.equal(voteKey(press("1", element("textarea")), "voting"), null);
  assert.equal(voteKey(press("1", element("input", { type: "text" })), "voting"), null);
  assert.equal(voteKey(press("1", element("input", { type: "search" })), "voting"), null);
  assert.equal(voteKey(press("1", element("select")), "voting"), null);
  assert.equal(voteKey(press("1", element("div", { contenteditable: "true" })), "voting"), null);
});

test("a vote key on a button, a checkbox or a slider is still a vote", () => {
  assert.equal(voteKey(press("2", element("button")), "voting"), "right");
  assert.equal(voteKey(press("2", element("input", { type: "checkbox" })), "voting"), "right");
  assert.equal(voteKey(press("2", element("input", { type: "range" })), "voting"), "right");
  assert.equal(voteKey(press("2", null), "voting"), "right");
});

test("a modified or composing key is not a vote", () => {
  assert.equal(voteKey(press("1", undefined, { ctrlKey: true }), "voting"), null);
  assert.equal(voteKey(press("1", undefined, { metaKey: true }), "voting"), null);
  assert.equal(voteKey(press("1", undefined, { altKey: true }), "voting"), null);
  assert.equal(voteKey(press("1", undefined, { isComposing: true }), "voting"), null);
});

test("typing is told from other focus", () => {
  assert.equal(isTyping(element("textarea")), true);
  assert.equal(isTyping(element("input")), true); // an input with no type is a text field
  assert.equal(isTyping(element("input", { type: "checkbox" })), false);
  assert.equal(isTyping(element("video")), false);
  assert.equal(isTyping(null), false);
});

test("Enter or N asks for the next pair once the names are shown", () => {
  assert.equal(nextKey(press("Enter"), "revealed"), true);
  assert.equal(nextKey(press("n"), "revealed"), true);
  assert.equal(nextKey(press("N"), "revealed"), true);
  assert.equal(nextKey(press("x"), "revealed"), false);
  assert.equal(nextKey(press("Enter"), "voting"), false);
  assert.equal(nextKey(press("n"), "done"), false);
});

test("Enter on another button is that button's; on Next it is Next; N in a field is text", () => {
  assert.equal(nextKey(press("Enter", element("button")), "revealed"), false);
  assert.equal(nextKey(press("Enter", element("a", { href: "#" })), "revealed"), false);
  assert.equal(
    nextKey(press("Enter", element("button", { "data-testid": "arena-next" })), "revealed"),
    true,
  );
  assert.equal(nextKey(press("n", element("button")), "revealed"), true);
  assert.equal(nextKey(press("n", element("textarea")), "revealed"), false);
  assert.equal(nextKey(press("Enter", undefined, { ctrlKey: true }), "revealed"), false);
});

test("each phase shows its own sections", () => {
  assert.deepEqual(sections("estimate"), {
    estimate: true,
    progress: false,
    stage: false,
    votes: false,
    reveal: false,
    leaderboard: true,
    done: false,
  });
  assert.equal(sections("generating").progress, true);
  assert.equal(sections("generating").stage, false);
  assert.equal(sections("revealed").stage, true);
  assert.equal(sections("revealed").reveal, true);
  assert.equal(sections("revealed").votes, false);
  assert.equal(sections("done").done, true);
  assert.equal(sections("done").stage, false);
});

test("while a pair awaits its vote the leaderboard and the reveal never show", () => {
  const voting = sections("voting");
  assert.equal(voting.leaderboard, false);
  assert.equal(voting.reveal, false);
  assert.equal(voting.stage, true);
  assert.equal(voting.votes, true);
  assert.equal(sections("generating").leaderboard, false);
  assert.equal(sections("something else").leaderboard, false);
});

/** @param {string} model @param {number} rating @param {number | null} low @param {number | null} high */
function standing(model, rating, low, high) {
  return { model, rating, low, high, wins: 1, losses: 2, ties: 0, both_bad: 0, votes: 3 };
}

test("the scale puts every rating and interval end between the paddings", () => {
  const rows = [standing("a", 1050, 980, 1130), standing("b", 950, 870, 1010)];
  const { x, low, high, ticks } = chartScale(rows, 100, 4);
  assert.ok(low <= 870 && high >= 1130, `${low}..${high}`);
  for (const value of [870, 950, 980, 1010, 1050, 1130]) {
    assert.ok(x(value) >= 4 && x(value) <= 96, `${value} -> ${x(value)}`);
  }
  assert.equal(x(low), 4);
  assert.equal(x(high), 96);
  assert.ok(x(1050) > x(950), "a higher rating lies further right");
  assert.equal(ticks[0], low);
  assert.equal(ticks.at(-1), high);
});

test("the scale's ends are on tick steps", () => {
  const { low, high, ticks } = chartScale([standing("a", 1003, 940, 1070)], 200, 10);
  assert.equal(low, 900);
  assert.equal(high, 1100);
  assert.deepEqual(ticks, [900, 950, 1000, 1050, 1100]);
});

test("equal ratings, one model, no interval or no rows still give a usable scale", () => {
  for (const rows of [
    [standing("a", 1000, null, null), standing("b", 1000, null, null)],
    [standing("a", 1000, null, null)],
    [],
  ]) {
    const { x, low, high } = chartScale(rows, 100, 5);
    assert.ok(high - low >= 100, `${low}..${high}`);
    assert.ok(Number.isFinite(x(1000)));
    assert.ok(x(1000) > 5 && x(1000) < 95);
  }
});

test("tick steps are 1, 2 or 5 times a power of ten", () => {
  assert.equal(niceStep(23), 50);
  assert.equal(niceStep(20), 20);
  assert.equal(niceStep(7), 10);
  assert.equal(niceStep(0.3), 0.5);
  assert.equal(niceStep(0), 1);
});

test("standings are ranked best first, ties by name", () => {
  const rows = [standing("b", 990, null, null), standing("c", 1010, null, null)];
  rows.push(standing("a", 990, null, null));
  assert.deepEqual(
    ranked(rows).map((row) => row.model),
    ["c", "a", "b"],
  );
  assert.equal(rows[0].model, "b", "the trait's list is left as it was");
});

test("a standing reads as words with its numbers", () => {
  assert.equal(
    standingText({
      model: "m",
      rating: 1032.4,
      low: 990.2,
      high: 1074.6,
      wins: 3,
      losses: 1,
      ties: 0,
      both_bad: 0,
      votes: 4,
    }),
    "m: rating 1032 (95% interval 990 to 1075), 3 wins, 1 loss, 0 ties in 4 votes",
  );
  assert.equal(
    standingText({
      model: "m",
      rating: 1000,
      low: null,
      high: null,
      wins: 0,
      losses: 0,
      ties: 1,
      both_bad: 0,
      votes: 1,
    }),
    "m: rating 1000, 0 wins, 0 losses, 1 tie in 1 vote",
  );
  assert.equal(ratingText(Number.NaN), "");
});

test("the verdict names the preferred side once the names are known", () => {
  assert.equal(verdictText("left", "sora-2", "veo"), "sora-2 was preferred");
  assert.equal(verdictText("right", "sora-2", "veo"), "veo was preferred");
  assert.equal(verdictText("tie", "sora-2", "veo"), "A tie");
  assert.equal(verdictText("both_bad", "sora-2", "veo"), "Both bad");
  assert.equal(verdictText("nonsense"), "");
});

/** A parent view for localView: only what it uses, with a dispose to run its cleanups. */
function parentView() {
  /** @type {(() => void)[]} */
  const disposers = [];
  /** @type {{ action: string, extra: Record<string, unknown> }[]} */
  const sent = [];
  const view = {
    id: (/** @type {string} */ name) => `p-${name}`,
    get: () => undefined,
    set: () => {},
    send: (/** @type {string} */ action, extra = {}) => sent.push({ action, extra }),
    watch: () => {},
    listen: () => {},
    onDispose: (/** @type {() => void} */ fn) => disposers.push(fn),
    ticker: () => () => {},
  };
  const dispose = () => {
    for (const fn of disposers) fn();
  };
  return { view, sent, dispose };
}

test("a local view keeps its values and runs the watchers of what changed, once each", () => {
  const parent = parentView();
  const view = localView(parent.view, { playing: false, rate: 1 });
  /** @type {string[]} */
  const calls = [];
  view.watch(["playing"], () => calls.push(`playing=${view.get("playing")}`));
  view.watch(["playing", "rate"], () => calls.push(`both rate=${view.get("rate")}`));
  assert.deepEqual(calls, ["playing=false", "both rate=1"], "a watcher runs when added");
  calls.length = 0;
  view.set({ playing: true, rate: 2 });
  assert.deepEqual(calls, ["playing=true", "both rate=2"]);
  calls.length = 0;
  view.set({ rate: 2 });
  assert.deepEqual(calls, [], "an unchanged value wakes no one");
  view.set({ rate: 0.5 });
  assert.deepEqual(calls, ["both rate=0.5"]);
});

test("a local view's actions and ids are its parent's; its watchers go with the parent", () => {
  const parent = parentView();
  const view = localView(parent.view, { loop: true });
  view.send("next", { a: 1 });
  assert.deepEqual(parent.sent, [{ action: "next", extra: { a: 1 } }]);
  assert.equal(view.id("x"), "p-x");
  let runs = 0;
  view.watch(["loop"], () => runs++);
  parent.dispose();
  view.set({ loop: false });
  assert.equal(runs, 1, "only the first run: disposed watchers stay quiet");
  assert.equal(view.get("loop"), false);
});
