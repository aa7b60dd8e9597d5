// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import { CHUNK_BYTES, MAX_MESSAGE_BYTES, sendBytes, uploadMessages } from "../upload.js";

/** Bytes that do not compress. @param {number} length */
function noise(length) {
  const bytes = new Uint8Array(length);
  let x = 12345;
  for (let i = 0; i < length; i += 1) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

const jsonBytes = (/** @type {object} */ message) =>
  new TextEncoder().encode(JSON.stringify(message)).byteLength;

test("an 8 MB image goes in pieces, each message under the limit, and they add up", () => {
  const bytes = noise(8 * 1024 * 1024);
  const messages = uploadMessages("reference", bytes, "photo.png");
  assert.equal(messages.length, Math.ceil(bytes.byteLength / CHUNK_BYTES));
  for (const message of messages)
    assert.ok(jsonBytes(message) < MAX_MESSAGE_BYTES, String(jsonBytes(message)));
  const joined = Buffer.concat(messages.map((m) => Buffer.from(m.data, "base64")));
  assert.ok(joined.equals(Buffer.from(bytes)));
  assert.deepEqual(
    messages.map((m) => [m.index, m.count, m.trait, m.name, m.upload]),
    messages.map((_, i) => [i, messages.length, "reference", "photo.png", messages[0].upload]),
  );
});

test("a piece is far enough below the limit for its base64 and the envelope", () => {
  assert.ok(Math.ceil(CHUNK_BYTES / 3) * 4 + 1000 < MAX_MESSAGE_BYTES);
  assert.ok(MAX_MESSAGE_BYTES <= 1_000_000); // Colab's limit (ipywidgets#3452)
});

test("a small image is one message; each upload has its own id", () => {
  const [one, ...rest] = uploadMessages("reference", noise(10), "a.png");
  assert.equal(rest.length, 0);
  assert.equal(one.count, 1);
  assert.notEqual(uploadMessages("reference", noise(10), "a.png")[0].upload, one.upload);
});

test("sendBytes sends each piece as an upload action", () => {
  /** @type {Record<string, unknown>[]} */
  const sent = [];
  sendBytes(
    { send: (action, extra) => sent.push({ action, ...extra }) },
    "reference",
    noise(CHUNK_BYTES + 1),
    "b.png",
  );
  assert.deepEqual(
    sent.map((m) => [m.action, m.index]),
    [
      ["upload", 0],
      ["upload", 1],
    ],
  );
});
