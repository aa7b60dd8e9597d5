// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import { canDecode, decodesNothing, hasAudio, nextHeard, soundNotice, volumeOf } from "../sound.js";

/** What VS Code's Electron answers: H.264 plays, AAC does not (microsoft/vscode#158486). */
const noAac = {
  canPlayType: (/** @type {string} */ type) => (type.includes("mp4a") ? "" : "maybe"),
  isTypeSupported: (/** @type {string} */ type) => !type.includes("mp4a"),
};
const chromium = { canPlayType: () => "probably", isTypeSupported: () => true };

test("AAC is decodable in a browser, not in a front end without the decoder", () => {
  assert.equal(canDecode("aac", chromium), true);
  assert.equal(canDecode("aac", noAac), false);
  assert.equal(
    canDecode("aac", { isTypeSupported: () => true }),
    true,
    "MediaSource alone says yes",
  );
  assert.equal(canDecode("aac", {}), null, "nothing to ask: no verdict");
  assert.equal(canDecode("pcm_s16le", chromium), null, "a codec we do not know: no verdict");
});

test("the note says why there is no sound, and nothing when all is well", () => {
  const missing = soundNotice({ codec: "aac", decodable: canDecode("aac", noAac) });
  assert.match(missing, /cannot play AAC sound/);
  assert.match(missing, /VS Code/);
  assert.equal(soundNotice({ codec: "aac", decodable: true }), "");
  assert.equal(soundNotice({ codec: "", decodable: null }), "This video has no sound.");
  assert.match(soundNotice({ codec: "aac", decodable: true, held: true }), /click Unmute/);
  assert.match(soundNotice({ codec: null, silent: true }), /cannot play the sound/);
});

test("unmuted playback that decodes no audio is a missing decoder; other cases are not", () => {
  assert.equal(decodesNothing({ audio: true, playedSeconds: 1.5, decodedBytes: 0 }), true);
  assert.equal(decodesNothing({ audio: true, playedSeconds: 1.5, decodedBytes: 4096 }), false);
  assert.equal(
    decodesNothing({ audio: true, playedSeconds: 0.3, decodedBytes: 0 }),
    false,
    "too soon",
  );
  assert.equal(
    decodesNothing({ audio: false, playedSeconds: 5, decodedBytes: 0 }),
    false,
    "no sound to decode",
  );
  assert.equal(
    decodesNothing({ audio: null, playedSeconds: 5, decodedBytes: 0 }),
    false,
    "unknown",
  );
  assert.equal(
    decodesNothing({ audio: true, playedSeconds: 5, decodedBytes: undefined }),
    false,
    "not Chromium",
  );
});

test("whether a file has sound: the kernel's reading first, then the browser's", () => {
  assert.equal(hasAudio("aac", {}), true);
  assert.equal(hasAudio("", { audioTracks: { length: 1 } }), false);
  assert.equal(hasAudio(null, { audioTracks: { length: 1 } }), true);
  assert.equal(hasAudio(null, { mozHasAudio: false }), false);
  assert.equal(hasAudio(null, {}), null);
});

test("one cell is heard at a time: unmuting one mutes the other, again mutes it", () => {
  assert.equal(nextHeard("", "c1"), "c1");
  assert.equal(nextHeard("c0", "c1"), "c1", "c0 goes quiet");
  assert.equal(nextHeard("c1", "c1"), "");
});

test("volumes are clamped to what a media element takes", () => {
  assert.equal(volumeOf(0.4), 0.4);
  assert.equal(volumeOf(3), 1);
  assert.equal(volumeOf(-1), 0);
  assert.equal(volumeOf(undefined), 1);
});
