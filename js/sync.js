// @ts-check
// Several <video> elements played as one: a master clock (the first member that can play),
// followers nudged with playbackRate while they drift by less than a frame, and hard-seeked
// (ahead by the seek latency measured so far) when they drift by more. The member being heard
// leads: a master is never nudged or seeked, so its sound runs on without a skip or a wobble,
// and only the muted followers are corrected (at the pitch they had: preservesPitch stays on,
// so a speed change or a nudge never bends the sound). Used by the Compare
// widget and by the saved comparison page. No DOM beyond the media element API, so it is
// tested in Node with fake videos (js/tests/sync.test.js).

/**
 * What the group uses of a media element (the tests' fake videos have just this).
 * @typedef {Pick<HTMLMediaElement, "currentTime" | "duration" | "paused" | "ended" | "seeking" |
 *   "readyState" | "playbackRate" | "preservesPitch" | "loop" | "muted" | "volume" | "play" |
 *   "pause" | "addEventListener" | "removeEventListener">} Member
 */

/** Enough data to show the current frame (HTMLMediaElement.HAVE_CURRENT_DATA). */
const HAVE_CURRENT_DATA = 2;
/** Drift under this many frames is left alone: correcting it would only jitter. */
const DEAD_BAND_FRAMES = 0.2;
/** A follower's rate is bent by at most this much to catch up. */
const MAX_NUDGE = 0.1;
/** Seconds over which a nudge aims to remove the drift. */
const CATCH_UP_SECONDS = 0.5;
/** The lead added to a hard seek never exceeds this (seconds). */
const MAX_SEEK_LEAD = 0.5;
/**
 * After a hard seek a member is only nudged for this long (ms): a decoder that cannot keep up
 * (many videos, few cores) would otherwise be seeked again and again, each seek costing it a
 * decode from the last keyframe, and fall further behind.
 */
const SEEK_COOLDOWN_MS = 500;

/**
 * `offset` folded into [-duration/2, duration/2): with looping, 3.95 s against 0.05 s on a 4 s
 * clip is 0.1 s apart, not 3.9 s.
 * @param {number} offset
 * @param {number} duration
 */
export function circularOffset(offset, duration) {
  if (!(duration > 0)) return offset;
  const half = duration / 2;
  return ((((offset + half) % duration) + duration) % duration) - half;
}

/**
 * Where a member should be for the group's time `t`: wrapped when looping, else clamped.
 * @param {number} t
 * @param {number} duration
 * @param {boolean} loop
 */
export function targetTime(t, duration, loop) {
  if (!(duration > 0)) return Math.max(0, t);
  if (loop) return ((t % duration) + duration) % duration;
  return Math.min(Math.max(0, t), duration);
}

/**
 * What to do with a follower `drift` seconds ahead (negative: behind) of the master:
 * {seek: true} past one frame (when `canSeek`), else {rate} bent towards catching up (rate
 * itself when close).
 * @param {number} drift
 * @param {number} frameSeconds
 * @param {number} rate
 * @param {boolean} [canSeek]
 */
export function correction(drift, frameSeconds, rate, canSeek = true) {
  const size = Math.abs(drift);
  if (size > frameSeconds && canSeek) return { seek: true, rate };
  if (size <= frameSeconds * DEAD_BAND_FRAMES) return { seek: false, rate };
  const bend = Math.max(-MAX_NUDGE, Math.min(MAX_NUDGE, drift / CATCH_UP_SECONDS));
  return { seek: false, rate: rate * (1 - bend) };
}

/**
 * The frame showing at `t`, and the time that shows frame `n` (a hair past its start).
 * @param {number} t
 * @param {number} fps
 */
export function frameAt(t, fps) {
  return Math.floor(t * fps + 1e-3);
}
/** @param {number} n @param {number} fps */
export function frameTime(n, fps) {
  return Math.max(0, n) / fps + 1e-3;
}

function ignore() {}

/**
 * @typedef {object} SyncHooks
 * @property {(time: number, duration: number) => void} [onTick]
 * @property {() => void} [onEnded]
 * @property {(member: Member) => void} [onRefused]
 * @property {(fn: () => void) => number} [frame]
 * @property {(id: number) => void} [cancelFrame]
 * @property {() => number} [clock]
 */

