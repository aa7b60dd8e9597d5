// @ts-check
// One cell of a comparison: its name, lineage and settings, its own status line (the SoraWidget's
// status section, reading this cell's job and error), its video once the bytes arrive, its prompt
// with the words that differ from the source's marked, and Unmute / Enlarge / Pick (one cell is
// heard at a time: the `heard` trait names it).
import { hasChanges, wordDiff } from "./diff.js";
import { diffView } from "./diffview.js";
import { attr, h, setText, show } from "./dom.js";
import { aspectRatio, truncate } from "./format.js";
import { mountSound, nextHeard } from "./sound.js";
import { mountStatus } from "./status.js";

/**
 * @import { Context, View } from "./context.js"
 * @import { MediaStore } from "./media.js"
 * @import { Cell, CompareTraits } from "./traits.js"
 */

/**
 * The view's context narrowed to one cell: `get("job")` reads this cell's job, `send` names the
 * cell, and `watch` fires only when the named fields of this cell change (the `cells` trait
 * changes whenever any cell moves, and the ETA countdown restarts on every call). It only reads:
 * a cell's fields are not traits.
 * @param {Context<CompareTraits>} ctx
 * @param {string} key
 * @returns {Omit<View<Cell>, "set">}
 */
export function cellContext(ctx, key) {
  // Cells are only ever added: the key's cell is there from the view's first render on.
  const cell = () =>
    /** @type {Cell} */ ((ctx.get("cells") || []).find((item) => item && item.key === key) || {});
  return {
    ...ctx,
    get: (name) => cell()[name],
    send: (action, extra = {}) => ctx.send(action, { ...extra, key }),
    watch(names, fn) {
      /** @type {string | undefined} */
      let last;
      ctx.watch(["cells"], () => {
        const now = JSON.stringify(names.map((name) => cell()[name] ?? null));
        if (now === last) return;
        last = now;
        fn();
      });
    },
  };
}

/** @param {string} text @param {string} testid */
function toggleButton(text, testid) {
  return h("button", {
    class: "sora-btn sora-btn--small sora-cell-toggle",
    text,
    attrs: { type: "button", "aria-pressed": "false", "data-testid": testid },
  });
}

/**
 * `store`: the comparison's MediaStore (media.js), where the cell's video arrives.
 * @param {Context<CompareTraits>} ctx
 * @param {string} key
 * @param {MediaStore} store
 */
