// @ts-check
import assert from "node:assert/strict";
import { test } from "node:test";

import { circularOffset, correction, frameAt, frameTime, SyncGroup, targetTime } from "../sync.js";

/**
 * @import { SyncHooks } from "../sync.js"
 */

/** A video that plays in fake time: advance(ms) moves it at its own rate (plus a skew). */
class FakeVideo {
  constructor({ duration = 4, readyState = 4, skew = 1 } = {}) {
    this.duration = duration;
    this.readyState = readyState;
    this.skew = skew; // > 1: this decoder runs fast
    this.time = 0;
    this.seeks = 0; // every write to currentTime (playing moves `time` directly)
    this.playbackRate = 1;
    this.paused = true;
    this.ended = false;
    this.loop = false;
    this.seeking = false;
    this.muted = false;
    this.volume = 1;
    this.preservesPitch = false;
    /** @type {Record<string, Set<(...args: any[]) => void>>} */
    this.handlers = {};
  }
  get currentTime() {
    return this.time;
  }
  set currentTime(value) {
    this.seeks += 1;
    this.time = value;
  }
  play() {
    this.paused = false;
    return Promise.resolve();
  }
  pause() {
    this.paused = true;
  }
  /** @param {string} type @param {(...args: any[]) => void} fn */
  addEventListener(type, fn) {
    this.handlers[type] ??= new Set();
    this.handlers[type].add(fn);
  }
  /** @param {string} type @param {(...args: any[]) => void} fn */
  removeEventListener(type, fn) {
    this.handlers[type]?.delete(fn);
  }
  /** @param {number} ms */
  advance(ms) {
    if (this.paused) return;
    let t = this.time + (ms / 1000) * this.playbackRate * this.skew;
    if (t >= this.duration) {
      if (this.loop) t %= this.duration;
      else {
        t = this.duration;
        this.paused = true;
        this.ended = true;
        for (const fn of this.handlers.ended ?? []) fn();
      }
    }
    this.time = t;
  }
}

/** A SyncGroup on fake frames: run(ms) advances the videos and ticks every 16 ms. */
/** @param {FakeVideo[]} videos @param {SyncHooks} [options] */
function harness(videos, options = {}) {
  /** @type {(() => void) | null} */
  let queued = null;
  let now = 0;
  const group = new SyncGroup({
    frame: (fn) => {
      queued = fn;
      return 1;
    },
    cancelFrame: () => (queued = null),
    clock: () => now,
    ...options,
  });
  group.setFps(12);
  group.setMembers(videos);
  /** @param {number} ms */
  const run = (ms) => {
    for (let t = 0; t < ms; t += 16) {
      now += 16;
      const members = /** @type {FakeVideo[]} */ (group.members); // the group holds fakes
      for (const video of new Set([...videos, ...members])) video.advance(16);
      const fn = queued;
      queued = null;
      fn?.();
    }
  };
  return { group, run };
}

test("offsets wrap around a loop; targets wrap or clamp", () => {
  assert.ok(Math.abs(circularOffset(3.95 - 0.05, 4) - -0.1) < 1e-9);
  assert.ok(Math.abs(circularOffset(0.05 - 3.95, 4) - 0.1) < 1e-9);
  assert.equal(circularOffset(0.5, 0), 0.5);
  assert.equal(targetTime(5, 4, true), 1);
  assert.equal(targetTime(5, 4, false), 4);
  assert.equal(targetTime(-1, 4, false), 0);
});

test("drift under a frame is nudged, over a frame is seeked, tiny drift is left alone", () => {
  const frame = 1 / 12;
  assert.deepEqual(correction(0.005, frame, 1), { seek: false, rate: 1 });
  const ahead = correction(0.05, frame, 1);
  assert.equal(ahead.seek, false);
  assert.ok(ahead.rate < 1 && ahead.rate >= 0.9, "a follower ahead slows down");
  assert.ok(correction(-0.05, frame, 2).rate > 2, "a follower behind speeds up");
  assert.equal(correction(0.2, frame, 1).seek, true);
});

test("frames: the one showing, and the time that shows one", () => {
  assert.equal(frameAt(0, 12), 0);
  assert.equal(frameAt(frameTime(5, 12), 12), 5);
  assert.equal(frameTime(-3, 12), 1e-3);
});