export class SyncGroup {
  /**
   * onTick(time, duration): the position changed (every frame while playing, after seeks).
   * onEnded(): the master reached its end with loop off.
   * onRefused(member): the browser refused to play it with sound (no click yet); by default
   * it is muted, and the next frame plays it so.
   * @param {SyncHooks} [hooks]
   */
  constructor({
    onTick = ignore,
    onEnded = ignore,
    onRefused = (member) => (member.muted = true),
    frame = (fn) => requestAnimationFrame(fn),
    cancelFrame = (id) => cancelAnimationFrame(id),
    clock = () => performance.now(),
  } = {}) {
    /** @type {Member[]} */
    this.members = [];
    /** @type {Member | null} */
    this.master = null;
    /** @type {Member | null} the member heard: master whenever it can play */
    this.lead = null;
    this.playing = false;
    this.rate = 1;
    this.loop = true;
    this.fps = 30;
    this.position = 0;
    this.seekLead = 0; // seconds a hard seek lands behind, learnt from the seeks so far
    this.onTick = onTick;
    this.onEnded = onEnded;
    this.onRefused = onRefused;
    this.frame = frame;
    this.cancelFrame = cancelFrame;
    this.clock = clock;
    /** @type {number | null} */
    this.handle = null;
    /** @type {Map<Member, number>} member -> clock at its hard seek under way */
    this.seekStarted = new Map();
    /** @type {Map<Member, number>} member -> clock at its last hard seek */
    this.lastSeek = new Map();
    /** @type {Map<Member, [string, () => void][]>} member -> [[type, handler]] */
    this.listeners = new Map();
  }

  get frameSeconds() {
    return 1 / this.fps;
  }

  /** The group's time: the master's, or where it was left when there is none. */
  time() {
    if (this.master && this.members.includes(this.master))
      this.position = this.master.currentTime || 0;
    return this.position;
  }

  duration() {
    const lead = this.master ?? this.members[0];
    const duration = lead?.duration;
    if (Number.isFinite(duration) && duration > 0) return duration;
    return Math.max(0, ...this.members.map((m) => (Number.isFinite(m.duration) ? m.duration : 0)));
  }

  /**
   * Play these elements (in order of preference for master) from now on; others are let go.
   * @param {Member[]} list
   */
  setMembers(list) {
    const time = this.time();
    for (const member of this.members) {
      if (!list.includes(member)) this.release(member);
    }
    const joined = list.filter((member) => !this.members.includes(member));
    this.members = [...list];
    if (this.master && !this.members.includes(this.master)) this.master = null;
    for (const member of joined) {
      this.watch(member);
      member.preservesPitch = true;
      member.playbackRate = this.rate;
      member.loop = this.loop;
      member.currentTime = targetTime(time, member.duration, this.loop);
      if (this.playing) this.start(member);
    }
    this.chooseMaster();
    this.schedule();
  }

  play() {
    this.playing = true;
    const time = this.time();
    if (!this.loop && time >= this.duration() - 1e-3) this.seek(0); // play again from the start
    for (const member of this.members) {
      member.playbackRate = this.rate;
      this.start(member);
    }
    this.schedule();
  }

  pause() {
    this.playing = false;
    for (const member of this.members) member.pause();
    this.seek(this.time()); // line the followers up exactly on the master's frame
  }

  /** @param {number} t */
  seek(t) {
    const duration = this.duration();
    this.position = duration > 0 ? Math.min(Math.max(0, t), duration) : Math.max(0, t);
    for (const member of this.members) {
      member.currentTime = targetTime(this.position, member.duration, this.loop);
    }
    this.onTick(this.position, duration);
  }

  /** Pause and move by `n` frames (negative: back); true when it was playing. @param {number} n */
  step(n) {
    const wasPlaying = this.playing;
    if (wasPlaying) this.pause();
    this.seek(frameTime(frameAt(this.time(), this.fps) + n, this.fps));
    return wasPlaying;
  }

  /** @param {number} rate */
  setRate(rate) {
    this.rate = rate;
    for (const member of this.members) member.playbackRate = rate;
  }

  /** @param {boolean} loop */
  setLoop(loop) {
    this.loop = loop;
    for (const member of this.members) member.loop = loop;
  }

  /**
   * The member heard (or null): it becomes the master, so sync never moves its sound.
   * @param {Member | null} member
   */
  setLead(member) {
    this.lead = member;
    this.chooseMaster();
  }

  /** @param {number} fps */
  setFps(fps) {
    if (Number.isFinite(fps) && fps > 0) this.fps = fps;
  }

