// @ts-check
// Compare's front end: the anywidget entry point (also rendered by the saved page, js/page.js).
//
// A grid of cells, each following its own job, and one transport bar that plays every finished
// video in step through a SyncGroup; or, with the A/B wipe on, two of them laid over each other.
// Like SoraWidget's view it keeps no state beyond its DOM: the transport's settings, the pick,
// the enlarged cell and the one cell heard are traits, so every view of one model shows the same.
// The heard cell leads the SyncGroup, so keeping the others in step never moves its sound.

import "./widget.css";
import "./compare.css";
import { mountCell } from "./cell.js";
import { createContext } from "./context.js";
import { h, setText, show } from "./dom.js";
import { errorTitle, isRunning } from "./format.js";
import { mountHeader } from "./header.js";
import { keepKeysInWidget } from "./lumino.js";
import { mediaStore } from "./media.js";
import { problemBox } from "./problem.js";
import { SyncGroup } from "./sync.js";
import { mountTransport } from "./transport.js";
import { mountWipe } from "./wipe.js";

/**
 * @import { AnyWidget } from "@anywidget/types"
 * @import { View } from "./context.js"
 * @import { Cell, CompareTraits, ErrorState, Model } from "./traits.js"
 * @import { Shown } from "./wipe.js"
 * @typedef {Shown & { videoId: string | null, video: HTMLVideoElement, fps: number | null }} Ready
 *   A finished cell, in the grid or the wipe.
 */

/** Frame rate assumed until a finished video reports its own. */
const DEFAULT_FPS = 30;

/**
 * Columns for n cells when the kernel sets none: 2 x 2 for four, at most 4 across.
 * @param {number} n
 */
function autoColumns(n) {
  if (n === 4) return 2;
  return Math.max(1, Math.min(4, n <= 3 ? n : Math.ceil(n / 2)));
}

/** @param {Cell[]} cells */
function summaryText(cells) {
  /** @param {(status: string | undefined) => boolean} test */
  const count = (test) => cells.filter((cell) => test(cell.job?.status)).length;
  const parts = [`${count((s) => s === "completed")} of ${cells.length} ready`];
  const running = count((s) => isRunning(s) || s === "waiting");
  const failed = count((s) => s === "failed");
  if (running) parts.push(`${running} running`);
  if (failed) parts.push(`${failed} failed`);
  return cells.length ? parts.join(" · ") : "No variants yet";
}

/** @param {View<{ error: ErrorState }>} ctx */
function mountProblem(ctx) {
  const box = problemBox("compare-error");
  ctx.watch(["error"], () => {
    /** @type {Partial<ErrorState>} */
    const error = ctx.get("error") || {};
    const visible = Boolean(error.kind || error.message);
    box.set(visible ? errorTitle(error.kind) : "", visible ? error.message || "" : "");
  });
  return { el: box.el };
}

