// @ts-check
// The one transport bar that drives every video of a comparison: previous / next frame, Play
// (Pause while playing), Seek, the time, Speed, Volume (of the one cell heard), Loop and the A/B
// wipe switch, and the keyboard
// shortcuts, which only act on keys pressed inside the widget.

import { attr, h, icon, setText } from "./dom.js";
import { formatClock } from "./format.js";
import { showVolume, volumeOf, volumeSlider } from "./sound.js";

/**
 * @import { View } from "./context.js"
 * @import { SyncGroup } from "./sync.js"
 * @import { CompareTraits } from "./traits.js"
 * @typedef {Pick<CompareTraits, "playing" | "rate" | "loop" | "volume" | "wipe">} TransportTraits
 */

export const SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2];

/** Icon path data (drawn as SVG strokes: no font has to carry these glyphs). */
const GLYPHS = {
  play: ["M8 5.5v13l10-6.5z"],
  pause: ["M9 5.5v13", "M15 5.5v13"],
  previous: ["M7 6v12", "M18 6.5v11l-8-5.5z"],
  next: ["M17 6v12", "M6 6.5v11l8-5.5z"],
};

/**
 * "0:02.4": the clock to a tenth of a second, as frame-by-frame work needs.
 * @param {unknown} seconds
 */
export function preciseClock(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "0:00.0";
  const tenths = Math.floor(Math.max(0, seconds) * 10 + 1e-6);
  return `${formatClock(Math.floor(tenths / 10))}.${tenths % 10}`;
}

/**
 * The next speed up or down the list from `rate` (direction +1 or -1).
 * @param {number} rate
 * @param {number} direction
 */
export function nextSpeed(rate, direction) {
  const index = SPEEDS.findIndex((speed) => speed >= rate - 1e-9);
  const current = index === -1 ? SPEEDS.length - 1 : index;
  return SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, current + direction))];
}

/**
 * True when the focused control uses this key itself (typing, a slider, a button press).
 * @param {EventTarget | null} target
 * @param {string} key
 */
function ownsKey(target, key) {
  if (!(target instanceof Element)) return false;
  if (target.closest("textarea, select, [contenteditable='true']")) return true;
  const input = target.closest("input");
  if (input && !["checkbox", "radio", "range", "button"].includes(input.type)) return true;
  const sliding = target.closest("input[type='range'], [role='slider']");
  if (sliding && /^(Arrow|Home|End|Page)/.test(key)) return true;
  const pressing = target.closest("button, a[href], input[type='checkbox'], summary");
  return Boolean(pressing) && (key === " " || key === "Enter");
}

/**
 * @param {string} label
 * @param {string} testid
 * @param {keyof typeof GLYPHS} glyph
 * @param {string} shortcut
 */
function button(label, testid, glyph, shortcut, primary = false) {
  return h(
    "button",
    {
      class: `sora-btn sora-transport-btn${primary ? " sora-btn--primary" : ""}`,
      attrs: {
        type: "button",
        "aria-label": label,
        "data-testid": testid,
        "aria-keyshortcuts": shortcut,
      },
    },
    icon(GLYPHS[glyph], 18),
  );
}

/** @param {View<{}>} ctx @param {string} label @param {string} testid */
function toggle(ctx, label, testid) {
  const input = h("input", {
    attrs: { type: "checkbox", id: ctx.id(testid), "data-testid": testid },
  });
  const el = h(
    "label",
    { class: "sora-toggle", attrs: { for: ctx.id(testid) } },
    input,
    h("span", { text: label }),
  );
  return { el, input };
}

/**
 * `group` is the SyncGroup; `canWipe()` says whether two videos are ready for the A/B wipe.
 * Returns {el, hint, onKey, tick(time, duration), refresh()}.
 * @param {View<TransportTraits>} ctx
 * @param {SyncGroup} group
 * @param {() => boolean} canWipe
 */
