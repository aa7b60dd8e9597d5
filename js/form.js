// @ts-check
// The request form: Prompt (with its character count), Model / Size / Duration, the cost
// estimate, and Generate with the reason it is disabled.

import { fieldMessage } from "./context.js";
import { ACCEL, attr, h, IS_MAC, isSubmitKey, setText, show } from "./dom.js";
import { charCount, formatCost, formatCount, problemList, secondsLabel } from "./format.js";

/** The Model menu's last entry: type a name the menu does not list (never a model name). */
const OTHER = "\u0000other";

/** Problems about these fields do not block Generate (they belong to the Remix box). */
const NOT_FOR_GENERATE = new Set(["remix_prompt"]);

/**
 * @import { Context, View } from "./context.js"
 * @import { Options, WidgetTraits } from "./traits.js"
 * @typedef {{ value: string, label: string, disabled: boolean }} Choice
 */

/** @param {View<{}>} ctx @param {string} name @param {string} label @param {string} testid */
function select(ctx, name, label, testid) {
  const id = ctx.id(name);
  const el = h("select", { class: "sora-select", attrs: { id, "data-testid": testid } });
  const field = h(
    "div",
    { class: `sora-field sora-field--${name}` },
    h("label", { class: "sora-label", text: label, attrs: { for: id } }),
    el,
  );
  return { field, el };
}

/**
 * Replace a select's options when they differ.
 * @param {HTMLSelectElement} el
 * @param {Choice[]} options
 * @param {string} value
 */
function setOptions(el, options, value) {
  const same =
    el.options.length === options.length &&
    options.every((o, i) => {
      const opt = el.options[i];
      return opt.value === o.value && opt.textContent === o.label && opt.disabled === o.disabled;
    });
  if (!same) {
    el.replaceChildren(
      ...options.map((o) =>
        h("option", { text: o.label, attrs: { value: o.value, disabled: o.disabled } }),
      ),
    );
  }
  if (el.value !== value) el.value = value;
}

/**
 * Options for a select, keeping the current value present even when it is not offered.
 * @param {Choice[]} options
 * @param {string} value
 */
function withCurrent(options, value) {
  if (value && !options.some((o) => o.value === value)) {
    return [...options, { value, label: value, disabled: true }];
  }
  return options;
}

