// @ts-check
// SoraWidget's front end: the anywidget entry point.
//
// render() may run several times for one model (several views): a view holds no state of its
// own beyond its DOM; every section re-reads the model when a trait it shows changes. render()
// returns the cleanup that removes listeners, clears timers and revokes object URLs.

import "./widget.css";
import { mountAdvanced } from "./advanced.js";
import { createContext } from "./context.js";
import { h } from "./dom.js";
import { mountForm } from "./form.js";
import { mountHeader } from "./header.js";
import { mountHistory } from "./history.js";
import { keepKeysInWidget } from "./lumino.js";
import { mountPlayer } from "./player.js";
import { mountReference } from "./reference.js";
import { mountRemix } from "./remix.js";
import { mountStatus } from "./status.js";

/**
 * @import { AnyWidget } from "@anywidget/types"
 * @import { Model, WidgetTraits } from "./traits.js"
 */

/** @param {{ model: Model<WidgetTraits>, el: HTMLElement }} props */
function render({ model, el }) {
  const ctx = createContext(model);
  const root = h("div", { class: "sora-widget", attrs: { "data-testid": "sora-widget" } });
  keepKeysInWidget(ctx, root);

  const header = mountHeader(ctx, "Sora");
  const form = mountForm(ctx);
  const reference = mountReference(ctx, root);
  const advanced = mountAdvanced(ctx, root);
  const status = mountStatus(ctx);
  const player = mountPlayer(ctx);
  const remix = mountRemix(ctx);
  const history = mountHistory(ctx);

  player.side.append(remix.el);
  form.actions.append(advanced.reuse);
  form.el.append(reference.el, advanced.el, form.actions);
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

export default /** @satisfies {AnyWidget<WidgetTraits>} */ ({ render });
