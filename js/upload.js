// @ts-check
// Binary values sent from the browser to the kernel in pieces (sora_widget/uploads.py puts them
// back together). Colab drops a browser-to-kernel message over about a megabyte
// (jupyter-widgets/ipywidgets#3452), so no message carries more than CHUNK_BYTES of data: as
// base64 in the JSON of a custom message (marimo's custom messages carry no buffers). Pure but
// for `sendBytes`; tested in js/tests/upload.test.js. The limits are the kernel's (js/shared.json).

import shared from "./shared.json" with { type: "json" };

/** No message to the kernel may be larger, as JSON text in bytes (Colab's limit is ~1 MB). */
export const MAX_MESSAGE_BYTES = shared.upload.max_message_bytes;
/** Raw bytes per piece: 512 KiB is ~700 kB of base64, well under MAX_MESSAGE_BYTES. */
export const CHUNK_BYTES = shared.upload.chunk_bytes;

/** @import { View } from "./context.js" */

const SLICE = 0x8000; // String.fromCharCode takes this many arguments at a time safely

/** @param {Uint8Array} bytes */
function base64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += SLICE) {
    text += String.fromCharCode(...bytes.subarray(i, i + SLICE));
  }
  return btoa(text);
}

let uploads = 0;

/**
 * The messages that upload `bytes` (a Uint8Array) into the binary trait `trait`, named `name`:
 * `{action: "upload", trait, upload, index, count, name, data}`, at least one even when empty.
 * @param {string} trait
 * @param {Uint8Array} bytes
 * @param {string} name
 */
export function uploadMessages(trait, bytes, name, chunk = CHUNK_BYTES) {
  uploads += 1;
  const upload = `u${Date.now().toString(36)}-${uploads}`;
  const count = Math.max(1, Math.ceil(bytes.byteLength / chunk));
  const messages = [];
  for (let index = 0; index < count; index += 1) {
    const data = base64(bytes.subarray(index * chunk, (index + 1) * chunk));
    messages.push({ action: "upload", trait, upload, index, count, name, data });
  }
  return messages;
}

/**
 * Send `bytes` into `trait` through ctx.send, one piece per message.
 * @param {Pick<View<{}>, "send">} ctx
 * @param {string} trait
 * @param {Uint8Array} bytes
 * @param {string} name
 */
export function sendBytes(ctx, trait, bytes, name) {
  for (const { action, ...message } of uploadMessages(trait, bytes, name))
    ctx.send(action, message);
}
