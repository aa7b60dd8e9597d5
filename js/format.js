// @ts-check
// Pure text helpers: no DOM, no model. Tested in js/tests/format.test.js. The statuses and error
// kinds, with their words, are the kernel's: js/shared.json, written from
// sora_widget/core/shared.py.

import shared from "./shared.json" with { type: "json" };

/**
 * @import { Features, Job } from "./traits.js"
 * @typedef {keyof typeof shared.status_labels} Status A job's status as the panel shows it.
 * @typedef {keyof typeof shared.error_titles} ErrorKind The `kind` of an error the kernel sends.
 */

const NUMBER = new Intl.NumberFormat("en-US");

/** 32000 -> "32,000". @param {number} n */
export function formatNumber(n) {
  return NUMBER.format(n);
}

/**
 * Length in code points, as Python's len() counts it (an emoji is one, not two).
 * @param {string | null | undefined} text
 */
export function charCount(text) {
  let n = 0;
  for (const _ of text ?? "") n += 1;
  return n;
}

/**
 * "112 / 32,000", or just "112" when there is no limit.
 * @param {number} count
 * @param {number} max
 */
export function formatCount(count, max) {
  return max ? `${formatNumber(count)} / ${formatNumber(max)}` : formatNumber(count);
}

/**
 * Seconds -> "0:41", "12:03", "1:02:03"; "" for anything that is not a number.
 * @param {unknown} seconds
 */