test("followers that drift are pulled back within a frame", () => {
  const master = new FakeVideo();
  const fast = new FakeVideo({ skew: 1.03 });
  const slow = new FakeVideo({ skew: 0.96 });
  const { group, run } = harness([master, fast, slow]);
  group.play();
  let worst = 0;
  for (let i = 0; i < 40; i += 1) {
    run(250);
    worst = Math.max(worst, group.spread());
  }
  assert.ok(worst <= group.frameSeconds + 0.02, `spread reached ${worst}`);
  assert.equal(group.master, master);
});

test("a late joiner starts at the group's time, and the master stays the same", () => {
  const master = new FakeVideo();
  const late = new FakeVideo({ readyState: 0 });
  const { group, run } = harness([master]);
  group.play();
  run(1000);
  group.setMembers([late, master]);
  assert.ok(Math.abs(late.currentTime - master.currentTime) < 0.02);
  late.readyState = 4;
  run(500);
  assert.equal(group.master, master, "the master is sticky");
  assert.ok(group.spread() <= group.frameSeconds);
});

test("pause lines everyone up; seek and step move everyone", () => {
  const videos = [new FakeVideo(), new FakeVideo({ skew: 1.05 })];
  const ticks = [];
  const { group, run } = harness(videos, { onTick: (t) => ticks.push(t) });
  group.play();
  run(1500);
  group.pause();
  assert.ok(videos.every((v) => v.paused));
  assert.equal(videos[0].currentTime, videos[1].currentTime);
  group.seek(2);
  assert.deepEqual(
    videos.map((v) => v.currentTime),
    [2, 2],
  );
  group.step(1);
  assert.equal(frameAt(videos[1].currentTime, 12), 25);
  group.step(-2);
  assert.equal(frameAt(videos[0].currentTime, 12), 23);
  assert.ok(ticks.length > 0);
});

test("with loop off the group ends with its master; play again restarts", () => {
  const master = new FakeVideo({ duration: 1 });
  let ended = 0;
  const { group, run } = harness([master, new FakeVideo({ duration: 1 })], {
    onEnded: () => (ended += 1),
  });
  group.setLoop(false);
  group.play();
  run(1200);
  assert.equal(ended, 1);
  assert.equal(group.playing, false);
  group.play();
  assert.ok(master.currentTime < 0.1);
});

test("released members are paused and no longer heard", () => {
  const kept = new FakeVideo();
  const dropped = new FakeVideo();
  const { group } = harness([kept, dropped]);
  group.play();
  group.setMembers([kept]);
  assert.equal(dropped.paused, true);
  assert.equal(dropped.handlers.seeked.size, 0);
  group.destroy();
  assert.equal(kept.paused, true);
});

test("a follower that cannot keep up is seeked at most twice a second, nudged between", () => {
  const master = new FakeVideo();
  const starved = new FakeVideo({ skew: 0.7 }); // its decoder manages 70% of real time
  const { group, run } = harness([master, starved]);
  group.play();
  const before = starved.seeks;
  run(3000);
  assert.ok(starved.seeks - before <= 6, `${starved.seeks - before} seeks in 3 s`);
  assert.ok(starved.playbackRate > 1, "between seeks it is sped up");
});

test("the heard member leads: its clock is never seeked or nudged, the others follow it", () => {
  const first = new FakeVideo();
  const heard = new FakeVideo({ skew: 1.04 }); // a decoder that runs fast
  const other = new FakeVideo({ skew: 0.97 });
  const { group, run } = harness([first, heard, other]);
  group.play();
  run(500);
  group.setLead(heard);
  const before = heard.seeks;
  run(3000);
  assert.equal(group.master, heard);
  assert.equal(heard.seeks, before, "the sound heard never jumps");
  assert.equal(heard.playbackRate, 1, "nor wobbles");
  assert.ok(group.spread() <= 1 / 12, `the others keep up with it: spread ${group.spread()}`);
  assert.equal(heard.preservesPitch, true);
});

test("a member refused sound (no click yet) is muted and plays so on the next frame", () => {
  const video = new FakeVideo();
  video.muted = false;
  let refusals = 0;
  video.play = function () {
    if (!this.muted) {
      refusals += 1;
      return Promise.reject(Object.assign(new Error("no gesture"), { name: "NotAllowedError" }));
    }
    this.paused = false;
    return Promise.resolve();
  };
  const { group, run } = harness([video]);
  group.play();
  return Promise.resolve().then(() => {
    run(50);
    assert.equal(refusals, 1);
    assert.equal(video.muted, true);
    assert.equal(video.paused, false);
  });
});
