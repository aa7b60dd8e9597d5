// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  aspectRatio,
  charCount,
  elapsedSeconds,
  errorTitle,
  formatClock,
  formatCost,
  formatCount,
  formatEta,
  historyLabel,
  problemList,
  progressBar,
  remainingSeconds,
  retryCountdown,
  safeFilename,
  secondsLabel,
  statusLabel,
  timingText,
  truncate,
  typicalText,
  unreadableImageMessage,
  unsupportedReason,
  unsupportedSummary,
} from "../format.js";

/** @import { Job } from "../traits.js" */

test("formatClock: minutes and seconds, hours when needed", () => {
  assert.equal(formatClock(0), "0:00");
  assert.equal(formatClock(41.9), "0:41");
  assert.equal(formatClock(75), "1:15");
  assert.equal(formatClock(3723), "1:02:03");
  assert.equal(formatClock(-5), "0:00");
  assert.equal(formatClock(Number.NaN), "");
  assert.equal(formatClock(null), "");
});

test("formatEta rounds up and says 'almost done' under a second", () => {
  assert.equal(formatEta(29.2), "~0:30 left");
  assert.equal(formatEta(30), "~0:30 left");
  assert.equal(formatEta(95), "~1:35 left");
  assert.equal(formatEta(0.4), "almost done");
  assert.equal(formatEta(null), "");
  assert.equal(formatEta(undefined), "");
});

test("elapsed and remaining seconds", () => {
  assert.equal(elapsedSeconds(null, null, 5000), null);
  assert.equal(elapsedSeconds(1000, null, 42_000), 41);
  assert.equal(elapsedSeconds(1000, 11_000, 99_000), 10);
  assert.equal(
    elapsedSeconds(5000, null, 1000),
    0,
    "a clock behind the kernel never goes negative",
  );
  assert.equal(remainingSeconds(30, 10_000, 15_000), 25);
  assert.equal(remainingSeconds(3, 10_000, 20_000), 0);
  assert.equal(remainingSeconds(null, 0, 0), null);
});

test("timingText for each state", () => {
  /** @type {Partial<Job>} */
  const running = { status: "in_progress", started_at: 0, finished_at: null, eta_seconds: 30 };
  assert.equal(timingText(running, 41_000, 30), "0:41 elapsed · ~0:30 left");
  assert.equal(timingText({ ...running, eta_seconds: null }, 41_000, null), "0:41 elapsed");
  assert.equal(timingText({ status: "queued", started_at: null }, 1, null), "");
  assert.equal(
    timingText({ status: "completed", started_at: 0, finished_at: 42_000 }, 99e3, null),
    "took 0:42",
  );
  assert.equal(
    timingText({ status: "failed", started_at: 0, finished_at: 3_000 }, 99e3, null),
    "after 0:03",
  );
  assert.equal(timingText({ status: "idle" }, 0, null), "");
  assert.equal(timingText(null, 0, null), "");
});

test("formatCost passes strings through and formats numbers", () => {
  assert.equal(formatCost("≈ $0.40"), "≈ $0.40");
  assert.equal(formatCost(" "), "");
  assert.equal(formatCost(0.4), "≈ $0.40");
  assert.equal(formatCost(null), "");
  assert.equal(formatCost({}), "");
});

test("character count counts code points, like Python len()", () => {
  assert.equal(charCount("fox"), 3);
  assert.equal(charCount("🦊 fox"), 5);
  assert.equal(charCount(""), 0);
  assert.equal(charCount(undefined), 0);
  assert.equal(formatCount(112, 32000), "112 / 32,000");
  assert.equal(formatCount(32001, 32000), "32,001 / 32,000");
  assert.equal(formatCount(5, 0), "5");
});

test("labels", () => {
  assert.equal(statusLabel("in_progress"), "In progress");
  assert.equal(statusLabel("queued"), "Queued");
  assert.equal(statusLabel("idle"), "");
  assert.equal(statusLabel("weird"), "");
  assert.equal(secondsLabel("8"), "8 s");
  assert.equal(errorTitle("rate_limit"), "Rate limited");
  assert.equal(errorTitle("moderation"), "Blocked by moderation");
  assert.equal(errorTitle("server"), "Server error");
  assert.equal(errorTitle("not_found"), "Not found");
  assert.equal(errorTitle("something-new"), "Something went wrong");
});

test("retryCountdown", () => {
  assert.equal(retryCountdown(12_000, 0), "retrying in 12 s");
  assert.equal(retryCountdown(11_001, 0), "retrying in 12 s");
  assert.equal(retryCountdown(500, 1000), "retrying now…");
  assert.equal(retryCountdown(null, 0), "");
});

test("truncate and history labels", () => {
  assert.equal(truncate("a  red\nfox", 20), "a red fox");
  assert.equal(truncate("abcdefghij", 5), "abcd…");
  assert.equal([...truncate("🦊".repeat(10), 4)].length, 4);
  assert.equal(
    historyLabel({ id: "video_1", prompt: "A red fox trotting through fresh snow" }),
    "Load A red fox trotting through fresh snow",
  );
  assert.equal(historyLabel({ id: "video_1", prompt: "" }), "Load video_1");
  const long = historyLabel({ id: "v", prompt: "word ".repeat(40) });
  assert.ok(long.endsWith("…"));
  assert.ok(long.length <= "Load ".length + 60);
});

