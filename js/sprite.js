// @ts-check
// Spritesheet geometry. Pure; tested in js/tests/sprite.test.js.
//
// The sheet is `columns` x `rows` tiles of tile_width x tile_height, read left to right, top to
// bottom; tile i shows the frame at (i + 0.5) / tiles of the duration, so a pointer at fraction
// f of the strip maps to tile floor(f * tiles) (see sora_widget/simulator/render.py).

/** @import { Sprite } from "./traits.js" */

/**
 * `value` within [low, high]; `low` for NaN or an infinity.
 * @param {number} value
 * @param {number} low
 * @param {number} high
 */
export function clamp(value, low, high) {
  if (!Number.isFinite(value)) return low;
  return Math.min(high, Math.max(low, value));
}

/**
 * Whether `sprite` describes a usable grid.
 * @param {Partial<Sprite> | null | undefined} sprite
 * @returns {sprite is Sprite}
 */
export function validSprite(sprite) {
  return Boolean(
    sprite &&
      Number(sprite.columns) > 0 &&
      Number(sprite.rows) > 0 &&
      Number(sprite.tile_width) > 0 &&
      Number(sprite.tile_height) > 0,
  );
}

/**
 * Fraction (0..1) of the way across `rect` at clientX.
 * @param {number} clientX
 * @param {{ left: number, width: number } | null | undefined} rect
 */
export function fractionAt(clientX, rect) {
  if (!rect || !(rect.width > 0)) return 0;
  return clamp((clientX - rect.left) / rect.width, 0, 1);
}

/**
 * The tile for a fraction of the duration: {index, column, row, x, y} in sheet pixels.
 * @param {number} fraction
 * @param {Partial<Sprite> | null | undefined} sprite
 */
export function tileAt(fraction, sprite) {
  if (!validSprite(sprite)) return null;
  const tiles = sprite.columns * sprite.rows;
  const index = Math.min(tiles - 1, Math.floor(clamp(fraction, 0, 1) * tiles));
  const column = index % sprite.columns;
  const row = Math.floor(index / sprite.columns);
  return { index, column, row, x: column * sprite.tile_width, y: row * sprite.tile_height };
}

/**
 * CSS for a preview box showing the tile at `fraction`, scaled so its longest side is `box`
 * pixels: {width, height, backgroundSize, backgroundPosition} (strings with px units).
 * @param {number} fraction
 * @param {Partial<Sprite> | null | undefined} sprite
 */
export function tileStyle(fraction, sprite, box = 160) {
  const tile = tileAt(fraction, sprite);
  if (!tile || !validSprite(sprite)) return null;
  const scale = box / Math.max(sprite.tile_width, sprite.tile_height);
  /** @param {number} n */
  const px = (n) => `${Math.round(n * scale * 100) / 100}px`;
  return {
    width: px(sprite.tile_width),
    height: px(sprite.tile_height),
    backgroundSize: `${px(sprite.columns * sprite.tile_width)} ${px(sprite.rows * sprite.tile_height)}`,
    backgroundPosition: `${px(-tile.x)} ${px(-tile.y)}`,
  };
}
