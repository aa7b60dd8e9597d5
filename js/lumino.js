// @ts-check
// Keys typed inside a widget are for the widget, not for JupyterLab's notebook shortcuts.

/** @import { View } from "./context.js" */

/** JupyterLab (Lumino) skips its keyboard shortcuts for events from elements marked with this. */
export const SUPPRESS = "data-lm-suppress-shortcuts";

/**
 * Lumino matches command-mode keys (a, b, d d, x, Shift+Enter…) against the focused element
 * itself before it looks at ancestors, so the marker goes on the root and on whatever takes focus
 * inside it (buttons, selects, the videos' controls).
 * @param {Pick<View<{}>, "listen">} ctx
 * @param {Element} root
 */
export function keepKeysInWidget(ctx, root) {
  root.setAttribute(SUPPRESS, "true");
  ctx.listen(root, "focusin", (event) => {
    const target = event.target;
    if (target instanceof Element && !target.hasAttribute(SUPPRESS))
      target.setAttribute(SUPPRESS, "true");
  });
}
