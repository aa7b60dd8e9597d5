// @ts-check
// Word diff between a source prompt and a remix prompt. Pure; tested in js/tests/diff.test.js.

/** Above this many (before x after) cells the middle is shown as replaced, not diffed. */
const MAX_CELLS = 250_000;

/**
 * @typedef {"same" | "del" | "add"} Op
 * @typedef {{ op: Op, text: string }} Part
 */

/** @param {unknown} text */
function words(text) {
  return String(text ?? "")
    .split(/\s+/)
    .filter(Boolean);
}

/**
 * The changes that turn `before` into `after`, word by word:
 * [{op: "same" | "del" | "add", text: "words joined by spaces"}], adjacent runs merged.
 * Common prefix and suffix are trimmed first, so long prompts with a small edit stay cheap.
 * @param {unknown} before
 * @param {unknown} after
 * @returns {Part[]}
 */
export function wordDiff(before, after) {
  const a = words(before);
  const b = words(after);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  /** @type {[Op, string][]} */
  const ops = [];
  for (const w of a.slice(0, start)) ops.push(["same", w]);
  middle(a.slice(start, endA), b.slice(start, endB), ops);
  for (const w of a.slice(endA)) ops.push(["same", w]);
  return merge(ops);
}

/** @param {string[]} a @param {string[]} b @param {[Op, string][]} ops */
function middle(a, b, ops) {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_CELLS || n === 0 || m === 0) {
    for (const w of a) ops.push(["del", w]);
    for (const w of b) ops.push(["add", w]);
    return;
  }
  // lcs[i][j]: longest common subsequence of a[i:] and b[j:]
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? lcs[(i + 1) * width + j + 1] + 1
          : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      ops.push(["same", a[i]]);
      i += 1;
      j += 1;
    } else if (lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
      ops.push(["del", a[i]]);
      i += 1;
    } else {
      ops.push(["add", b[j]]);
      j += 1;
    }
  }
  for (; i < n; i += 1) ops.push(["del", a[i]]);
  for (; j < m; j += 1) ops.push(["add", b[j]]);
}

/** @param {[Op, string][]} ops */
function merge(ops) {
  /** @type {Part[]} */
  const out = [];
  for (const [op, word] of ops) {
    const last = out[out.length - 1];
    if (last && last.op === op) last.text += ` ${word}`;
    else out.push({ op, text: word });
  }
  return out;
}

/** True when the diff changes anything. @param {Part[]} diff */
export function hasChanges(diff) {
  return diff.some((part) => part.op !== "same");
}
