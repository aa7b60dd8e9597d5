// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import { toBytes } from "../blob.js";

const BYTES = [0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70];

test("toBytes reads a DataView, as JupyterLab's widget manager hands binary traits over", () => {
  const buffer = new Uint8Array([9, 9, ...BYTES, 9]).buffer;
  const bytes = toBytes(new DataView(buffer, 2, BYTES.length));
  assert.deepEqual([...(bytes ?? [])], BYTES); // only the view's window, not the whole buffer
});

test("toBytes reads a bare ArrayBuffer, as Colab's widget manager may hand it over", () => {
  assert.deepEqual([...(toBytes(new Uint8Array(BYTES).buffer) ?? [])], BYTES);
});

test("toBytes reads typed arrays and an ArrayBuffer made in another realm", async () => {
  assert.deepEqual([...(toBytes(new Uint8Array(BYTES)) ?? [])], BYTES);
  const { runInNewContext } = await import("node:vm");
  const foreign = runInNewContext("new Uint8Array([1, 2, 3]).buffer");
  assert.equal(foreign instanceof ArrayBuffer, false);
  assert.deepEqual([...(toBytes(foreign) ?? [])], [1, 2, 3]);
});

test("toBytes gives null for nothing", () => {
  for (const empty of [
    null,
    undefined,
    new ArrayBuffer(0),
    new DataView(new ArrayBuffer(0)),
    {},
    "x",
  ]) {
    assert.equal(toBytes(empty), null);
  }
});
