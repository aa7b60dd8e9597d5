// SoraWidget's front end: the anywidget entry point.
//
// render() may run several times for one model (several views): a view holds no state of its
// own beyond its DOM; every section re-reads the model when a trait it shows changes. render()
// returns the cleanup that removes listeners, clears timers and revokes object URLs.

import "./widget.css";
import { createContext } from "./context.js";
import { h, setText } from "./dom.js";
import { mountForm } from "./form.js";
import { mountHistory } from "./history.js";
import { mountPlayer } from "./player.js";
import { mountReference } from "./reference.js";
import { mountRemix } from "./remix.js";
import { mountStatus } from "./status.js";

/** JupyterLab (Lumino) skips its keyboard shortcuts for events from elements marked with this. */
const SUPPRESS = "data-lm-suppress-shortcuts";

function mountHeader(ctx) {
  const badge = h("span", { class: "sora-backend", attrs: { "data-testid": "backend" } });
  const el = h(
    "div",
    { class: "sora-header" },
    h("span", { class: "sora-title", text: "Sora" }),
    badge,
  );
  ctx.watch(["backend"], () => {
    const backend = ctx.get("backend") || {};
    setText(badge, backend.label || "");
    badge.title = backend.title || "";
    badge.hidden = !backend.label;
    badge.dataset.kind = backend.label === "Simulator" ? "simulator" : "remote";
  });
  return { el };
}

function render({ model, el }) {
  const ctx = createContext(model);
  const root = h("div", {
    class: "sora-widget",
    attrs: {
      "data-testid": "sora-widget",
      // JupyterLab: keys typed inside the widget are for the widget, not notebook shortcuts
      [SUPPRESS]: "true",
    },
  });

  // Lumino matches the notebook's command-mode keys (a, b, d d, x, Shift+Enter…) against the
  // focused element itself before it looks at ancestors, so the marker must be on whatever takes
  // focus (buttons, selects, the video's controls), not only on the root.
  ctx.listen(root, "focusin", (event) => {
    const target = event.target;
    if (target instanceof Element && !target.hasAttribute(SUPPRESS)) target.setAttribute(SUPPRESS, "true");
  });

  const header = mountHeader(ctx);
  const form = mountForm(ctx);
  const reference = mountReference(ctx, root);
  const status = mountStatus(ctx);
  const player = mountPlayer(ctx);
  const remix = mountRemix(ctx);
  const history = mountHistory(ctx);

  player.side.append(remix.el);
  form.el.append(reference.el, form.actions);
  root.append(
    header.el,
    form.el,
    h("div", { class: "sora-output" }, status.el, player.el, history.el),
  );
  el.append(root);

  return () => {
    ctx.dispose();
    root.remove();
  };
}

export default { render };
