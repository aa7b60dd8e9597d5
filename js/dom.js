// @ts-check
// Tiny DOM helpers. Text only ever goes in through textContent: nothing from a trait is parsed
// as HTML anywhere in this widget.

/**
 * h("button", {class: "x", text: "Go", attrs: {type: "button"}, on: {click}}, ...children)
 * `text` sets textContent; children are nodes (strings become text nodes); falsy ones are skipped.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {Child[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = String(props.text);
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const [type, handler] of Object.entries(props.on ?? {})) el.addEventListener(type, handler);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

/**
 * @typedef {object} Props
 * @property {string} [class]
 * @property {unknown} [text]
 * @property {Record<string, string | number | boolean | null | undefined>} [attrs]
 * @property {Record<string, EventListener>} [on]
 * @typedef {Node | string | null | undefined | false} Child
 */

/**
 * Set textContent only when it changes (keeps aria-live regions quiet).
 * @param {Node} el
 * @param {unknown} text
 */
export function setText(el, text) {
  const value = String(text ?? "");
  if (el.textContent !== value) el.textContent = value;
}

/** Show or hide with the `hidden` attribute. @param {HTMLElement} el @param {boolean} visible */
export function show(el, visible) {
  el.hidden = !visible;
}

/**
 * Set or remove an attribute (false/null/undefined removes).
 * @param {Element} el
 * @param {string} name
 * @param {string | number | boolean | null | undefined} value
 */
export function attr(el, name, value) {
  if (value === false || value === null || value === undefined) el.removeAttribute(name);
  else if (el.getAttribute(name) !== String(value)) el.setAttribute(name, String(value));
}

/**
 * The focused element as seen from `node`: inside a shadow root (marimo renders widgets in one)
 * `document.activeElement` is only the host.
 * @param {Node} node
 */
export function activeElementOf(node) {
  const root = node.getRootNode();
  return root instanceof ShadowRoot ? root.activeElement : document.activeElement;
}

export const IS_MAC =
  typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || "");
/** The modifier shown in keyboard hints. */
export const ACCEL = IS_MAC ? "⌘" : "Ctrl";

/** Ctrl/Cmd+Enter (not while composing with an input method). @param {KeyboardEvent} event */
export function isSubmitKey(event) {
  return event.key === "Enter" && (event.ctrlKey || event.metaKey) && !event.isComposing;
}

let sequence = 0;

/** A document-unique id prefix for one view, so labels and aria-* references never collide. */
export function uniqueId(prefix = "sora") {
  sequence += 1;
  return `${prefix}-${sequence}-${Math.random().toString(36).slice(2, 7)}`;
}

const SVG = "http://www.w3.org/2000/svg";

/**
 * A small decorative stroke icon from path data (built with DOM calls, not markup).
 * @param {string[]} paths
 */
export function icon(paths, size = 16) {
  const svg = document.createElementNS(SVG, "svg");
  for (const [name, value] of Object.entries({
    width: size,
    height: size,
    viewBox: "0 0 24 24",
    fill: "none",
    stroke: "currentColor",
    "stroke-width": "1.8",
    "stroke-linecap": "round",
    "stroke-linejoin": "round",
    "aria-hidden": "true",
    focusable: "false",
    class: "sora-icon",
  })) {
    svg.setAttribute(name, String(value));
  }
  for (const d of paths) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** Icon path data. */
export const ICONS = {
  image: ["M4 5h16v14H4z", "M4 16l5-5 4 4 3-3 4 4", "M15 9.5a1.5 1.5 0 1 0 0-.01"],
  download: ["M12 4v11", "M7 10l5 5 5-5", "M5 20h14"],
};
