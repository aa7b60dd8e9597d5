// @ts-check
// The Storyboard's film: a <video> of the stitched MP4 (asked of the kernel as "film:<title>"),
// a timeline under it with a mark at each shot's start (a click seeks there), Download MP4, and
// Save HTML: the standalone page `Storyboard.save_html` writes, asked of the kernel as
// "page:<title>" only when pressed (it holds the whole film), then downloaded from its blob URL.
// It reports which shot is playing, so the storyboard can highlight that shot's card: none while
// the film waits at 0:00 unplayed, then the shot at the playhead from the first play or seek on
// (storyboard_model.playingIndex).

import { attr, h, ICONS, icon, setText, show } from "./dom.js";
import { aspectRatio, formatClock, safeFilename } from "./format.js";
import { pageDownload, playingIndex, seamLabel, seamPercents } from "./storyboard_model.js";

/** The title of the kernel's error when it cannot build the page (storyboard.py PAGE_ERROR). */
const PAGE_ERROR = "Save HTML";

/**
 * @import { Context } from "./context.js"
 * @import { MediaStore } from "./media.js"
 * @import { Film, StoryboardTraits } from "./traits.js"
 */

/**
 * `onCurrent(key)` hears the key of the shot playing (null without a film); the storyboard passes
 * each "page:" delivery on to `pageArrived`.
 * @param {Context<StoryboardTraits>} ctx
 * @param {MediaStore} store
 * @param {(key: string | null) => void} onCurrent
 */