/** @param {{ model: Model<CompareTraits>, el: HTMLElement }} props */
function render({ model, el }) {
  const ctx = createContext(model);
  const root = h("div", {
    class: "sora-widget sora-compare",
    attrs: { "data-testid": "sora-compare" },
  });
  keepKeysInWidget(ctx, root);

  const header = mountHeader(ctx, "Compare");
  const problem = mountProblem(ctx);
  const grid = h("div", {
    class: "sora-compare-grid",
    attrs: { tabindex: "0", role: "group", "aria-label": "Videos", "data-testid": "grid" },
  });
  /** @type {Map<string, ReturnType<typeof mountCell>>} cell key -> its view; only ever added */
  const views = new Map();
  // Each cell's video is asked of the kernel once; when one arrives, the grid is laid out again.
  const media = mediaStore(ctx, () => renderCells());
  /** @type {Cell[]} */
  let cells = [];
  /** @type {Ready[]} the finished cells, in order */
  let ready = [];

  const wipe = mountWipe(ctx);
  // The transport is built after the group it drives; the group reports through it.
  /** @type {ReturnType<typeof mountTransport> | null} */
  let transport = null;
  const group = new SyncGroup({
    onTick: (time, duration) => transport?.tick(time, duration),
    onEnded: () => ctx.set({ playing: false }),
    // Sound refused without a click: that cell plays muted and says so (wipe videos just mute).
    onRefused: (video) => {
      const view = [...views.values()].find((item) => item.video === video);
      if (view) view.sound.refuse();
      else video.muted = true;
    },
  });
  ctx.onDispose(() => group.destroy());
  transport = mountTransport(ctx, group, () => ready.length >= 2);

  root.append(header.el, problem.el, grid, wipe.el, transport.el, transport.hint);
  el.append(root);

  /**
   * A is the source, B the pick (or the next finished video).
   * @returns {[Ready | undefined, Ready | undefined]}
   */
  function wipePair() {
    const picked = ready.find((item) => item.videoId && item.videoId === ctx.get("picked"));
    const sourceKey = cells.find((cell) => cell.role === "source")?.key;
    const a =
      ready.find((item) => item.key === sourceKey && item !== picked) ??
      ready.find((item) => item !== picked);
    const b = picked && picked !== a ? picked : ready.find((item) => item !== a);
    return [a, b];
  }

  function arrange() {
    const wiping = Boolean(ctx.get("wipe")) && ready.length >= 2;
    show(wipe.el, wiping);
    show(grid, !wiping);
    const heard = ctx.get("heard");
    if (wiping) {
      const pair = wipePair();
      const [a, b] = pair; // two, as two videos are ready
      if (a && b) wipe.setPair(a, b);
      group.setMembers(wipe.videos);
      group.setLead(wipe.videos[pair.findIndex((item) => item?.key === heard)] ?? null);
    } else {
      group.setMembers(ready.map((item) => item.video));
      group.setLead(ready.find((item) => item.key === heard)?.video ?? null);
    }
    transport?.refresh();
    transport?.tick(group.time(), group.duration());
  }

  function renderCells() {
    cells = (ctx.get("cells") || []).filter((cell) => cell?.key);
    const byKey = new Map(cells.map((cell) => [cell.key, cell]));
    const source = cells.find((cell) => cell.role === "source") ?? null;
    /** @param {string} key */
    const labelOf = (key) => byKey.get(key)?.label ?? "";
    ready = [];
    cells.forEach((cell, index) => {
      let view = views.get(cell.key);
      if (!view) {
        view = mountCell(ctx, cell.key, media);
        views.set(cell.key, view);
      }
      if (grid.children[index] !== view.el)
        grid.insertBefore(view.el, grid.children[index] ?? null);
      const state = view.update(cell, source, labelOf);
      if (state.ready && state.url) {
        ready.push({
          key: cell.key,
          label: cell.label,
          url: state.url,
          videoId: cell.video_id,
          ratio: state.ratio,
          video: view.video,
          fps: cell.fps,
        });
      }
    });
    const rates = ready
      .map((item) => item.fps)
      .filter(/** @returns {fps is number} */ (fps) => fps !== null && fps > 0);
    group.setFps(rates.length ? Math.max(...rates) : DEFAULT_FPS);
    const columns = Number(ctx.get("columns")) || autoColumns(cells.length);
    grid.style.setProperty("--sora-columns", String(columns));
    root.dataset.count = String(cells.length);
    setText(header.summary, summaryText(cells));
    arrange();
  }

  ctx.watch(["rate"], () => group.setRate(Number(ctx.get("rate")) || 1));
  ctx.watch(["loop"], () => group.setLoop(Boolean(ctx.get("loop"))));
  ctx.watch(["cells", "columns", "heard", "volume", "enlarged", "picked"], renderCells);
  ctx.watch(["wipe"], arrange);
  ctx.watch(["playing", "rate", "loop"], () => {
    if (ctx.get("playing") && !group.playing) group.play();
    else if (!ctx.get("playing") && group.playing) group.pause();
    transport?.refresh();
  });

  ctx.listen(root, "keydown", transport.onKey);
  // Clicking a video gives the grid focus, so the keyboard shortcuts reach the widget.
  ctx.listen(grid, "pointerdown", (event) => {
    if (event.target instanceof HTMLVideoElement) grid.focus({ preventScroll: true });
  });

  return () => {
    ctx.dispose();
    root.remove();
  };
}

export default /** @satisfies {AnyWidget<CompareTraits>} */ ({ render });
