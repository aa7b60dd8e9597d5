// @ts-check
// The Remix box under a completed video: the remix prompt (prefilled by the kernel), a word diff
// against the source video's prompt, the Remix button, and Extend (or Continue, on a server
// without the extensions route), which continues the video with the same prompt.

import { fieldMessage } from "./context.js";
import { hasChanges, wordDiff } from "./diff.js";
import { diffView } from "./diffview.js";
import { attr, h, isSubmitKey, setText, show } from "./dom.js";
import { unsupportedReason } from "./format.js";

/**
 * @import { Context } from "./context.js"
 * @import { WidgetTraits } from "./traits.js"
 */

/** @param {Context<WidgetTraits>} ctx */
export function mountRemix(ctx) {
  const textId = ctx.id("remix");
  const messageId = ctx.id("remix-message");
  const diffId = ctx.id("remix-diff");

  const text = h("textarea", {
    class: "sora-textarea sora-remix-prompt",
    attrs: {
      id: textId,
      rows: 3,
      "data-testid": "remix-prompt",
      placeholder: "What should change?",
    },
  });
  const button = h("button", {
    class: "sora-btn sora-btn--primary",
    text: "Remix",
    attrs: { type: "button", "data-testid": "remix" },
  });
  const extend = h("button", {
    class: "sora-btn",
    text: "Extend",
    attrs: { type: "button", "data-testid": "extend" },
  });
  const message = h("p", {
    class: "sora-field-message",
    attrs: { id: messageId, "data-testid": "remix-message" },
  });
  const diff = h("p", {
    class: "sora-diff",
    attrs: { id: diffId, "data-testid": "remix-diff" },
  });
  const el = h(
    "div",
    { class: "sora-remix", attrs: { "data-testid": "remix-box" } },
    h("label", { class: "sora-label", text: "Remix prompt", attrs: { for: textId } }),
    text,
    diff,
    message,
    h("div", { class: "sora-remix-actions" }, button, extend),
  );

  function sourcePrompt() {
    const id = ctx.get("selected") || ctx.get("job")?.id;
    const item = (ctx.get("history") || []).find((entry) => entry && entry.id === id);
    return item?.prompt ?? ctx.get("prompt") ?? "";
  }

  function render() {
    const value = ctx.get("remix_prompt") ?? "";
    if (text.value !== value) text.value = value;
    renderDiff();
    renderState();
  }

  function renderDiff() {
    const parts = wordDiff(sourcePrompt(), text.value);
    const changed = hasChanges(parts) && text.value.trim() !== "";
    diff.replaceChildren(...(changed ? diffView(parts) : []));
    show(diff, changed);
  }

  function renderState() {
    const problem = fieldMessage(ctx, "remix_prompt");
    setText(message, problem);
    show(message, Boolean(problem));
    attr(text, "aria-invalid", problem ? "true" : null);
    const described = [problem ? messageId : "", diff.hidden ? "" : diffId]
      .filter(Boolean)
      .join(" ");
    attr(text, "aria-describedby", described || null);
    // A server without the remix endpoint: the button stays (same name), disabled, saying why.
    const missing = unsupportedReason(ctx.get("features"), "remix");
    button.disabled = Boolean(missing) || !text.value.trim() || Boolean(problem);
    button.dataset.unsupported = missing ? "true" : "false";
    attr(
      button,
      "title",
      missing || problem || (!text.value.trim() ? "Describe what should change first" : null),
    );
  }

  function renderExtend() {
    const state = ctx.get("extending") || {};
    const empty = !text.value.trim();
    setText(extend, state.label || "Extend");
    extend.dataset.route = state.route || "";
    extend.disabled = Boolean(state.reason) || empty;
    attr(
      extend,
      "title",
      state.reason || (empty ? "Describe what happens next first" : state.title || null),
    );
  }

  function remix() {
    if (button.disabled) return;
    ctx.send("remix");
  }

  ctx.watch(["remix_prompt"], render);
  ctx.watch(["history", "selected", "job", "prompt"], renderDiff);
  ctx.watch(["problems", "error", "features"], renderState);
  ctx.watch(["extending", "remix_prompt"], renderExtend);

  ctx.listen(text, "input", () => {
    ctx.set({ remix_prompt: text.value });
    renderDiff();
    renderState();
    renderExtend();
  });
  ctx.listen(text, "keydown", (event) => {
    if (!isSubmitKey(event)) return;
    event.preventDefault();
    event.stopPropagation();
    remix();
  });
  ctx.listen(button, "click", remix);
  ctx.listen(extend, "click", () => {
    if (!extend.disabled) ctx.send("extend");
  });

  return { el };
}