export function mountFilm(ctx, store, onCurrent) {
  const video = h("video", {
    class: "sora-video sora-film-video",
    attrs: {
      controls: true,
      playsinline: true,
      preload: "auto",
      "aria-label": "Film",
      "data-testid": "film-video",
    },
  });
  const played = h("div", { class: "sora-film-played", attrs: { "aria-hidden": "true" } });
  const timeline = h(
    "div",
    {
      class: "sora-film-timeline",
      attrs: { role: "group", "aria-label": "Shots in the film", "data-testid": "film-timeline" },
    },
    h("div", { class: "sora-film-track", attrs: { "aria-hidden": "true" } }, played),
  );
  const meta = h("span", { class: "sora-muted", attrs: { "data-testid": "film-meta" } });
  const download = h(
    "a",
    { class: "sora-btn sora-btn--primary", attrs: { "data-testid": "download-film" } },
    icon(ICONS.download, 16),
    h("span", { text: "Download MP4" }),
  );
  const saveLabel = h("span", { text: "Save HTML" });
  const saveHtml = h(
    "button",
    { class: "sora-btn", attrs: { type: "button", "data-testid": "save-html" } },
    icon(ICONS.download, 16),
    saveLabel,
  );
  const figure = h("figure", { class: "sora-player sora-film-player" }, video, timeline);
  const el = h(
    "section",
    { class: "sora-film", attrs: { "aria-label": "Film", "data-testid": "film" } },
    figure,
    h("div", { class: "sora-film-actions" }, download, saveHtml, meta),
  );
  /** @type {HTMLButtonElement[]} one per shot start, by index */
  const marks = [];
  /** @type {string | undefined} the film shown, as a signature; undefined before the first */
  let shownFilm;
  /** Whether the film loaded now has been played or sought: only then is a shot playing. */
  let watched = false;
  /** @type {string | null} the page this view's Save HTML asked for, until it comes or fails */
  let pagePending = null;

  // Registered after the store, so it runs first: the decoder lets go before the URL goes.
  ctx.onDispose(() => {
    video.pause();
    video.removeAttribute("src");
    video.load();
  });

  /** @returns {Film | null} */
  function film() {
    const value = ctx.get("film");
    return value?.media ? value : null;
  }

  function detach() {
    watched = false;
    if (!video.hasAttribute("src")) return;
    video.pause();
    video.removeAttribute("src");
    video.load();
  }

  /** The shot under the playhead, to the marks and to whoever listens. */
  function report() {
    const current = film();
    const playing = current && video.hasAttribute("src") ? current : null;
    const index = playing ? playingIndex(playing.starts, video.currentTime || 0, watched) : -1;
    marks.forEach((mark, i) => {
      mark.classList.toggle("is-current", i === index);
    });
    const duration = playing?.duration || video.duration;
    played.style.width =
      playing && duration > 0 ? `${Math.min(100, (video.currentTime / duration) * 100)}%` : "0%";
    // The kernel sends a film only while it is of the shots as they are: part i is card i.
    onCurrent((playing && ctx.get("shots")?.[index]?.key) || null);
  }

  /** @param {Film} current */
  function renderMarks(current) {
    const shots = ctx.get("shots") || [];
    const percents = seamPercents(current.starts, current.duration);
    while (marks.length > percents.length) marks.pop()?.remove();
    percents.forEach((percent, index) => {
      let mark = marks[index];
      if (!mark) {
        mark = h("button", {
          class: "sora-film-seam",
          attrs: { type: "button", "data-index": index, "data-testid": "seam-mark" },
        });
        marks.push(mark);
        timeline.append(mark);
      }
      const label = seamLabel(index, shots[index]?.prompt);
      attr(mark, "aria-label", label);
      mark.title = label;
      mark.style.left = `${percent}%`;
    });
  }

  function render() {
    const current = film();
    const signature = current ? JSON.stringify(current) : "";
    if (shownFilm !== undefined && signature !== shownFilm) {
      // A new film under the same key (re-stitched): let go of the old bytes and ask again.
      detach();
      store.keep("film", []);
    }
    shownFilm = signature;
    const key = current?.media ?? "";
    store.keep("film", [key]);
    if (key) store.want([key]);
    const url = store.url(key);
    if (url && video.getAttribute("src") !== url) video.src = url;
    else if (!url) detach();
    if (url) download.href = url;
    else download.removeAttribute("href");
    download.setAttribute("download", `${safeFilename(ctx.get("title"), "film")}.mp4`);
    if (current) {
      figure.style.setProperty("--sora-ratio", String(aspectRatio(current.size)));
      renderMarks(current);
    } else while (marks.length) marks.pop()?.remove();
    setText(
      meta,
      current
        ? [formatClock(current.duration), current.size, current.fps && `${current.fps} fps`]
            .filter(Boolean)
            .join(" · ")
        : "",
    );
    show(el, Boolean(current));
    el.dataset.state = url ? "ready" : "loading";
    report();
  }

  ctx.listen(timeline, "click", (event) => {
    const mark = event.target instanceof Element ? event.target.closest(".sora-film-seam") : null;
    const current = film();
    if (!(mark instanceof HTMLElement) || !current) return;
    const start = current.starts[Number(mark.dataset.index)];
    if (start === undefined) return;
    watched = true;
    video.currentTime = start;
    report();
  });
  for (const type of /** @type {const} */ (["play", "seeking"]))
    ctx.listen(video, type, () => {
      watched = true;
      report();
    });
  ctx.listen(video, "emptied", () => {
    watched = false;
    report();
  });
  for (const type of /** @type {const} */ (["timeupdate", "seeked", "loadedmetadata"]))
    ctx.listen(video, type, report);

  function renderSave() {
    saveHtml.setAttribute("aria-busy", String(pagePending !== null));
    setText(saveLabel, pagePending ? "Preparing HTML…" : "Save HTML");
  }

  ctx.listen(saveHtml, "click", () => {
    if (pagePending) return;
    const { key } = pageDownload(ctx.get("title"));
    store.keep("page", []); // a page saved before may be of an older film: build it again
    pagePending = key;
    renderSave();
    store.want([key]);
  });

  /** @param {string} key */
  function pageArrived(key) {
    const url = store.url(key);
    if (key !== pagePending || !url) return;
    pagePending = null;
    renderSave();
    const link = h("a", {
      attrs: { href: url, download: pageDownload(ctx.get("title")).filename, hidden: true },
    });
    el.append(link); // some browsers follow only a link in the document
    link.click();
    link.remove();
  }

  ctx.watch(["error"], () => {
    if (pagePending && ctx.get("error")?.title === PAGE_ERROR) {
      store.giveUp(pagePending);
      pagePending = null;
      renderSave();
    }
  });

  return { el, render, report, pageArrived };
}
