// @ts-check
// The A/B wipe: video A laid over video B and cut at a divider people drag (or move with the
// arrow keys: it is a slider named "Wipe"). Its two <video> elements join the SyncGroup in place
// of the grid's while the wipe is shown, so A and B play in step like every other view.

import { attr, h, setText } from "./dom.js";
import { volumeOf } from "./sound.js";
import { clamp, fractionAt } from "./sprite.js";

/**
 * @import { View } from "./context.js"
 * @import { CompareTraits } from "./traits.js"
 * @typedef {{ key: string, label: string, url: string, ratio: number }} Shown A finished cell.
 */

const KEY_STEP = 0.05;

/** @param {string} testid */
function wipeVideo(testid) {
  const video = h("video", {
    class: "sora-wipe-video",
    attrs: { muted: true, playsinline: true, preload: "auto", "data-testid": testid },
  });
  video.muted = true;
  return video;
}

/** @param {View<Pick<CompareTraits, "wipe_position" | "volume" | "heard">>} ctx */
export function mountWipe(ctx) {
  const videoA = wipeVideo("wipe-a");
  const videoB = wipeVideo("wipe-b");
  const labelA = h("span", {
    class: "sora-wipe-label sora-wipe-label--a",
    attrs: { "aria-hidden": "true" },
  });
  const labelB = h("span", {
    class: "sora-wipe-label sora-wipe-label--b",
    attrs: { "aria-hidden": "true" },
  });
  const divider = h(
    "div",
    {
      class: "sora-wipe-divider",
      attrs: {
        role: "slider",
        tabindex: "0",
        "aria-label": "Wipe",
        "aria-valuemin": "0",
        "aria-valuemax": "100",
        "aria-orientation": "horizontal",
        "data-testid": "wipe-divider",
      },
    },
    h("span", { class: "sora-wipe-handle", attrs: { "aria-hidden": "true" } }),
  );
  const stage = h(
    "div",
    { class: "sora-wipe-stage", attrs: { "data-testid": "wipe-stage" } },
    videoB,
    videoA,
    divider,
    labelA,
    labelB,
  );
  const el = h("div", { class: "sora-wipe", attrs: { "data-testid": "wipe" } }, stage);

  /** @type {number | null} the pointer id while the divider is being dragged */
  let dragging = null;
  let position = 0.5;
  const names = { a: "", b: "" };

  /** @param {number} fraction */
  function place(fraction) {
    position = clamp(fraction, 0, 1);
    const percent = Math.round(position * 1000) / 10;
    videoA.style.clipPath = `inset(0 ${100 - percent}% 0 0)`;
    divider.style.left = `${percent}%`;
    attr(divider, "aria-valuenow", Math.round(percent));
    attr(
      divider,
      "aria-valuetext",
      `${Math.round(percent)}% ${names.a}, ${Math.round(100 - percent)}% ${names.b}`,
    );
  }

  function commit() {
    ctx.set({ wipe_position: position });
  }

  /** Show cells `a` and `b`. @param {Shown} a @param {Shown} b */
  function setPair(a, b) {
    for (const [video, cell] of /** @type {const} */ ([
      [videoA, a],
      [videoB, b],
    ])) {
      if (video.getAttribute("src") !== cell.url) video.src = cell.url;
      video.volume = volumeOf(ctx.get("volume"));
      video.muted = ctx.get("heard") !== cell.key;
    }
    names.a = a.label;
    names.b = b.label;
    setText(labelA, `A · ${a.label}`);
    setText(labelB, `B · ${b.label}`);
    stage.style.setProperty("--sora-ratio", String(a.ratio || 16 / 9));
    place(position);
  }

  ctx.watch(["wipe_position"], () => {
    if (dragging === null) place(Number(ctx.get("wipe_position") ?? 0.5));
  });

  ctx.listen(stage, "pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    dragging = event.pointerId;
    stage.setPointerCapture?.(event.pointerId);
    divider.focus({ preventScroll: true });
    place(fractionAt(event.clientX, stage.getBoundingClientRect()));
  });
  ctx.listen(stage, "pointermove", (event) => {
    if (event.pointerId === dragging)
      place(fractionAt(event.clientX, stage.getBoundingClientRect()));
  });
  for (const type of /** @type {const} */ (["pointerup", "pointercancel"])) {
    ctx.listen(stage, type, (event) => {
      if (event.pointerId !== dragging) return;
      dragging = null;
      commit(); // once per drag, not per pointer move: the kernel hears the result only
    });
  }
  ctx.listen(divider, "keydown", (event) => {
    const step = event.shiftKey ? KEY_STEP / 5 : KEY_STEP;
    /** @type {Record<string, number | undefined>} */
    const targets = {
      ArrowLeft: position - step,
      ArrowDown: position - step,
      ArrowRight: position + step,
      ArrowUp: position + step,
      Home: 0,
      End: 1,
    };
    const target = targets[event.key];
    if (!(event.key in targets) || target === undefined) return;
    event.preventDefault();
    place(target);
    commit();
  });
  ctx.onDispose(() => {
    for (const video of [videoA, videoB]) {
      video.pause();
      video.removeAttribute("src");
      video.load();
    }
  });

  return { el, videos: [videoA, videoB], setPair };
}