export function mountTransport(ctx, group, canWipe) {
  const previous = button("Previous frame", "previous-frame", "previous", "ArrowLeft");
  const play = button("Play", "play", "play", "Space", true);
  const next = button("Next frame", "next-frame", "next", "ArrowRight");
  const seek = h("input", {
    class: "sora-seek",
    attrs: {
      type: "range",
      min: "0",
      max: "0",
      step: "0.001",
      value: "0",
      "aria-label": "Seek",
      "aria-keyshortcuts": "Shift+ArrowLeft Shift+ArrowRight Home End",
      "data-testid": "seek",
    },
  });
  const clock = h("span", {
    class: "sora-clock",
    text: "0:00.0 / 0:00.0",
    attrs: { "aria-hidden": "true", "data-testid": "clock" },
  });
  const speedId = ctx.id("speed");
  const speed = h(
    "select",
    {
      class: "sora-select",
      attrs: { id: speedId, "data-testid": "speed", "aria-keyshortcuts": "[ ]" },
    },
    ...SPEEDS.map((value) => h("option", { text: `${value}×`, attrs: { value } })),
  );
  const volumeId = ctx.id("volume");
  const volume = volumeSlider(volumeId);
  const loop = toggle(ctx, "Loop", "loop");
  const wipe = toggle(ctx, "A/B wipe", "wipe-toggle");
  attr(loop.input, "aria-keyshortcuts", "L");
  attr(wipe.input, "aria-keyshortcuts", "W");

  const el = h(
    "div",
    {
      class: "sora-transport",
      attrs: { role: "group", "aria-label": "Transport", "data-testid": "transport" },
    },
    h("div", { class: "sora-transport-buttons" }, previous, play, next),
    seek,
    clock,
    h(
      "div",
      { class: "sora-transport-options" },
      h("label", { class: "sora-label", text: "Speed", attrs: { for: speedId } }),
      speed,
      h("label", { class: "sora-label", text: "Volume", attrs: { for: volumeId } }),
      volume,
      loop.el,
      wipe.el,
    ),
  );
  const hint = h(
    "p",
    { class: "sora-hint sora-transport-hint" },
    ...[
      ["Space", "play / pause"],
      ["← →", "frame"],
      ["Shift + ← →", "1 s"],
      ["[ ]", "speed"],
      ["L", "loop"],
      ["W", "wipe"],
    ].flatMap(([keys, what], i) => [i ? " · " : "", h("kbd", { text: keys }), ` ${what}`]),
  );

  let scrubbing = false;

  /** @param {number} time @param {number} duration */
  function tick(time, duration) {
    if (!scrubbing) {
      attr(seek, "max", duration.toFixed(3));
      attr(seek, "step", group.frameSeconds.toFixed(6)); // arrow keys on the slider: one frame
      seek.value = String(time);
    }
    attr(seek, "aria-valuetext", `${preciseClock(time)} of ${preciseClock(duration)}`);
    setText(clock, `${preciseClock(time)} / ${preciseClock(duration)}`);
  }

  function refresh() {
    const playing = Boolean(ctx.get("playing"));
    const state = playing ? "playing" : "paused";
    if (play.dataset.state !== state) {
      play.dataset.state = state;
      attr(play, "aria-label", playing ? "Pause" : "Play");
      play.replaceChildren(icon(GLYPHS[playing ? "pause" : "play"], 18));
    }
    const rate = Number(ctx.get("rate")) || 1;
    speed.value = String(SPEEDS.includes(rate) ? rate : 1);
    loop.input.checked = Boolean(ctx.get("loop"));
    showVolume(volume, ctx.get("volume"));
    const wipeable = canWipe();
    wipe.input.disabled = !wipeable;
    wipe.input.checked = wipeable && Boolean(ctx.get("wipe"));
    attr(wipe.el, "title", wipeable ? null : "Needs two finished videos");
    const empty = group.members.length === 0;
    for (const control of [previous, play, next, seek]) control.disabled = empty;
  }

  /** @param {number} n */
  function stepFrames(n) {
    if (group.step(n)) ctx.set({ playing: false });
  }

  /** @param {number} seconds */
  function seekBy(seconds) {
    group.seek(group.time() + seconds);
  }

  /** @param {KeyboardEvent} event */
  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (ownsKey(event.target, event.key)) return;
    /** @type {Record<string, (() => unknown) | undefined>} */
    const actions = {
      " ": () => ctx.set({ playing: !ctx.get("playing") }),
      k: () => ctx.set({ playing: !ctx.get("playing") }),
      ArrowLeft: () => (event.shiftKey ? seekBy(-1) : stepFrames(-1)),
      ArrowRight: () => (event.shiftKey ? seekBy(1) : stepFrames(1)),
      ",": () => stepFrames(-1),
      ".": () => stepFrames(1),
      Home: () => group.seek(0),
      End: () => group.seek(group.duration()),
      "[": () => ctx.set({ rate: nextSpeed(Number(ctx.get("rate")) || 1, -1) }),
      "]": () => ctx.set({ rate: nextSpeed(Number(ctx.get("rate")) || 1, 1) }),
      l: () => ctx.set({ loop: !ctx.get("loop") }),
      w: () => canWipe() && ctx.set({ wipe: !ctx.get("wipe") }),
    };
    const action = actions[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!action || group.members.length === 0) return;
    event.preventDefault();
    event.stopPropagation();
    action();
  }

  ctx.listen(play, "click", () => ctx.set({ playing: !ctx.get("playing") }));
  ctx.listen(previous, "click", () => stepFrames(-1));
  ctx.listen(next, "click", () => stepFrames(1));
  ctx.listen(seek, "pointerdown", () => (scrubbing = true));
  ctx.listen(seek, "pointerup", () => (scrubbing = false));
  ctx.listen(seek, "input", () => group.seek(Number(seek.value)));
  ctx.listen(seek, "change", () => (scrubbing = false));
  ctx.listen(speed, "change", () => ctx.set({ rate: Number(speed.value) }));
  ctx.listen(volume, "input", () => {
    for (const member of group.members) member.volume = volumeOf(volume.value); // heard at once
  });
  ctx.listen(volume, "change", () => ctx.set({ volume: volumeOf(volume.value) }));
  ctx.listen(loop.input, "change", () => ctx.set({ loop: loop.input.checked }));
  ctx.listen(wipe.input, "change", () => ctx.set({ wipe: wipe.input.checked }));

  return { el, hint, onKey, tick, refresh };
}