  /** The largest distance between two members now (for tests and the benchmark). */
  spread() {
    const times = this.members.filter(canPlay).map((m) => m.currentTime);
    if (times.length < 2) return 0;
    const base = times[0];
    const offsets = times.map((t) => circularOffset(t - base, this.loop ? this.duration() : 0));
    return Math.max(...offsets) - Math.min(...offsets);
  }

  destroy() {
    this.playing = false;
    if (this.handle !== null) this.cancelFrame(this.handle);
    this.handle = null;
    for (const member of [...this.members]) this.release(member);
    this.members = [];
    this.master = null;
  }

  // ---- internals ------------------------------------------------------------------------

  chooseMaster() {
    const previous = this.master;
    if (this.lead && this.members.includes(this.lead) && canPlay(this.lead)) {
      this.master = this.lead;
    } else if (!(this.master && canPlay(this.master))) {
      // Sticky: a master is kept while it can play, so time never jumps to a late joiner's.
      this.master = this.members.find(canPlay) ?? null;
    }
    // A follower's nudge ends when it leads: the master plays at the group's rate.
    if (this.master && this.master !== previous) this.master.playbackRate = this.rate;
  }

  schedule() {
    if (this.playing && this.handle === null) this.handle = this.frame(() => this.tick());
  }

  tick() {
    this.handle = null;
    if (!this.playing) return;
    this.chooseMaster();
    const master = this.master;
    if (master) {
      if (master.paused && !master.ended) this.start(master);
      const time = this.time();
      for (const member of this.members) {
        if (member !== master) this.follow(member, time);
      }
      this.onTick(time, this.duration());
    }
    this.schedule();
  }

  /** @param {Member} member @param {number} time */
  follow(member, time) {
    if (!canPlay(member) || member.seeking) return;
    const target = targetTime(time, member.duration, this.loop);
    if (!this.loop && target >= member.duration) return; // it has ended, as it should
    if (member.paused) this.start(member);
    const drift = circularOffset(member.currentTime - target, this.loop ? member.duration : 0);
    const now = this.clock();
    const canSeek = !(now - (this.lastSeek.get(member) ?? -Infinity) < SEEK_COOLDOWN_MS);
    const { seek, rate } = correction(drift, this.frameSeconds, this.rate, canSeek);
    if (seek) {
      this.seekStarted.set(member, now);
      this.lastSeek.set(member, now);
      member.playbackRate = this.rate;
      member.currentTime = targetTime(time + this.seekLead * this.rate, member.duration, this.loop);
    } else if (Math.abs(member.playbackRate - rate) > 1e-3) {
      member.playbackRate = rate;
    }
  }

  /** @param {Member} member */
  start(member) {
    const started = member.play();
    started?.catch?.((/** @type {{ name?: string } | null | undefined} */ error) => {
      // Refused with sound: muted it may play (autoplay rules). Otherwise the next tick retries.
      if (error?.name === "NotAllowedError" && !member.muted) this.onRefused(member);
    });
  }

  /** @param {Member} member */
  watch(member) {
    /** @type {[string, () => void][]} */
    const handlers = [
      [
        "seeked",
        () => {
          const started = this.seekStarted.get(member);
          this.seekStarted.delete(member);
          if (started === undefined || !this.playing) return;
          // Average the latency of recent seeks: the next seek aims that far ahead.
          const latency = Math.min(MAX_SEEK_LEAD, (this.clock() - started) / 1000);
          this.seekLead = this.seekLead ? 0.7 * this.seekLead + 0.3 * latency : latency;
        },
      ],
      [
        "ended",
        () => {
          if (member === this.master && !this.loop && this.playing) {
            this.playing = false;
            this.onEnded();
          }
        },
      ],
      ["canplay", () => this.schedule()],
    ];
    for (const [type, handler] of handlers) member.addEventListener(type, handler);
    this.listeners.set(member, handlers);
  }

  /** @param {Member} member */
  release(member) {
    member.pause();
    member.playbackRate = this.rate;
    for (const [type, handler] of this.listeners.get(member) ?? []) {
      member.removeEventListener(type, handler);
    }
    this.listeners.delete(member);
    this.seekStarted.delete(member);
    this.lastSeek.delete(member);
  }
}

/** @param {Member} member */
function canPlay(member) {
  return member.readyState >= HAVE_CURRENT_DATA;
}
