// @ts-check
// A plain-words error box (icon, heading, message) in an alert region: always in the document,
// so screen readers hear it when its text changes, and hidden while there is nothing to say.

import { h, setText, show } from "./dom.js";

/**
 * The box and `set(title, message)`; both empty hides it.
 * @param {string} testid
 */
export function problemBox(testid) {
  const heading = h("strong", { class: "sora-error-title" });
  const message = h("p", { class: "sora-error-message" });
  const el = h(
    "div",
    { class: "sora-error", attrs: { role: "alert", "data-testid": testid } },
    h("span", { class: "sora-error-icon", text: "!", attrs: { "aria-hidden": "true" } }),
    h("div", { class: "sora-error-body" }, heading, message),
  );
  /** @param {string} title @param {string} text */
  function set(title, text) {
    show(el, Boolean(title || text));
    setText(heading, title);
    setText(message, text);
  }
  set("", "");
  return { el, set };
}
