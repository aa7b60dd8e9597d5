// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  canSendAsIs,
  formatBytes,
  MAX_SIDE,
  PNG_LIMIT,
  renameFor,
  shrinkSize,
  sniffImageType,
} from "../image.js";

test("small images keep their size", () => {
  assert.deepEqual(shrinkSize(1280, 720), { width: 1280, height: 720, scaled: false });
  assert.deepEqual(shrinkSize(1792, 1024), { width: 1792, height: 1024, scaled: false });
});

test("large images shrink so the longest side is 1792, keeping the aspect", () => {
  assert.equal(MAX_SIDE, 1792);
  assert.deepEqual(shrinkSize(4032, 3024), { width: 1792, height: 1344, scaled: true });
  assert.deepEqual(shrinkSize(3024, 4032), { width: 1344, height: 1792, scaled: true });
  assert.deepEqual(shrinkSize(3840, 2160), { width: 1792, height: 1008, scaled: true });
  assert.deepEqual(shrinkSize(10000, 10), { width: 1792, height: 2, scaled: true });
  assert.deepEqual(shrinkSize(100000, 1), { width: 1792, height: 1, scaled: true });
  assert.deepEqual(shrinkSize(2000, 1000, 500), { width: 500, height: 250, scaled: true });
});

test("nonsense sizes give null", () => {
  assert.equal(shrinkSize(0, 100), null);
  assert.equal(shrinkSize(100, -1), null);
  assert.equal(shrinkSize(Number.NaN, 5), null);
});

test("what may be sent untouched", () => {
  assert.equal(canSendAsIs("image/png", 1000, false), true);
  assert.equal(canSendAsIs("image/jpeg", PNG_LIMIT, false), true);
  assert.equal(canSendAsIs("image/jpeg", PNG_LIMIT + 1, false), false);
  assert.equal(canSendAsIs("image/png", 1000, true), false);
  assert.equal(canSendAsIs("image/gif", 1000, false), false);
  assert.equal(canSendAsIs("image/heic", 1000, false), false);
});

test("sniffing image types from magic bytes", () => {
  assert.equal(
    sniffImageType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0])),
    "image/png",
  );
  assert.equal(sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])), "image/jpeg");
  const webp = new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 ");
  assert.equal(sniffImageType(webp), "image/webp");
  assert.equal(sniffImageType(new TextEncoder().encode("GIF89a")), "image/gif");
  assert.equal(sniffImageType(new TextEncoder().encode("<svg>")), "");
  assert.equal(sniffImageType(new Uint8Array()), "");
});

test("renaming after re-encoding and byte sizes", () => {
  assert.equal(renameFor("IMG_0001.HEIC", "image/jpeg"), "IMG_0001.jpg");
  assert.equal(renameFor("photo.png", "image/png"), "photo.png");
  assert.equal(renameFor("", "image/png"), "reference.png");
  assert.equal(renameFor("pasted image", "image/png"), "pasted image.png");
  assert.equal(formatBytes(512), "512 B");
  assert.equal(formatBytes(830_000), "830 KB");
  assert.equal(formatBytes(1_234_567), "1.2 MB");
});
