// @ts-check
// A word diff as DOM: <ins> and <del> around changed words, plain text for the rest.

import { h } from "./dom.js";

/** @import { Part } from "./diff.js" */

/** @param {Part[]} parts */
export function diffView(parts) {
  /** @type {Node[]} */
  const nodes = [];
  parts.forEach((part, i) => {
    if (i > 0) nodes.push(document.createTextNode(" "));
    if (part.op === "add") nodes.push(h("ins", { class: "sora-diff-add", text: part.text }));
    else if (part.op === "del") nodes.push(h("del", { class: "sora-diff-del", text: part.text }));
    else nodes.push(h("span", { class: "sora-diff-same", text: part.text }));
  });
  return nodes;
}
