// @ts-check
// The history strip: one thumbnail button per video made with this widget; clicking loads it.
// `history` is small JSON; each thumbnail is asked of the kernel once, by key (media.js).

import { attr, h, show } from "./dom.js";
import { historyLabel, statusLabel, truncate } from "./format.js";
import { mediaStore } from "./media.js";

/**
 * @import { Context } from "./context.js"
 * @import { HistoryItem, MediaTraits } from "./traits.js"
 */

/** @param {HistoryItem} entry */
const thumbKey = (entry) => (entry.thumbnail ? `thumbnail:${entry.id}` : "");

/** @param {Context<{ history: HistoryItem[], selected: string } & MediaTraits>} ctx */
export function mountHistory(ctx) {
  const headingId = ctx.id("history");
  const list = h("ul", { class: "sora-history-list", attrs: { "aria-labelledby": headingId } });
  const el = h(
    "div",
    { class: "sora-history", attrs: { "data-testid": "history" } },
    h("span", { class: "sora-label", text: "History", attrs: { id: headingId } }),
    list,
  );
  const media = mediaStore(ctx, (key) => {
    if (key.startsWith("thumbnail:")) render();
  });

  /** @param {HistoryItem} entry @param {string} selected */
  function item(entry, selected) {
    const url = media.url(thumbKey(entry));
    const status = entry.status || "";
    const button = h(
      "button",
      {
        class: "sora-thumb",
        attrs: {
          type: "button",
          "aria-label": historyLabel(entry),
          "aria-current": entry.id === selected ? "true" : null,
          title: truncate(entry.prompt || entry.id, 300),
          "data-id": entry.id,
          "data-status": status,
          "data-testid": "history-item",
        },
      },
      url
        ? h("img", { class: "sora-thumb-image", attrs: { src: url, alt: "", draggable: "false" } })
        : h("span", { class: "sora-thumb-empty", attrs: { "aria-hidden": "true" } }),
      status && status !== "completed"
        ? h("span", { class: "sora-thumb-status", text: statusLabel(status) })
        : null,
      entry.remixed_from
        ? h("span", { class: "sora-thumb-remix", text: "Remix", attrs: { "aria-hidden": "true" } })
        : null,
    );
    return h("li", { class: "sora-history-item" }, button);
  }

  function render() {
    const history = (ctx.get("history") || []).filter((entry) => entry?.id);
    const selected = ctx.get("selected") || "";
    const keys = history.map(thumbKey).filter(Boolean);
    media.keep("thumbnail", [...keys, selected && `thumbnail:${selected}`]); // the poster too
    media.want(keys);
    // Rebuilding is cheap; keep keyboard focus on the same video across the rebuild.
    const focused = document.activeElement;
    const focusedId =
      focused instanceof HTMLElement && list.contains(focused) ? focused.dataset.id : null;
    list.replaceChildren(...history.map((entry) => item(entry, selected)));
    if (focusedId) {
      const again = /** @type {HTMLElement | null} */ (
        list.querySelector(`[data-id="${CSS.escape(focusedId)}"]`)
      );
      again?.focus();
    }
    show(el, history.length > 0);
    attr(el, "data-count", history.length);
  }

  ctx.watch(["history", "selected"], render);
  ctx.listen(list, "click", (event) => {
    const target = event.target;
    const button = target instanceof Element ? target.closest(".sora-thumb") : null;
    if (button instanceof HTMLElement && list.contains(button))
      ctx.send("select", { id: button.dataset.id });
  });

  return { el };
}
