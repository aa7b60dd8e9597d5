// @ts-check
// A widget's title row: its name, an optional summary, and the backend badge ("Simulator", or
// the API's host), so people always know which server they are paying.

import { h, setText } from "./dom.js";
import { unsupportedSummary } from "./format.js";

/** @import { View } from "./context.js" */
/** @import { HeaderTraits } from "./traits.js" */

/**
 * The title row over either widget's traits; `summary` is for the widget to fill.
 * @param {View<HeaderTraits>} ctx
 * @param {string} title
 */
export function mountHeader(ctx, title) {
  const badge = h("span", { class: "sora-backend", attrs: { "data-testid": "backend" } });
  const summary = h("span", { class: "sora-summary", attrs: { "data-testid": "summary" } });
  const el = h(
    "div",
    { class: "sora-header" },
    h("span", { class: "sora-title", text: title }),
    summary,
    badge,
  );
  ctx.watch(["backend", "features"], () => {
    const backend = ctx.get("backend") || {};
    setText(badge, backend.label || "");
    // What this server cannot do, learned as it answered, under its address.
    const missing = unsupportedSummary(ctx.get("features"));
    badge.title = [backend.title || "", missing].filter(Boolean).join("\n");
    badge.dataset.limited = missing ? "true" : "false";
    badge.hidden = !backend.label;
    badge.dataset.kind = backend.label === "Simulator" ? "simulator" : "remote";
  });
  return { el, summary };
}
