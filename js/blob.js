// @ts-check
// Binary traits arrive as DataView (JupyterLab's ipywidgets buffers) or as a bare ArrayBuffer
// (Colab's widget manager hands over either). Every read of a binary trait goes through toBytes;
// the rest turns them into object URLs, each revoked when replaced or when the view goes away.

/**
 * Whether `value` is an ArrayBuffer, even one made in another frame (instanceof would fail).
 * @param {unknown} value
 * @returns {value is ArrayBuffer}
 */
function isArrayBuffer(value) {
  return Object.prototype.toString.call(value) === "[object ArrayBuffer]";
}

/**
 * The bytes of a binary trait value (DataView, typed array or ArrayBuffer), or null if empty.
 * @param {unknown} value
 * @returns {Uint8Array<ArrayBuffer> | null}
 */
export function toBytes(value) {
  if (!value) return null;
  let bytes = null;
  if (ArrayBuffer.isView(value)) {
    // A widget's buffers are never shared memory.
    const buffer = /** @type {ArrayBuffer} */ (value.buffer);
    bytes = new Uint8Array(buffer, value.byteOffset, value.byteLength);
  } else if (isArrayBuffer(value)) {
    bytes = new Uint8Array(value);
  }
  return bytes && bytes.byteLength > 0 ? bytes : null;
}

/** An empty binary value: what clears a binary trait. */
export function emptyBytes() {
  return new DataView(new ArrayBuffer(0));
}

/**
 * One object URL at a time. `set(value, type)` returns the URL for that trait value, reusing it
 * while the value is the same object, revoking the previous one when it changes.
 */
export class UrlSlot {
  constructor() {
    /** @type {unknown} */
    this.value = undefined;
    /** @type {string | null} */
    this.url = null;
  }

  /** @param {unknown} value @param {string} type */
  set(value, type) {
    if (value === this.value && this.url) return this.url;
    const bytes = toBytes(value);
    const previous = this.url;
    this.value = value;
    this.url = bytes ? URL.createObjectURL(new Blob([bytes], { type })) : null;
    if (previous) URL.revokeObjectURL(previous);
    return this.url;
  }

  clear() {
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = null;
    this.value = undefined;
  }
}
