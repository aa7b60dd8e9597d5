// @ts-check
// The Arena panel's decisions, as pure functions tested in Node (js/tests/arena.test.js): what
// each phase shows, which key casts which vote (never while typing), and where the leaderboard
// chart puts a rating.

/**
 * @import { Standing } from "./traits.js"
 * @typedef {"left" | "right" | "tie" | "both_bad"} Choice
 * @typedef {object} Sections What a phase shows.
 * @property {boolean} estimate the estimate and Generate
 * @property {boolean} progress the generation progress bar
 * @property {boolean} stage the prompt, the two players and the transport
 * @property {boolean} votes the vote buttons and the reason tags
 * @property {boolean} reveal the names, the choice and Next
 * @property {boolean} leaderboard the chart and its table
 * @property {boolean} done the "every pair voted" note
 */

/** The vote buttons, in order: the key that casts each, its words, its test id. */
export const CHOICES = /** @type {const} */ ([
  { choice: "left", key: "1", label: "Left is better", testid: "vote-left" },
  { choice: "right", key: "2", label: "Right is better", testid: "vote-right" },
  { choice: "tie", key: "3", label: "Tie", testid: "vote-tie" },
  { choice: "both_bad", key: "4", label: "Both bad", testid: "vote-both-bad" },
]);

/** @param {string} phase @returns {Sections} */
export function sections(phase) {
  const watching = phase === "voting" || phase === "revealed";
  return {
    estimate: phase === "estimate",
    progress: phase === "generating",
    stage: watching,
    votes: phase === "voting",
    reveal: phase === "revealed",
    // Blindness: never while a pair awaits a vote, whatever the trait holds.
    leaderboard: phase === "revealed" || phase === "done" || phase === "estimate",
    done: phase === "done",
  };
}

/** Input types that take no typing: keys pressed on them are the panel's. */
const UNTYPED_INPUTS = ["button", "checkbox", "radio", "range", "reset", "submit", "color", "file"];

/**
 * True when `target` is a place people type in (a text input, a textarea, a select, an editable
 * element): a digit or a letter there is text, not a command.
 * @param {EventTarget | null} target
 */
export function isTyping(target) {
  const element = /** @type {Partial<HTMLElement> | null} */ (target);
  if (!element || typeof element.closest !== "function") return false;
  if (element.isContentEditable) return true;
  if (element.closest("textarea, select, [contenteditable='true'], [contenteditable='']"))
    return true;
  const input = /** @type {HTMLInputElement | null} */ (element.closest("input"));
  return Boolean(input) && !UNTYPED_INPUTS.includes(input?.type ?? "text");
}

/**
 * What of a keydown these decisions read (a KeyboardEvent has all of it).
 * @typedef {Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "isComposing"> &
 *   { target: EventTarget | null }} KeyPress
 */

/** @param {KeyPress} event */
function plainKey(event) {
  return !(event.ctrlKey || event.metaKey || event.altKey || event.isComposing);
}

/**
 * The vote a key casts in `phase` (1 left, 2 right, 3 tie, 4 both bad), or null: only while a
 * pair awaits a vote, only unmodified keys, never while typing in a text field.
 * @param {KeyPress} event
 * @param {string} phase
 * @returns {Choice | null}
 */
export function voteKey(event, phase) {
  if (phase !== "voting" || !plainKey(event) || isTyping(event.target)) return null;
  return CHOICES.find((item) => item.key === event.key)?.choice ?? null;
}

/**
 * True when the key asks for the next pair: Enter or N once the names are shown, unless the
 * focused control takes the key itself (typing, or Enter on another button or link).
 * @param {KeyPress} event
 * @param {string} phase
 */
export function nextKey(event, phase) {
  if (phase !== "revealed" || !plainKey(event) || isTyping(event.target)) return false;
  if (event.key === "n" || event.key === "N") return true;
  if (event.key !== "Enter") return false;
  const element = /** @type {Partial<Element> | null} */ (event.target);
  const pressable =
    typeof element?.closest === "function"
      ? element.closest("button, a[href], summary, input, [role='slider']")
      : null;
  return !pressable || pressable.getAttribute("data-testid") === "arena-next";
}

/** How the reveal says the verdict, once the names are known. @param {string} choice */
export function verdictText(choice, left = "Left", right = "Right") {
  if (choice === "left") return `${left} was preferred`;
  if (choice === "right") return `${right} was preferred`;
  if (choice === "tie") return "A tie";
  if (choice === "both_bad") return "Both bad";
  return "";
}

/** A rating as the chart and its table show it: a whole number ("1032"), "" when missing. */
export function ratingText(/** @type {number | null | undefined} */ value) {
  return typeof value === "number" && Number.isFinite(value) ? String(Math.round(value)) : "";
}

/** The smallest span the chart shows, in rating points, so one model or equal ratings still fit. */
const MIN_SPAN = 100;

/**
 * 1, 2 or 5 times a power of ten: the tick step nearest `rough` from above.
 * @param {number} rough
 */
export function niceStep(rough) {
  if (!(rough > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const scaled = rough / power;
  return (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10) * power;
}

/**
 * The chart's horizontal scale: every rating and interval end of `rows` between `padding` and
 * `width - padding`, the range widened to tick boundaries (and to at least MIN_SPAN points).
 * Returns {low, high, x(rating), ticks}.
 * @param {Standing[]} rows
 * @param {number} width
 * @param {number} padding
 */
export function chartScale(rows, width, padding) {
  const values = rows
    .flatMap((row) => [row.rating, row.low, row.high])
    .filter(/** @returns {v is number} */ (v) => typeof v === "number" && Number.isFinite(v));
  let low = values.length ? Math.min(...values) : 1000;
  let high = values.length ? Math.max(...values) : 1000;
  if (high - low < MIN_SPAN) {
    const middle = (low + high) / 2;
    low = middle - MIN_SPAN / 2;
    high = middle + MIN_SPAN / 2;
  }
  const step = niceStep((high - low) / 4);
  low = Math.floor(low / step) * step;
  high = Math.ceil(high / step) * step;
  const inner = Math.max(1, width - 2 * padding);
  /** @param {number} rating */
  const x = (rating) => padding + ((rating - low) / (high - low)) * inner;
  /** @type {number[]} */
  const ticks = [];
  for (let tick = low; tick <= high + step / 2; tick += step) ticks.push(Math.round(tick));
  return { low, high, x, ticks };
}

/**
 * The standings best first (by rating, then by name, so ties keep one order).
 * @param {Standing[]} rows
 */
export function ranked(rows) {
  return [...rows].sort((a, b) => b.rating - a.rating || a.model.localeCompare(b.model));
}

/**
 * One row's words for a screen reader: "sora-2: rating 1032 (95% interval 990 to 1075), 3 wins,
 * 1 loss, 0 ties in 4 votes".
 * @param {Standing} row
 */
export function standingText(row) {
  const interval =
    row.low !== null && row.high !== null
      ? ` (95% interval ${ratingText(row.low)} to ${ratingText(row.high)})`
      : "";
  const plural = (/** @type {number} */ n, /** @type {string} */ one, many = `${one}s`) =>
    `${n} ${n === 1 ? one : many}`;
  return (
    `${row.model}: rating ${ratingText(row.rating)}${interval}, ${plural(row.wins, "win")}, ` +
    `${plural(row.losses, "loss", "losses")}, ${plural(row.ties, "tie")} in ` +
    `${plural(row.votes, "vote")}`
  );
}