/** @param {Context<WidgetTraits>} ctx */
export function mountForm(ctx) {
  const reasonId = ctx.id("reason");
  const countId = ctx.id("count");
  const promptId = ctx.id("prompt");

  // Prompt
  const prompt = h("textarea", {
    class: "sora-textarea sora-prompt",
    attrs: {
      id: promptId,
      rows: 3,
      "data-testid": "prompt",
      placeholder: "Describe the shot: subject, setting, light, camera…",
      "aria-describedby": countId,
      "aria-keyshortcuts": IS_MAC ? "Meta+Enter" : "Control+Enter",
    },
  });
  const count = h("span", {
    class: "sora-count",
    attrs: { id: countId, "data-testid": "char-count" },
  });
  const promptField = h(
    "div",
    { class: "sora-field sora-field--prompt" },
    h(
      "div",
      { class: "sora-field-head" },
      h("label", { class: "sora-label", text: "Prompt", attrs: { for: promptId } }),
      count,
    ),
    prompt,
  );

  // Model / Size / Duration / cost
  const model = select(ctx, "model", "Model", "model");
  // A model the menu does not list (any name the server knows), typed as the server spells it.
  const modelName = h("input", {
    class: "sora-input sora-model-name",
    attrs: {
      type: "text",
      "aria-label": "Model name",
      "data-testid": "model-name",
      placeholder: "as the server names it",
      spellcheck: "false",
      autocomplete: "off",
    },
  });
  model.field.append(modelName);
  // Shown while "Other model…" is chosen, or while the model is one the menu does not list.
  let typing = false;
  const size = select(ctx, "size", "Size", "size");
  const seconds = select(ctx, "seconds", "Duration", "seconds");
  const cost = h("span", {
    class: "sora-cost",
    attrs: { "data-testid": "cost", title: "Estimated price of this request" },
  });
  const settings = h(
    "div",
    { class: "sora-settings" },
    model.field,
    size.field,
    seconds.field,
    cost,
  );

  // Generate
  const generate = h("button", {
    class: "sora-btn sora-btn--primary",
    text: "Generate",
    attrs: { type: "button", "data-testid": "generate" },
  });
  const hint = h(
    "span",
    { class: "sora-hint", attrs: { "aria-hidden": "true" } },
    h("kbd", { text: ACCEL }),
    " + ",
    h("kbd", { text: "Enter" }),
  );
  const reason = h("div", {
    class: "sora-reason",
    attrs: { id: reasonId, "data-testid": "generate-reason" },
  });
  const actions = h("div", { class: "sora-actions" }, generate, hint, reason);

  const el = h("div", { class: "sora-form" }, promptField, settings);

  // Generate waits briefly after a click so a double click does not start (and pay for) two
  // videos; the next job or error update, or 2 s, releases it.
  /** @type {ReturnType<typeof setTimeout> | null} */
  let pending = null;
  const release = () => {
    if (pending !== null) clearTimeout(pending);
    pending = null;
    updateGenerate();
  };
  ctx.onDispose(() => pending !== null && clearTimeout(pending));

  function blockers() {
    return problemList(ctx.get("problems")).filter(([field]) => !NOT_FOR_GENERATE.has(field));
  }

  function updateGenerate() {
    const list = blockers();
    generate.disabled = list.length > 0 || pending !== null;
    reason.replaceChildren(
      ...list.map(([field, message]) =>
        h("p", { class: "sora-reason-item", text: message, attrs: { "data-field": field } }),
      ),
    );
    show(reason, list.length > 0);
    attr(generate, "title", list.length ? list.map(([, m]) => m).join("\n") : null);
    attr(generate, "aria-describedby", list.length ? reasonId : null);
  }

  function doGenerate() {
    if (generate.disabled) return;
    ctx.send("generate");
    pending = setTimeout(release, 2000);
    updateGenerate();
  }

  // Mark a control invalid, pointing its description at the reason list.
  /** @param {Element} control @param {string} field */
  function mark(control, field, baseDescribedBy = "") {
    const invalid = Boolean(fieldMessage(ctx, field));
    attr(control, "aria-invalid", invalid ? "true" : null);
    const describedBy = [baseDescribedBy, invalid ? reasonId : ""].filter(Boolean).join(" ");
    attr(control, "aria-describedby", describedBy || null);
  }

  function updateCount() {
    const max = ctx.get("options")?.max_prompt_chars ?? 0;
    const n = charCount(prompt.value);
    setText(count, formatCount(n, max));
    count.classList.toggle("is-over", Boolean(max) && n > max);
  }

  // Model -> view
  ctx.watch(["prompt"], () => {
    const value = ctx.get("prompt") ?? "";
    if (prompt.value !== value) prompt.value = value;
    updateCount();
  });
  ctx.watch(["options", "model", "size", "seconds"], () => {
    /** @type {Partial<Options>} */
    const options = ctx.get("options") || {};
    const current = ctx.get("model") ?? "";
    const listed = options.models ?? [];
    const other = typing || (current !== "" && !listed.includes(current));
    const models = [
      ...listed.map((m) => ({ value: m, label: m, disabled: false })),
      { value: OTHER, label: "Other model…", disabled: false },
    ];
    setOptions(model.el, models, other ? OTHER : current);
    show(modelName, other);
    if (other && document.activeElement !== modelName && modelName.value !== current) {
      modelName.value = current;
    }

    // A model the catalog knows shows its own menu; another offers every size and duration.
    const menu = options.size_menu?.[current] ?? options.all_sizes ?? [];
    const allowed = new Set(options.sizes?.[current] ?? menu);
    const sizeValue = ctx.get("size") ?? "";
    // A server's own words for a size ("1280x720 · 720p 16:9": OpenRouter's resolution and
    // aspect ratio) where it gave them.
    const labels = options.size_labels?.[current] ?? {};
    const sizes = menu.map((s) => ({
      value: s,
      label: labels[s] ?? s,
      disabled: !allowed.has(s),
    }));
    setOptions(size.el, withCurrent(sizes, sizeValue), sizeValue);
    size.el.title = allowed.size ? `${current} allows ${[...allowed].join(", ")}` : "";

    const secondsValue = ctx.get("seconds") ?? "";
    const durations = (options.seconds?.[current] ?? options.all_seconds ?? []).map((s) => ({
      value: s,
      label: secondsLabel(s),
      disabled: false,
    }));
    setOptions(seconds.el, withCurrent(durations, secondsValue), secondsValue);
    updateCount();
  });
  ctx.watch(["cost"], () => {
    const text = formatCost(ctx.get("cost"));
    setText(cost, text);
    show(cost, Boolean(text));
  });
  ctx.watch(["problems", "error"], () => {
    updateGenerate();
    mark(prompt, "prompt", countId);
    mark(model.el, "model");
    mark(modelName, "model");
    mark(size.el, "size");
    mark(seconds.el, "seconds");
  });
  ctx.watch(["job", "error"], () => {
    if (pending !== null) release();
  });

  // View -> model
  ctx.listen(prompt, "input", () => {
    updateCount();
    ctx.set({ prompt: prompt.value });
  });
  ctx.listen(prompt, "keydown", (event) => {
    if (!isSubmitKey(event)) return;
    event.preventDefault();
    event.stopPropagation();
    doGenerate();
  });
  ctx.listen(model.el, "change", () => {
    typing = model.el.value === OTHER;
    if (typing) {
      show(modelName, true);
      modelName.focus();
    } else {
      ctx.set({ model: model.el.value });
    }
  });
  ctx.listen(modelName, "input", () => ctx.set({ model: modelName.value.trim() }));
  ctx.listen(size.el, "change", () => ctx.set({ size: size.el.value }));
  ctx.listen(seconds.el, "change", () => ctx.set({ seconds: seconds.el.value }));
  ctx.listen(generate, "click", doGenerate);

  return { el, actions };
}
