// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import { fractionAt, tileAt, tileStyle, validSprite } from "../sprite.js";

// The simulator's sheet: 10 x 2 tiles of 128 x 72 (see sora_widget/simulator/render.py).
const sprite = { columns: 10, rows: 2, tile_width: 128, tile_height: 72, seconds: 4 };

test("fraction -> tile index, column, row and offset", () => {
  assert.deepEqual(tileAt(0, sprite), { index: 0, column: 0, row: 0, x: 0, y: 0 });
  assert.deepEqual(tileAt(0.26, sprite), { index: 5, column: 5, row: 0, x: 640, y: 0 });
  assert.deepEqual(tileAt(0.5, sprite), { index: 10, column: 0, row: 1, x: 0, y: 72 });
  assert.deepEqual(tileAt(0.999, sprite), { index: 19, column: 9, row: 1, x: 1152, y: 72 });
  assert.equal(tileAt(1, sprite)?.index, 19, "the very end is the last tile, not one past it");
  assert.equal(tileAt(-0.2, sprite)?.index, 0);
  assert.equal(tileAt(Number.NaN, sprite)?.index, 0);
});

test("tile i covers [i/tiles, (i+1)/tiles)", () => {
  for (let i = 0; i < 20; i += 1) {
    assert.equal(tileAt(i / 20, sprite)?.index, i);
    assert.equal(tileAt((i + 0.99) / 20, sprite)?.index, i);
  }
});

test("invalid sprites give no tile", () => {
  assert.equal(tileAt(0.5, null), null);
  assert.equal(tileAt(0.5, { columns: 0, rows: 2, tile_width: 1, tile_height: 1 }), null);
  assert.equal(validSprite({}), false);
  assert.equal(validSprite(sprite), true);
  assert.equal(tileStyle(0.5, {}), null);
});

test("tileStyle scales the sheet so the longest tile side fits the box", () => {
  assert.deepEqual(tileStyle(0.5, sprite, 160), {
    width: "160px",
    height: "90px",
    backgroundSize: "1600px 180px",
    backgroundPosition: "0px -90px",
  });
  const portrait = { columns: 10, rows: 2, tile_width: 128, tile_height: 228 };
  const style = tileStyle(0.15, portrait, 160);
  assert.equal(style?.height, "160px");
  assert.equal(
    style?.backgroundPosition,
    `${-Math.round(3 * 128 * (160 / 228) * 100) / 100}px 0px`,
  );
});

test("fractionAt clamps to the strip", () => {
  const rect = { left: 100, width: 200 };
  assert.equal(fractionAt(100, rect), 0);
  assert.equal(fractionAt(200, rect), 0.5);
  assert.equal(fractionAt(350, rect), 1);
  assert.equal(fractionAt(50, rect), 0);
  assert.equal(fractionAt(150, { left: 0, width: 0 }), 0);
});
