// @ts-check
// The Storyboard panel's decisions, without DOM or model: which shot plays at a time, where the
// seams sit on the timeline, where a keyboard or drag move lands and how it is announced, which
// cards to make and drop. Tested in js/tests/storyboard.test.js.

import { formatCost, safeFilename, statusLabel, truncate } from "./format.js";

/**
 * @import { Shot } from "./traits.js"
 */

/** A seam mark's name keeps this much of its prompt: a sentence whole, a paragraph cut. */
const SEAM_PROMPT_CHARS = 100;

/** A playhead this close before a seam counts as past it (seeking lands a hair early). */
const SEAM_TOLERANCE = 0.001;

/** Words for the statuses only a storyboard's shots have (the rest are the kernel's). */
/** @type {Record<string, string | undefined>} */
const SHOT_STATUS_LABELS = {
  draft: "Not generated",
  waiting: "Waiting for the previous shot",
  stale: "Stale",
};

/**
 * The index of the shot playing at `time`: the last start at or before it; -1 with no starts.
 * @param {readonly number[]} starts
 * @param {number} time
 */
export function currentIndex(starts, time) {
  let index = -1;
  starts.forEach((start, i) => {
    if (start <= time + SEAM_TOLERANCE) index = i;
  });
  return starts.length && index < 0 ? 0 : index;
}

/**
 * The shot to mark as playing: the one under the playhead once the film has been played or
 * sought (`watched`), none before. A film loaded and paused at 0:00 plays nothing yet, so no card
 * claims to be playing; from the first play or seek on, the mark follows the playhead, paused or
 * not.
 * @param {readonly number[]} starts
 * @param {number} time
 * @param {boolean} watched
 */
export function playingIndex(starts, time, watched) {
  return watched ? currentIndex(starts, time) : -1;
}

/**
 * Where a strip scrolled to `scrollLeft` and `width` wide must scroll to show a card at `start`
 * (from the strip's content edge) `size` wide: null when the card is in view already; its start
 * when it is wider than the strip.
 * @param {number} start
 * @param {number} size
 * @param {number} scrollLeft
 * @param {number} width
 */
export function scrollToShow(start, size, scrollLeft, width) {
  if (start >= scrollLeft && start + size <= scrollLeft + width) return null;
  if (start < scrollLeft || size > width) return Math.max(0, start);
  return start + size - width;
}

/**
 * Each start as a percentage of the film, clamped to 0..100; all 0 without a duration.
 * @param {readonly number[]} starts
 * @param {number} duration
 */
export function seamPercents(starts, duration) {
  if (!(duration > 0)) return starts.map(() => 0);
  return starts.map((start) => Math.min(100, Math.max(0, (start / duration) * 100)));
}

/**
 * A seam mark's accessible name, "Shot 2: the beam sweeps the waves at night": the prompt whole
 * up to a sentence's length, so the mark is named by the words on its card.
 * @param {number} index
 * @param {string | null | undefined} prompt
 */
export function seamLabel(index, prompt) {
  const start = truncate(prompt, SEAM_PROMPT_CHARS);
  return start ? `Shot ${index + 1}: ${start}` : `Shot ${index + 1}`;
}

/**
 * "Shot 2 moved to position 1 of 3" (positions count from 1).
 * @param {number} from
 * @param {number} to
 * @param {number} count
 */
export function moveAnnouncement(from, to, count) {
  return `Shot ${from + 1} moved to position ${to + 1} of ${count}`;
}

/**
 * Where Alt+Left / Alt+Right moves the shot at `index`; null for other keys or at an end.
 * @param {number} index
 * @param {string} key
 * @param {number} count
 */
export function keyboardTarget(index, key, count) {
  const step = key === "ArrowLeft" ? -1 : key === "ArrowRight" ? 1 : 0;
  const to = index + step;
  return step && to >= 0 && to < count ? to : null;
}

/**
 * The new index of a shot dragged from `from` and dropped on the card at `over` (before it, or
 * after it when `after`); null when it would stay where it is.
 * @param {number} from
 * @param {number} over
 * @param {boolean} after
 */
export function dropTarget(from, over, after) {
  let to = over + (after ? 1 : 0);
  if (from < to) to -= 1;
  return to === from ? null : to;
}

/**
 * The cards to make (keys new in `shots`) and to drop (keys no longer there), by key: a card
 * that stays is updated in place, so an edit in progress survives any trait change.
 * @param {Iterable<string>} shown keys of the cards on screen
 * @param {readonly Pick<Shot, "key">[]} shots
 */
export function planCards(shown, shots) {
  const wanted = new Set(shots.map((shot) => shot.key));
  const have = new Set(shown);
  return {
    create: [...wanted].filter((key) => !have.has(key)),
    drop: [...have].filter((key) => !wanted.has(key)),
  };
}

/**
 * The durations a shot's select offers: those its model allows (the kernel's `seconds_choices`)
 * plus its own value, in numeric order.
 * @param {readonly string[] | null | undefined} choices
 * @param {string} current
 */
export function secondsChoices(choices, current) {
  const all = new Set([...(choices ?? []), current].filter(Boolean));
  return [...all].sort((a, b) => Number(a) - Number(b));
}

/** A shot's status in words. @param {string | null | undefined} status */
export function shotStatusLabel(status) {
  return SHOT_STATUS_LABELS[status ?? ""] ?? statusLabel(status);
}

/**
 * The badge of a shot that starts from its predecessor ("" for one made on its own).
 * @param {string | null | undefined} continuity
 */
export function continuityText(continuity) {
  if (continuity === "last_frame") return "Starts from the previous shot";
  if (continuity === "extend") return "Extends the previous shot";
  return "";
}

/**
 * "Generate film · ≈ $0.80", or just "Generate film" when the cost is unknown.
 * @param {unknown} cost
 */
export function generateLabel(cost) {
  const text = formatCost(cost);
  return text ? `Generate film · ${text}` : "Generate film";
}

/** What the storyboard is doing, in words. @param {string | null | undefined} phase */
export function phaseText(phase) {
  if (phase === "generating") return "Generating the shots…";
  if (phase === "stitching") return "Stitching the film…";
  return "";
}

/**
 * Save HTML's request and file: the kernel builds the page as "page:<title>" (the key names the
 * storyboard exactly); the file's name is the title made safe (no separators, no control
 * characters: the title is the user's text).
 * @param {string | null | undefined} title
 */
export function pageDownload(title) {
  return { key: `page:${title ?? ""}`, filename: `${safeFilename(title, "storyboard")}.html` };
}
