// @ts-check
// Reference image sizing and type sniffing. Pure; tested in js/tests/image.test.js.

import shared from "./shared.json" with { type: "json" };

/** Longest side, in pixels, of a reference image sent to the kernel (1792 is Sora's largest). */
export const MAX_SIDE = 1792;
/** Below this, an image is sent untouched, or re-encoded as PNG; above, as JPEG. */
export const PNG_LIMIT = 4 * 1024 * 1024;
/** Never send more than this in all (in pieces: upload.js): the kernel's limit too. */
export const SEND_LIMIT = shared.upload.max_upload_bytes;
export const JPEG_QUALITY = 0.92;

const SENDABLE = new Set(["image/png", "image/jpeg", "image/webp"]);

/**
 * The size to draw at so the longest side is at most maxSide: {width, height, scaled}.
 * @param {number} width
 * @param {number} height
 */
export function shrinkSize(width, height, maxSide = MAX_SIDE) {
  if (!(width > 0 && height > 0)) return null;
  const longest = Math.max(width, height);
  if (longest <= maxSide) return { width, height, scaled: false };
  const k = maxSide / longest;
  return {
    width: Math.max(1, Math.round(width * k)),
    height: Math.max(1, Math.round(height * k)),
    scaled: true,
  };
}

/**
 * Whether the file's own bytes can be sent as they are (no resize, an API type, small).
 * @param {string} type
 * @param {number} byteLength
 * @param {boolean} scaled
 */
export function canSendAsIs(type, byteLength, scaled) {
  return !scaled && SENDABLE.has(type) && byteLength <= PNG_LIMIT;
}

/**
 * The content type from the first bytes (PNG, JPEG, WebP, GIF), or "".
 * @param {Uint8Array | ArrayBuffer | ArrayLike<number> | null | undefined} bytes
 */
export function sniffImageType(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes ?? []);
  /** @param {number} i @param {number[]} values */
  const at = (i, ...values) => values.every((v, k) => b[i + k] === v);
  if (b.length >= 8 && at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (b.length >= 3 && at(0, 0xff, 0xd8, 0xff)) return "image/jpeg";
  if (b.length >= 12 && at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) {
    return "image/webp";
  }
  if (b.length >= 6 && at(0, 0x47, 0x49, 0x46, 0x38)) return "image/gif";
  return "";
}

/** @type {Record<string, string | undefined>} */
const EXTENSIONS = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" };

/**
 * A file name with its extension changed to match the re-encoded type.
 * @param {string} name
 * @param {string} type
 */
export function renameFor(name, type) {
  const ext = EXTENSIONS[type] ?? "img";
  const base = String(name || "reference").replace(/\.[A-Za-z0-9]{1,5}$/, "") || "reference";
  return `${base}.${ext}`;
}

/** "1.2 MB", "830 KB", "512 B". @param {number} n */
export function formatBytes(n) {
  if (!(n >= 0)) return "";
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${Math.round(n / 1000)} KB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}
