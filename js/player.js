// @ts-check
// The result: a <video> played from the MP4 bytes (object URL, poster from the thumbnail), a scrub
// strip under it that previews spritesheet tiles on hover and seeks on click or arrow keys, and
// the sound control (sound.js: muted and volume are traits, so every view agrees), and Download +
// the file's path in the local library. The bytes are those of `selected`, asked of the kernel by
// key (media.js).

import { attr, h, ICONS, icon, setText, show } from "./dom.js";
import { formatClock, safeFilename } from "./format.js";
import { mediaStore } from "./media.js";
import { mountSound } from "./sound.js";
import { clamp, fractionAt, tileStyle, validSprite } from "./sprite.js";

const PREVIEW_BOX = 160; // longest side of the hover preview, in CSS pixels

/**
 * @import { Context } from "./context.js"
 * @import { WidgetTraits } from "./traits.js"
 */

/** @param {Context<WidgetTraits>} ctx */
export function mountPlayer(ctx) {
  const video = h("video", {
    class: "sora-video",
    attrs: {
      controls: true,
      loop: true,
      muted: true,
      autoplay: true,
      playsinline: true,
      preload: "auto",
      "data-testid": "video",
    },
  });
  video.muted = true; // the attribute sets the default; autoplay needs the property too

  const played = h("div", { class: "sora-scrub-played" });
  const marker = h("div", { class: "sora-scrub-marker" });
  const tile = h("div", { class: "sora-preview-tile" });
  const tileTime = h("span", { class: "sora-preview-time" });
  const preview = h(
    "div",
    { class: "sora-preview", attrs: { "aria-hidden": "true", "data-testid": "sprite-preview" } },
    tile,
    tileTime,
  );
  const scrub = h(
    "div",
    {
      class: "sora-scrub",
      attrs: {
        role: "slider",
        tabindex: "0",
        "aria-label": "Seek",
        "aria-valuemin": "0",
        "aria-valuemax": "0",
        "aria-valuenow": "0",
        "data-testid": "scrub",
      },
    },
    h("div", { class: "sora-scrub-track" }, played, marker),
  );
  const sound = mountSound(ctx, {
    video,
    wanted: () => !ctx.get("muted"),
    want: (on) => ctx.set({ muted: !on }),
    codec: () => ctx.get("audio") ?? null,
  });
  const figure = h("figure", { class: "sora-player" }, video, scrub, sound.el, preview);

  const download = h(
    "a",
    { class: "sora-btn sora-btn--primary", attrs: { "data-testid": "download" } },
    icon(ICONS.download, 16),
    h("span", { text: "Download" }),
  );
  const path = h("code", { class: "sora-path", attrs: { "data-testid": "video-path" } });
  const pathRow = h(
    "div",
    { class: "sora-path-row" },
    h("span", { class: "sora-muted", text: "Saved to" }),
    path,
  );
  const side = h(
    "div",
    { class: "sora-side" },
    h("div", { class: "sora-download-row" }, download),
    pathRow,
  );
  const el = h("div", { class: "sora-result", attrs: { "data-testid": "result" } }, figure, side);

  const media = mediaStore(ctx, (key) => {
    const id = ctx.get("selected") || "";
    if (key === `video:${id}`) renderVideo();
    else if (key === `thumbnail:${id}`) renderPoster();
    else if (key === `spritesheet:${id}`) renderSprite();
  });
  // Registered after the store, so it runs before it: the decoder lets go before URLs go.
  ctx.onDispose(() => {
    video.pause();
    video.removeAttribute("src");
    video.removeAttribute("poster");
    video.load();
  });
  /** @param {string} kind */
  const keyOf = (kind) => (ctx.get("selected") ? `${kind}:${ctx.get("selected")}` : "");

  /** @param {number} width @param {number} height */
  function setRatio(width, height) {
    if (width > 0 && height > 0) {
      figure.style.setProperty("--sora-ratio", String(width / height));
      figure.classList.toggle("is-portrait", height > width);
    }
  }

  function duration() {
    if (Number.isFinite(video.duration) && video.duration > 0) return video.duration;
    const seconds = Number(ctx.get("sprite")?.seconds);
    return Number.isFinite(seconds) && seconds > 0 ? seconds : 0;
  }

  function currentId() {
    return ctx.get("selected") || ctx.get("job")?.id || "";
  }

  function renderVideo() {
    const key = keyOf("video");
    media.keep("video", [key]); // one video at a time in memory
    media.want([key]);
    const url = media.url(key);
    if (url && video.getAttribute("src") !== url) {
      video.src = url;
      sound.play(); // autoplay with sound may be refused: then it plays muted and says why
    } else if (!url && video.hasAttribute("src")) {
      video.pause();
      video.removeAttribute("src");
      video.load();
    }
    if (url) download.href = url;
    else download.removeAttribute("href");
    download.setAttribute("download", `${safeFilename(currentId())}.mp4`);
    show(el, Boolean(url));
    el.dataset.state = url ? "ready" : "empty";
  }

  function renderPoster() {
    const key = keyOf("thumbnail");
    media.want([key]);
    const url = media.url(key);
    if (url) video.poster = url;
    else video.removeAttribute("poster");
  }

  function renderSprite() {
    const sprite = ctx.get("sprite");
    const key = validSprite(sprite) ? keyOf("spritesheet") : "";
    media.keep("spritesheet", [key]);
    media.want([key]);
    const url = media.url(key);
    const usable = Boolean(url) && validSprite(sprite);
    tile.style.backgroundImage = usable ? `url("${url}")` : "";
    show(tile, usable);
    if (validSprite(sprite) && !(video.videoWidth > 0))
      setRatio(sprite.tile_width, sprite.tile_height);
  }

  function renderPath() {
    const value = ctx.get("video_path") || "";
    setText(path, value);
    path.title = value;
    show(pathRow, Boolean(value));
  }

  function renderPosition() {
    const total = duration();
    const now = Number.isFinite(video.currentTime) ? video.currentTime : 0;
    played.style.width = total ? `${clamp(now / total, 0, 1) * 100}%` : "0%";
    attr(scrub, "aria-valuemax", Math.round(total * 10) / 10);
    attr(scrub, "aria-valuenow", Math.round(now * 10) / 10);
    attr(scrub, "aria-valuetext", `${formatClock(now)} of ${formatClock(total)}`);
  }

  /** @param {number} fraction */
  function showPreview(fraction) {
    const total = duration();
    const style = tileStyle(fraction, ctx.get("sprite"), PREVIEW_BOX);
    if (style && !tile.hidden) Object.assign(tile.style, style);
    setText(tileTime, formatClock(fraction * total));
    marker.style.left = `${fraction * 100}%`;
    // Keep the box inside the player: its centre follows the pointer, clamped at the edges.
    const stripWidth = scrub.clientWidth;
    const boxWidth = preview.offsetWidth || (style ? Number.parseFloat(style.width) : 60);
    const x = clamp(
      fraction * stripWidth,
      boxWidth / 2,
      Math.max(boxWidth / 2, stripWidth - boxWidth / 2),
    );
    preview.style.left = `${scrub.offsetLeft + x}px`;
    preview.style.bottom = `${figure.clientHeight - scrub.offsetTop + 6}px`;
    figure.classList.add("is-previewing");
  }

  function hidePreview() {
    figure.classList.remove("is-previewing");
  }

  /** @param {number} fraction */
  function seekTo(fraction) {
    const total = duration();
    if (!total) return;
    video.currentTime = clamp(fraction, 0, 1) * Math.max(0, total - 0.001);
    renderPosition();
  }

  ctx.watch(["selected", "job"], renderVideo);
  ctx.watch(["selected"], renderPoster);
  ctx.watch(["selected", "sprite"], renderSprite);
  ctx.watch(["video_path"], renderPath);
  ctx.watch(["muted", "volume", "audio"], sound.apply);

  ctx.listen(video, "loadedmetadata", () => {
    setRatio(video.videoWidth, video.videoHeight);
    renderPosition();
  });
  ctx.listen(video, "timeupdate", renderPosition);
  ctx.listen(video, "durationchange", renderPosition);

  ctx.listen(scrub, "pointermove", (event) =>
    showPreview(fractionAt(event.clientX, scrub.getBoundingClientRect())),
  );
  ctx.listen(scrub, "pointerleave", hidePreview);
  ctx.listen(scrub, "pointerdown", (event) => {
    if (event.button !== 0) return;
    event.preventDefault(); // keep focus styling tidy; focus() below gives keyboard users a start
    scrub.focus({ preventScroll: true });
    seekTo(fractionAt(event.clientX, scrub.getBoundingClientRect()));
  });
  ctx.listen(scrub, "keydown", (event) => {
    const total = duration();
    if (!total) return;
    const step = event.shiftKey ? 5 : 1;
    const now = video.currentTime || 0;
    /** @type {Record<string, number | undefined>} */
    const targets = {
      ArrowLeft: now - step,
      ArrowDown: now - step,
      ArrowRight: now + step,
      ArrowUp: now + step,
      PageDown: now - 5,
      PageUp: now + 5,
      Home: 0,
      End: total,
    };
    const target = targets[event.key];
    if (!(event.key in targets) || target === undefined) return;
    event.preventDefault();
    const fraction = clamp(target / total, 0, 1);
    seekTo(fraction);
    showPreview(fraction);
  });
  ctx.listen(scrub, "blur", hidePreview);

  return { el, side, figure };
}