export function formatClock(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "";
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

/** @param {unknown} value @returns {value is number} */
function isTime(value) {
  return typeof value === "number" && Number.isFinite(value);
}

/**
 * Seconds from started_at to finished_at (or to now while running); null before a start.
 * @param {number | null | undefined} startedAt
 * @param {number | null | undefined} finishedAt
 * @param {number} now
 */
export function elapsedSeconds(startedAt, finishedAt, now) {
  if (!isTime(startedAt)) return null;
  const end = isTime(finishedAt) ? finishedAt : now;
  return Math.max(0, (end - startedAt) / 1000);
}

/**
 * The server's ETA counted down locally since it arrived (receivedAt, epoch ms).
 * @param {number | null | undefined} etaSeconds
 * @param {number} receivedAt
 * @param {number} now
 */
export function remainingSeconds(etaSeconds, receivedAt, now) {
  if (!isTime(etaSeconds)) return null;
  return Math.max(0, etaSeconds - Math.max(0, now - receivedAt) / 1000);
}

/**
 * 29.2 -> "~0:30 left"; under a second -> "almost done"; null -> "".
 * @param {number | null | undefined} seconds
 */
export function formatEta(seconds) {
  if (!isTime(seconds)) return "";
  if (seconds < 1) return "almost done";
  return `~${formatClock(Math.ceil(seconds))} left`;
}

/**
 * "≈ $0.40" passes through; a number becomes "≈ $0.40"; anything else is "".
 * @param {unknown} cost
 */
export function formatCost(cost) {
  if (typeof cost === "number" && Number.isFinite(cost)) return `≈ $${cost.toFixed(2)}`;
  if (typeof cost === "string") return cost.trim();
  return "";
}

/** @type {Record<string, string | undefined>} */
const STATUS_LABELS = shared.status_labels;
const RUNNING = new Set(shared.running);

/**
 * "in_progress" -> "In progress"; "" for idle or unknown.
 * @param {string | null | undefined} status
 */
export function statusLabel(status) {
  return STATUS_LABELS[status ?? ""] ?? "";
}

/** Queued or in progress: still being made. @param {string | null | undefined} status */
export function isRunning(status) {
  return RUNNING.has(status ?? "");
}

/**
 * "0:41 of about 3:00": the elapsed time against the model's usual time, for a job whose
 * server reports no usable progress; "" without a usual time or a start.
 * @param {number | null} elapsed
 * @param {number | null | undefined} typicalSeconds
 */
export function typicalText(elapsed, typicalSeconds) {
  if (!isTime(elapsed) || !isTime(typicalSeconds) || typicalSeconds <= 0) return "";
  return `${formatClock(elapsed)} of about ${formatClock(typicalSeconds)}`;
}

/**
 * The line beside the progress bar: "0:41 elapsed · ~0:30 left", "0:41 of about 3:00",
 * "took 0:42", "".
 * @param {Partial<Job> | null | undefined} job
 * @param {number} now
 * @param {number | null} etaLeft
 */
export function timingText(job, now, etaLeft) {
  if (!job) return "";
  const elapsed = elapsedSeconds(job.started_at, job.finished_at, now);
  if (isRunning(job.status) && job.indeterminate) {
    const against = typicalText(elapsed, job.typical_seconds);
    if (against)
      return Number(elapsed) > Number(job.typical_seconds) ? `${against} · taking longer` : against;
  }
  if (isRunning(job.status)) {
    const parts = [];
    if (elapsed !== null) parts.push(`${formatClock(elapsed)} elapsed`);
    const eta = formatEta(etaLeft);
    if (eta) parts.push(eta);
    return parts.join(" · ");
  }
  if (elapsed === null) return "";
  if (job.status === "completed") return `took ${formatClock(elapsed)}`;
  if (job.status === "failed" || job.status === "cancelled") return `after ${formatClock(elapsed)}`;
  return "";
}

/** @type {Record<string, string | undefined>} */
const ERROR_TITLES = shared.error_titles;

/** A short heading for the error panel. @param {string | null | undefined} kind */
export function errorTitle(kind) {
  return ERROR_TITLES[kind ?? ""] ?? "Something went wrong";
}

/**
 * "retrying in 12 s", "retrying now…", or "" without a retry time.
 * @param {number | null | undefined} retryAt
 * @param {number} now
 */
export function retryCountdown(retryAt, now) {
  if (!isTime(retryAt)) return "";
  const seconds = Math.ceil((retryAt - now) / 1000);
  return seconds > 0 ? `retrying in ${seconds} s` : "retrying now…";
}

/**
 * Whitespace collapsed, cut to `max` code points with an ellipsis.
 * @param {unknown} text
 * @param {number} max
 */
export function truncate(text, max) {
  const flat = String(text ?? "")
    .replace(/\s+/g, " ")
    .trim();
  const chars = [...flat];
  if (chars.length <= max) return flat;
  return `${chars
    .slice(0, Math.max(0, max - 1))
    .join("")
    .trimEnd()}…`;
}

/**
 * The accessible name of a history button: "Load a red fox trotting…".
 * @param {{ prompt?: string, id?: string } | null | undefined} item
 */
export function historyLabel(item) {
  const text = truncate(item?.prompt || item?.id || "video", 60);
  return `Load ${text}`;
}

/**
 * An id made safe as a download file name (no path separators, no odd characters).
 * @param {string | null | undefined} id
 */
export function safeFilename(id, fallback = "video") {
  const clean = String(id ?? "")
    .replace(/[^A-Za-z0-9._-]+/g, "_")
    .replace(/^[._]+/, "")
    .slice(0, 100);
  return clean || fallback;
}

/**
 * "1280x720" -> 16 / 9; 16 / 9 too for a size that does not say.
 * @param {string | null | undefined} size
 */
export function aspectRatio(size) {
  const [width, height] = String(size || "")
    .split("x")
    .map(Number);
  return width > 0 && height > 0 ? width / height : 16 / 9;
}

/** "4" -> "4 s". @param {string} seconds */
export function secondsLabel(seconds) {
  return `${seconds} s`;
}

/**
 * The (field, message) pairs from the `problems` trait, ignoring empty entries.
 * @param {unknown} problems
 * @returns {[string, string][]}
 */
export function problemList(problems) {
  if (!problems || typeof problems !== "object") return [];
  return Object.entries(problems).filter(
    /** @returns {entry is [string, string]} */
    (entry) => typeof entry[1] === "string" && entry[1] !== "",
  );
}

/** @type {Record<string, string | undefined>} */
const IMAGE_KINDS = {
  "image/png": "PNG",
  "image/jpeg": "JPEG",
  "image/webp": "WebP",
  "image/gif": "GIF",
};
const USE_INSTEAD = "Use a PNG, JPEG or WebP file.";

/**
 * Why a chosen, dropped or pasted file cannot be the reference image. Names the field, the
 * file and what to use; `sniffedType` (from the file's first bytes) tells a damaged image from
 * something that is not an image at all.
 * @param {string | null | undefined} name
 * @param {string} sniffedType
 */
export function unreadableImageMessage(name, sniffedType) {
  const file = name ? `“${name}”` : "the pasted file";
  const kind = IMAGE_KINDS[sniffedType];
  if (kind) {
    return (
      `Reference image: ${file} starts like a ${kind} but could not be decoded: the file is ` +
      `damaged, or too large to open. ${USE_INSTEAD}`
    );
  }
  return `Reference image: ${file} is not an image this browser can read. ${USE_INSTEAD}`;
}

/**
 * Why a feature is unavailable on this server ("" while it is, or is not known missing), from
 * the `features` trait: {name: {supported, reason}}.
 * @param {Features | null | undefined} features
 * @param {string} name
 */
export function unsupportedReason(features, name) {
  const feature = features?.[name];
  if (feature?.supported !== false) return "";
  return feature.reason || "This server does not support this.";
}

/**
 * Every known-missing feature's reason, one per line, for the backend badge's tooltip.
 * @param {Features | null | undefined} features
 */
export function unsupportedSummary(features) {
  return Object.keys(features || {})
    .map((name) => unsupportedReason(features, name))
    .filter(Boolean)
    .join("\n");
}

/**
 * What the progress bar shows for a job: `valueNow` is null (no aria-valuenow) when the
 * server's progress is unusable (`job.indeterminate`) and the job is still running.
 * @param {Partial<Job> | null | undefined} job
 */
export function progressBar(job) {
  const status = job?.status || "idle";
  const label = statusLabel(status);
  const progress = Math.round(Math.min(100, Math.max(0, Number(job?.progress) || 0)));
  const shown = status === "completed" ? 100 : progress;
  const indeterminate = Boolean(job?.indeterminate) && isRunning(status);
  const quarter = Math.floor(shown / 25) * 25;
  return {
    label,
    indeterminate,
    valueNow: indeterminate ? null : shown,
    valueText: label
      ? indeterminate
        ? `${label}, progress unknown`
        : `${label}, ${shown}%`
      : null,
    width: indeterminate ? "" : `${shown}%`,
    percentText: label && !indeterminate ? `${shown}%` : "",
    spoken: label ? (isRunning(status) && !indeterminate ? `${label}, ${quarter}%` : label) : "",
  };
}
