// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import { nextSpeed, preciseClock } from "../transport.js";

test("the clock shows tenths", () => {
  assert.equal(preciseClock(0), "0:00.0");
  assert.equal(preciseClock(2.46), "0:02.4");
  assert.equal(preciseClock(61.05), "1:01.0");
  assert.equal(preciseClock(Number.NaN), "0:00.0");
});

test("speeds step along the list and stop at its ends", () => {
  assert.equal(nextSpeed(1, 1), 1.25);
  assert.equal(nextSpeed(1, -1), 0.75);
  assert.equal(nextSpeed(2, 1), 2);
  assert.equal(nextSpeed(0.25, -1), 0.25);
  assert.equal(nextSpeed(1.1, 1), 1.5);
});