export function mountCell(ctx, key, store) {
  const labelId = ctx.id(`cell-${key}`);
  const star = h("span", {
    class: "sora-cell-star",
    text: "★ Source",
    attrs: { "data-testid": "source-mark" },
  });
  const label = h("strong", {
    class: "sora-cell-label",
    attrs: { id: labelId, "data-testid": "cell-label" },
  });
  const lineage = h("span", { class: "sora-cell-lineage", attrs: { "data-testid": "lineage" } });
  const meta = h("span", { class: "sora-cell-meta" });
  const video = h("video", {
    class: "sora-cell-video",
    attrs: {
      muted: true,
      loop: true,
      playsinline: true,
      preload: "auto",
      "data-testid": "cell-video",
    },
  });
  video.muted = true;
  const placeholder = h("div", {
    class: "sora-cell-placeholder",
    attrs: { "aria-hidden": "true" },
  });
  const media = h("div", { class: "sora-cell-media" }, video, placeholder);
  const own = cellContext(ctx, key);
  const statusLine = mountStatus(own);
  const prompt = h("p", {
    class: "sora-diff sora-cell-prompt",
    attrs: { "data-testid": "cell-prompt" },
  });
  const sound = mountSound(ctx, {
    video,
    wanted: () => ctx.get("heard") === key,
    want: (on) => ctx.set({ heard: on ? key : nextHeard(ctx.get("heard"), key) }),
    codec: () => own.get("audio") ?? null,
    slider: false, // one Volume for the comparison, in the transport bar
  });
  const enlarge = toggleButton("Enlarge", "enlarge");
  const pick = toggleButton("☆ Pick", "pick");
  attr(pick, "aria-label", "Pick as favourite");
  const el = h(
    "section",
    {
      class: "sora-cell",
      attrs: { role: "group", "aria-labelledby": labelId, "data-key": key, "data-testid": "cell" },
    },
    h("div", { class: "sora-cell-head" }, star, label, lineage, meta),
    media,
    statusLine.el,
    prompt,
    h("div", { class: "sora-cell-actions" }, sound.button, enlarge, pick),
    sound.note,
  );

  /** @type {string | null} */
  let shownPrompt = null;
  ctx.onDispose(() => {
    video.pause();
    video.removeAttribute("src");
    video.load(); // let go of the decoder before the store revokes the URL
  });

  /** @param {Cell} cell @param {Cell | null} source */
  function renderPrompt(cell, source) {
    const base = source && source.key !== cell.key ? source.prompt : null;
    const signature = JSON.stringify([cell.prompt, base]);
    if (signature === shownPrompt) return;
    shownPrompt = signature;
    const parts = base === null ? [] : wordDiff(base, cell.prompt);
    if (base !== null && hasChanges(parts)) {
      prompt.replaceChildren(...diffView(parts));
      prompt.title = "Changes from the source's prompt are marked";
    } else {
      prompt.replaceChildren(cell.prompt || "");
      prompt.removeAttribute("title");
    }
  }

  /**
   * Bring the cell up to date; `labelOf(key)` names another cell (for the lineage).
   * @param {Cell} cell
   * @param {Cell | null} source
   * @param {(key: string) => string} labelOf
   */
  function update(cell, source, labelOf) {
    const status = cell.job?.status || "waiting";
    el.dataset.status = status;
    el.dataset.role = cell.role;
    show(star, cell.role === "source");
    setText(label, cell.label);
    const origin = cell.remix_of ? labelOf(cell.remix_of) : "";
    const lineageText = origin
      ? `remix of ${cell.remix_of === source?.key ? "★ " : ""}${origin}`
      : cell.remixed_from
        ? `remix of ${truncate(cell.remixed_from, 28)}`
        : "";
    setText(lineage, lineageText);
    show(lineage, Boolean(lineageText));
    setText(
      meta,
      [cell.model, cell.size, cell.seconds && `${cell.seconds} s`].filter(Boolean).join(" · "),
    );
    renderPrompt(cell, source);

    if (cell.media) store.want([cell.media]);
    const url = store.url(cell.media);
    if (url && video.getAttribute("src") !== url) video.src = url;
    const ratio = aspectRatio(cell.size);
    media.style.setProperty("--sora-ratio", String(ratio));
    show(video, Boolean(url));
    show(placeholder, !url);
    setText(placeholder, url ? "" : status === "waiting" ? "Waits for its source" : "");

    sound.apply();
    const enlarged = ctx.get("enlarged") === cell.key;
    attr(enlarge, "aria-pressed", String(enlarged));
    el.classList.toggle("is-enlarged", enlarged);
    const picked = Boolean(cell.video_id) && ctx.get("picked") === cell.video_id;
    attr(pick, "aria-pressed", String(picked));
    setText(pick, picked ? "★ Picked" : "☆ Pick");
    pick.disabled = !url;
    el.classList.toggle("is-picked", picked);
    enlarge.disabled = !url;
    return { ready: Boolean(url), url, ratio };
  }

  ctx.listen(enlarge, "click", () => ctx.set({ enlarged: ctx.get("enlarged") === key ? "" : key }));
  ctx.listen(pick, "click", () => {
    const id = (ctx.get("cells") || []).find((item) => item.key === key)?.video_id ?? null;
    ctx.set({ picked: ctx.get("picked") === id ? null : id });
  });

  return { el, video, update, sound };
}