test("safeFilename keeps ids tame", () => {
  assert.equal(safeFilename("video_68d7abc"), "video_68d7abc");
  assert.equal(safeFilename("../../etc/passwd"), "etc_passwd");
  assert.equal(safeFilename("a b/c"), "a_b_c");
  assert.equal(safeFilename(""), "video");
  assert.equal(safeFilename(null), "video");
});

test("problemList drops empty entries", () => {
  assert.deepEqual(problemList({ prompt: "Prompt is empty", size: "" }), [
    ["prompt", "Prompt is empty"],
  ]);
  assert.deepEqual(problemList(null), []);
  assert.deepEqual(problemList({}), []);
});

test("unreadableImageMessage names the field, the file and what to use", () => {
  assert.equal(
    unreadableImageMessage("notes.txt", ""),
    "Reference image: “notes.txt” is not an image this browser can read. " +
      "Use a PNG, JPEG or WebP file.",
  );
  assert.equal(
    unreadableImageMessage("photo.png", "image/png"),
    "Reference image: “photo.png” starts like a PNG but could not be decoded: the file is " +
      "damaged, or too large to open. Use a PNG, JPEG or WebP file.",
  );
  assert.match(
    unreadableImageMessage("", "image/jpeg"),
    /^Reference image: the pasted file starts like a JPEG/,
  );
  assert.match(unreadableImageMessage(undefined, "text/plain"), /the pasted file is not an image/);
});

test("typicalText and timingText: elapsed against the model's usual time when progress is unusable", () => {
  assert.equal(typicalText(41, 180), "0:41 of about 3:00");
  assert.equal(typicalText(41, null), "");
  assert.equal(typicalText(null, 180), "");
  /** @type {Partial<Job>} */
  const vague = {
    status: "in_progress",
    started_at: 0,
    finished_at: null,
    indeterminate: true,
    typical_seconds: 180,
  };
  assert.equal(timingText(vague, 41_000, 139), "0:41 of about 3:00");
  assert.equal(timingText(vague, 200_000, 0), "3:20 of about 3:00 · taking longer");
  assert.equal(timingText({ ...vague, status: "queued" }, 5_000, 175), "0:05 of about 3:00");
  // Without a usual time it falls back to the plain line; a finished job says how long it took.
  assert.equal(timingText({ ...vague, typical_seconds: null }, 41_000, null), "0:41 elapsed");
  assert.equal(
    timingText({ ...vague, status: "completed", finished_at: 42_000 }, 99e3, null),
    "took 0:42",
  );
});

test("progressBar: no aria-valuenow and no percentage while progress is unusable", () => {
  const vague = progressBar({ status: "in_progress", progress: 50, indeterminate: true });
  assert.equal(vague.indeterminate, true);
  assert.equal(vague.valueNow, null);
  assert.equal(vague.valueText, "In progress, progress unknown");
  assert.equal(vague.percentText, "");
  assert.equal(vague.spoken, "In progress");
  const plain = progressBar({ status: "in_progress", progress: 62 });
  assert.deepEqual(
    [
      plain.indeterminate,
      plain.valueNow,
      plain.valueText,
      plain.width,
      plain.percentText,
      plain.spoken,
    ],
    [false, 62, "In progress, 62%", "62%", "62%", "In progress, 50%"],
  );
  // A finished job is determinate again, whatever its server reported on the way.
  const done = progressBar({ status: "completed", progress: 0, indeterminate: true });
  assert.equal(done.valueNow, 100);
  assert.equal(progressBar({ status: "idle" }).valueText, null);
});

test("unsupportedReason and unsupportedSummary read the features trait", () => {
  const features = {
    list: { supported: false, reason: "This server cannot list videos." },
    delete: { supported: false, reason: "" },
    remix: { supported: null, reason: "" },
    poll_hint: { supported: true, reason: "" },
  };
  assert.equal(unsupportedReason(features, "list"), "This server cannot list videos.");
  assert.equal(unsupportedReason(features, "delete"), "This server does not support this.");
  assert.equal(unsupportedReason(features, "remix"), "");
  assert.equal(unsupportedReason(features, "poll_hint"), "");
  assert.equal(unsupportedReason(undefined, "remix"), "");
  assert.equal(
    unsupportedSummary(features),
    "This server cannot list videos.\nThis server does not support this.",
  );
  assert.equal(unsupportedSummary({}), "");
  assert.equal(errorTitle("unsupported"), "Not supported by this server");
});

test("aspect ratio from a size, 16:9 when the size does not say", () => {
  assert.equal(aspectRatio("720x1280"), 720 / 1280);
  assert.equal(aspectRatio("1280x720"), 16 / 9);
  assert.equal(aspectRatio(""), 16 / 9);
  assert.equal(aspectRatio("0x720"), 16 / 9);
});
