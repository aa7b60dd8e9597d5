// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  continuityText,
  currentIndex,
  dropTarget,
  generateLabel,
  keyboardTarget,
  moveAnnouncement,
  pageDownload,
  phaseText,
  planCards,
  playingIndex,
  scrollToShow,
  seamLabel,
  seamPercents,
  secondsChoices,
  shotStatusLabel,
} from "../storyboard_model.js";

const STARTS = [0, 4, 12];

test("the current shot is the last one started", () => {
  assert.equal(currentIndex(STARTS, 0), 0);
  assert.equal(currentIndex(STARTS, 3.99), 0);
  assert.equal(currentIndex(STARTS, 4), 1);
  assert.equal(currentIndex(STARTS, 11.5), 1);
  assert.equal(currentIndex(STARTS, 12), 2);
  assert.equal(currentIndex(STARTS, 99), 2);
});

test("a seek that lands a hair before a seam counts as past it", () => {
  assert.equal(currentIndex(STARTS, 3.9995), 1);
  assert.equal(currentIndex(STARTS, 3.99), 0);
});

test("no film, no current shot; before the first start, the first", () => {
  assert.equal(currentIndex([], 5), -1);
  assert.equal(currentIndex([0.5, 2], 0), 0);
});

test("seams as percentages of the film, clamped", () => {
  assert.deepEqual(seamPercents(STARTS, 16), [0, 25, 75]);
  assert.deepEqual(seamPercents([0, 20], 16), [0, 100]);
  assert.deepEqual(seamPercents(STARTS, 0), [0, 0, 0]);
});

test("a seam mark is named after its shot and the start of its prompt", () => {
  assert.equal(seamLabel(1, "he lights the lamp"), "Shot 2: he lights the lamp");
  assert.equal(seamLabel(0, ""), "Shot 1");
  const sentence = "a lighthouse keeper climbs the stairs at dawn, lamp in hand";
  assert.equal(seamLabel(0, sentence), `Shot 1: ${sentence}`);
  const long = seamLabel(2, `the beam sweeps ${"the waves ".repeat(20)}`);
  assert.ok(long.startsWith("Shot 3: the beam sweeps"));
  assert.ok(long.endsWith("…"));
  assert.ok(long.length <= "Shot 3: ".length + 100);
});

test("a move is announced with positions counted from one", () => {
  assert.equal(moveAnnouncement(1, 0, 3), "Shot 2 moved to position 1 of 3");
  assert.equal(moveAnnouncement(0, 2, 3), "Shot 1 moved to position 3 of 3");
});

test("Alt+arrows move one place, never past an end", () => {
  assert.equal(keyboardTarget(1, "ArrowLeft", 3), 0);
  assert.equal(keyboardTarget(1, "ArrowRight", 3), 2);
  assert.equal(keyboardTarget(0, "ArrowLeft", 3), null);
  assert.equal(keyboardTarget(2, "ArrowRight", 3), null);
  assert.equal(keyboardTarget(1, "ArrowUp", 3), null);
  assert.equal(keyboardTarget(-1, "ArrowRight", 3), 0);
});

test("a drop lands before or after the card under it", () => {
  // Shots A B C D; A dropped after C -> B C A D: index 2.
  assert.equal(dropTarget(0, 2, true), 2);
  // A dropped before C -> B A C D: index 1.
  assert.equal(dropTarget(0, 2, false), 1);
  // D dropped before B -> A D B C: index 1.
  assert.equal(dropTarget(3, 1, false), 1);
  // D dropped after A -> the same: index 1.
  assert.equal(dropTarget(3, 0, true), 1);
});

test("a drop where the shot already is moves nothing", () => {
  assert.equal(dropTarget(1, 1, false), null);
  assert.equal(dropTarget(1, 1, true), null);
  assert.equal(dropTarget(1, 0, true), null);
  assert.equal(dropTarget(1, 2, false), null);
});

test("cards are made for new keys and dropped for gone ones; moves make none", () => {
  const shots = [{ key: "s2" }, { key: "s0" }, { key: "s3" }];
  assert.deepEqual(planCards(["s0", "s1", "s2"], shots), { create: ["s3"], drop: ["s1"] });
  assert.deepEqual(planCards(["s0", "s2", "s3"], shots), { create: [], drop: [] });
  assert.deepEqual(planCards([], shots), { create: ["s2", "s0", "s3"], drop: [] });
});

test("durations: the model's choices plus the shot's own, in numeric order", () => {
  assert.deepEqual(secondsChoices(["4", "8", "12"], "8"), ["4", "8", "12"]);
  assert.deepEqual(secondsChoices(["4", "8", "12"], "10"), ["4", "8", "10", "12"]);
  assert.deepEqual(secondsChoices(["5", "10"], "5"), ["5", "10"]);
  assert.deepEqual(secondsChoices(["4", "6", "8"], "1"), ["1", "4", "6", "8"]);
});

test("a shot's statuses in words, its own and the kernel's", () => {
  assert.equal(shotStatusLabel("draft"), "Not generated");
  assert.equal(shotStatusLabel("waiting"), "Waiting for the previous shot");
  assert.equal(shotStatusLabel("stale"), "Stale");
  assert.equal(shotStatusLabel("in_progress"), "In progress");
  assert.equal(shotStatusLabel("nonsense"), "");
});

test("the continuity badge says how a shot starts", () => {
  assert.equal(continuityText("last_frame"), "Starts from the previous shot");
  assert.equal(continuityText("extend"), "Extends the previous shot");
  assert.equal(continuityText("none"), "");
});

test("Generate film shows what it will cost when that is known", () => {
  assert.equal(generateLabel("≈ $0.80"), "Generate film · ≈ $0.80");
  assert.equal(generateLabel(""), "Generate film");
  assert.equal(generateLabel(null), "Generate film");
});

test("the phase in words, nothing when idle", () => {
  assert.equal(phaseText("generating"), "Generating the shots…");
  assert.equal(phaseText("stitching"), "Stitching the film…");
  assert.equal(phaseText(""), "");
});

test("no shot is playing until the film has been played or sought", () => {
  assert.equal(playingIndex(STARTS, 0, false), -1);
  assert.equal(playingIndex(STARTS, 5, false), -1);
  assert.equal(playingIndex(STARTS, 0, true), 0);
  assert.equal(playingIndex(STARTS, 5, true), 1);
  assert.equal(playingIndex([], 5, true), -1);
});

test("the strip scrolls just enough to show the playing card, not when it shows already", () => {
  // A strip 500 wide showing 0..500; cards 200 wide.
  assert.equal(scrollToShow(100, 200, 0, 500), null);
  assert.equal(scrollToShow(400, 200, 0, 500), 100); // cut on the right: its end at the edge
  assert.equal(scrollToShow(100, 200, 300, 500), 100); // cut on the left: its start at the edge
  assert.equal(scrollToShow(50, 700, 0, 500), 50); // wider than the strip: its start shows
});

test("Save HTML asks for the storyboard's page and names the file safely", () => {
  assert.deepEqual(pageDownload("Trip to the sea"), {
    key: "page:Trip to the sea",
    filename: "Trip_to_the_sea.html",
  });
  const hostile = pageDownload("../../etc/passwd\u0000\nx\\y");
  assert.equal(hostile.key, "page:../../etc/passwd\u0000\nx\\y");
  assert.match(hostile.filename, /^[A-Za-z0-9._-]+\.html$/);
  assert.equal(pageDownload("").filename, "storyboard.html");
});
