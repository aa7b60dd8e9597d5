// @ts-check
// The Arena's two players, labelled only Left and Right, played in step by Compare's transport
// (SyncGroup, transport bar, A/B wipe) with one side heard at a time. Blind by construction:
// a side knows its video only as a blob URL made from an opaque mailbox key, and nothing here
// writes a key, a token or a name into the page. The transport's settings live in the page
// (localView): the kernel has no such traits.

import { h, show } from "./dom.js";
import { localView } from "./local_view.js";
import { mountSound, nextHeard } from "./sound.js";
import { SyncGroup } from "./sync.js";
import { mountTransport } from "./transport.js";
import { mountWipe } from "./wipe.js";

/**
 * @import { Context, View } from "./context.js"
 * @import { MediaStore } from "./media.js"
 * @import { ArenaPair, ArenaTraits } from "./traits.js"
 * @typedef {{ playing: boolean, rate: number, loop: boolean, volume: number, wipe: boolean,
 *   wipe_position: number, heard: string }} StageTraits
 */

/** Frame rate assumed until the pair says its own. */
const DEFAULT_FPS = 30;

/** The two sides: their key (also the side heard), their only label, their cell's test id. */
const SIDES = /** @type {const} */ ([
  { side: "left", label: "Left", testid: "arena-left" },
  { side: "right", label: "Right", testid: "arena-right" },
]);

/**
 * One side's cell: its label, its video, a placeholder until the bytes arrive, its sound button.
 * @param {View<StageTraits>} view
 * @param {(typeof SIDES)[number]} spec
 * @param {() => ArenaPair | null} pair
 */
function mountSide(view, { side, label, testid }, pair) {
  const labelId = view.id(`side-${side}`);
  const video = h("video", {
    class: "sora-cell-video",
    attrs: { muted: true, loop: true, playsinline: true, preload: "auto" },
  });
  video.muted = true;
  const placeholder = h("div", { class: "sora-cell-placeholder", text: "Loading…" });
  const media = h("div", { class: "sora-cell-media" }, video, placeholder);
  const sound = mountSound(view, {
    video,
    wanted: () => view.get("heard") === side,
    want: (on) => view.set({ heard: on ? side : nextHeard(view.get("heard"), side) }),
    // The kernel says only whether the file has sound: "" is none, null lets the browser tell.
    codec: () => (pair()?.[side].audio ? null : ""),
    slider: false, // one Volume for both, in the transport bar
  });
  const el = h(
    "section",
    {
      class: "sora-cell sora-arena-side",
      attrs: { role: "group", "aria-labelledby": labelId, "data-testid": testid },
    },
    h(
      "div",
      { class: "sora-cell-head" },
      h("strong", { class: "sora-cell-label", text: label, attrs: { id: labelId } }),
    ),
    media,
    h("div", { class: "sora-cell-actions" }, sound.button),
    sound.note,
  );

  /** Show the video at `url` (null: none yet). @param {string | null} url */
  function load(url) {
    if (url && video.getAttribute("src") !== url) video.src = url;
    if (!url && video.hasAttribute("src")) {
      video.removeAttribute("src");
      video.load(); // let go of the previous pair's decoder
    }
    show(video, Boolean(url));
    show(placeholder, !url);
    sound.apply();
  }

  /** The width over height of the loaded video (16:9 before it says). */
  const ratio = () =>
    video.videoWidth && video.videoHeight ? video.videoWidth / video.videoHeight : 16 / 9;

  return { side, label, el, video, sound, load, ratio, url: () => video.getAttribute("src") };
}

/**
 * The stage for the pair `pair()`, its videos taken from `store`. Returns {el, render, onKey}:
 * `render()` after the pair or the media change, `onKey` for the panel's keydown.
 * @param {Context<ArenaTraits>} ctx
 * @param {MediaStore} store
 */
export function mountStage(ctx, store) {
  const view = localView(
    ctx,
    /** @type {StageTraits} */ ({
      playing: false,
      rate: 1,
      loop: true,
      volume: 1,
      wipe: false,
      wipe_position: 0.5,
      heard: "",
    }),
  );
  /** @returns {ArenaPair | null} */
  const pair = () => ctx.get("pair") ?? null;
  const sides = SIDES.map((spec) => mountSide(view, spec, pair));
  const grid = h(
    "div",
    {
      class: "sora-arena-sides",
      attrs: {
        tabindex: "0",
        role: "group",
        "aria-label": "Videos",
        "data-testid": "arena-videos",
      },
    },
    ...sides.map((item) => item.el),
  );
  const wipe = mountWipe(view);

  /** @type {ReturnType<typeof mountTransport> | null} */
  let transport = null;
  const group = new SyncGroup({
    onTick: (time, duration) => transport?.tick(time, duration),
    onEnded: () => view.set({ playing: false }),
    onRefused: (video) => {
      const side = sides.find((item) => item.video === video);
      if (side) side.sound.refuse();
      else video.muted = true;
    },
  });
  ctx.onDispose(() => group.destroy());
  const ready = () => sides.filter((item) => item.url());
  transport = mountTransport(view, group, () => ready().length === 2);

  const el = h("div", { class: "sora-arena-stage" }, grid, wipe.el, transport.el, transport.hint);

  /** The pair on screen, by token: a new token starts again from the first frame. */
  let shown = "";

  function arrange() {
    const list = ready();
    const wiping = Boolean(view.get("wipe")) && list.length === 2;
    show(wipe.el, wiping);
    show(grid, !wiping);
    const heard = view.get("heard");
    if (wiping) {
      const [left, right] = sides.map((item) => ({
        key: item.side,
        label: item.label,
        url: item.url() ?? "",
        ratio: item.ratio(),
      }));
      wipe.setPair(left, right);
      group.setMembers(wipe.videos);
      group.setLead(wipe.videos[sides.findIndex((item) => item.side === heard)] ?? null);
    } else {
      group.setMembers(list.map((item) => item.video));
      group.setLead(list.find((item) => item.side === heard)?.video ?? null);
    }
    transport?.refresh();
    transport?.tick(group.time(), group.duration());
  }

  function render() {
    const current = pair();
    const token = current?.token ?? "";
    if (token !== shown) {
      // Another pair: stop, let go of the old videos, and start the new ones from the top.
      shown = token;
      view.set({ playing: false });
      group.setMembers([]);
      group.seek(0);
    }
    for (const item of sides) item.load(current ? store.url(current[item.side].media) : null);
    const rates = current
      ? [current.left.fps, current.right.fps].filter(
          /** @returns {fps is number} */ (fps) => typeof fps === "number" && fps > 0,
        )
      : [];
    group.setFps(rates.length ? Math.max(...rates) : DEFAULT_FPS);
    arrange();
  }

  view.watch(["rate"], () => group.setRate(Number(view.get("rate")) || 1));
  view.watch(["loop"], () => group.setLoop(Boolean(view.get("loop"))));
  view.watch(["heard", "volume"], () => {
    for (const item of sides) item.sound.apply();
    arrange();
  });
  view.watch(["wipe"], arrange);
  view.watch(["playing", "rate", "loop"], () => {
    if (view.get("playing") && !group.playing) group.play();
    else if (!view.get("playing") && group.playing) group.pause();
    transport?.refresh();
  });
  for (const item of sides) ctx.listen(item.video, "loadedmetadata", arrange);
  // Clicking a video gives the players focus, so the keyboard shortcuts reach the panel.
  ctx.listen(grid, "pointerdown", (event) => {
    if (event.target instanceof HTMLVideoElement) grid.focus({ preventScroll: true });
  });

  return { el, render, onKey: transport.onKey };
}
