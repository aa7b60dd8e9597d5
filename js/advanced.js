// @ts-check
// The Advanced section: a disclosure with exactly the chosen model's extra parameters (from the
// catalog, sent by the kernel as the `advanced` trait), its image slots beyond the first frame,
// and a raw JSON field sent as given. Rebuilt when the model changes; each refused value is
// shown at its field. Also "Use these settings again", which fills the form from the video on
// screen.

import { createContext, fieldMessage } from "./context.js";
import { attr, h, setText, show } from "./dom.js";
import { imageSlot, mountImageSlot } from "./reference.js";

/**
 * @import { Context, View } from "./context.js"
 * @import { Advanced, Param, WidgetTraits } from "./traits.js"
 */

const RAW = "raw_parameters";
/** @type {Record<string, string | undefined>} */
const SLOT_LABELS = {
  last_frame: "Last frame",
  reference_1: "Reference image 1",
  reference_2: "Reference image 2",
  reference_3: "Reference image 3",
};
const BOOL_CHOICES = [
  { value: "", label: "Server default" },
  { value: "true", label: "On" },
  { value: "false", label: "Off" },
];

/**
 * The control for one parameter: a number box, a menu, or a text box.
 * @param {Param} param
 * @param {string} id
 * @returns {HTMLInputElement | HTMLSelectElement}
 */
function control(param, id) {
  const attrs = { id, "data-testid": `param-${param.name}`, name: param.name };
  if (param.kind === "int" || param.kind === "float") {
    return h("input", {
      class: "sora-input",
      attrs: {
        ...attrs,
        type: "number",
        inputmode: param.kind === "int" ? "numeric" : "decimal",
        step: param.kind === "int" ? "1" : "any",
        min: param.low ?? null,
        max: param.high ?? null,
        placeholder: param.default ?? "server default",
      },
    });
  }
  if (param.kind === "choice" || param.kind === "bool") {
    const choices =
      param.kind === "bool"
        ? BOOL_CHOICES
        : [
            { value: "", label: "Server default" },
            ...param.choices.map((c) => ({ value: c, label: c })),
          ];
    return h(
      "select",
      { class: "sora-select", attrs },
      ...choices.map((c) => h("option", { text: c.label, attrs: { value: c.value } })),
    );
  }
  return h("input", {
    class: "sora-input",
    attrs: { ...attrs, type: "text", spellcheck: "false", placeholder: param.default ?? "" },
  });
}

/**
 * What an input holds, as the `parameters` trait keeps it (empty: left out).
 * @param {Param} param
 * @param {HTMLInputElement | HTMLSelectElement} input
 */
function inputValue(param, input) {
  if (param.kind === "bool") return input.value === "" ? null : input.value === "true";
  return input.value === "" ? null : input.value;
}

/** A value as a field shows it: "" for none. @param {unknown} value */
function shown(value) {
  if (value === null || value === undefined) return "";
  return String(value);
}

/**
 * One field: label, control, help and the message of a refused value.
 * @param {View<WidgetTraits>} ctx
 * @param {Param} param
 */
function mountParameter(ctx, param) {
  const id = ctx.id(`param-${param.name}`);
  const helpId = ctx.id(`param-${param.name}-help`);
  const errorId = ctx.id(`param-${param.name}-error`);
  const input = control(param, id);
  const help = h("span", {
    class: "sora-param-help",
    text: param.help || "",
    attrs: { id: helpId },
  });
  const error = h("p", {
    class: "sora-field-error",
    attrs: { id: errorId, role: "alert", "data-testid": `param-error-${param.name}` },
  });
  const field = h(
    "div",
    { class: `sora-field sora-param sora-param--${param.kind}` },
    h("label", { class: "sora-label", text: param.label, attrs: { for: id } }),
    input,
    help,
    error,
  );
  const update = () => {
    const value = shown(ctx.get("parameters")?.[param.name]);
    if (document.activeElement !== input && input.value !== value) input.value = value;
    const message = fieldMessage(ctx, param.name);
    setText(error, message);
    show(error, Boolean(message));
    attr(input, "aria-invalid", message ? "true" : null);
    attr(
      input,
      "aria-describedby",
      [param.help ? helpId : "", message ? errorId : ""].join(" ").trim() || null,
    );
  };
  ctx.watch(["parameters", "problems", "error"], update);
  const write = () => {
    const next = { ...(ctx.get("parameters") || {}) };
    const value = inputValue(param, input);
    if (value === null) delete next[param.name];
    else next[param.name] = value;
    ctx.set({ parameters: next });
  };
  ctx.listen(input, input.tagName === "SELECT" ? "change" : "input", write);
  return field;
}

/** @param {Context<WidgetTraits>} ctx @param {HTMLElement} root where images may be pasted */
export function mountAdvanced(ctx, root) {
  const rawId = ctx.id("raw");
  const rawErrorId = ctx.id("raw-error");
  const params = h("div", {
    class: "sora-params",
    attrs: { "data-testid": "advanced-parameters" },
  });
  const none = h("p", {
    class: "sora-param-help",
    text: "This model has no parameters the catalog knows: use the raw JSON field.",
  });
  const images = h("div", { class: "sora-advanced-images" });
  const raw = h("textarea", {
    class: "sora-textarea sora-raw",
    attrs: {
      id: rawId,
      rows: 2,
      spellcheck: "false",
      "data-testid": "raw-parameters",
      placeholder: '{"seed": 7}',
    },
  });
  const rawError = h("p", {
    class: "sora-field-error",
    attrs: { id: rawErrorId, role: "alert", "data-testid": "param-error-raw_parameters" },
  });
  const rawField = h(
    "div",
    { class: "sora-field sora-field--raw" },
    h("label", { class: "sora-label", text: "Raw JSON", attrs: { for: rawId } }),
    raw,
    h("span", {
      class: "sora-param-help",
      text: "A JSON object sent as given; its keys win over the fields above.",
    }),
    rawError,
  );
  const summary = h("summary", { class: "sora-advanced-summary", text: "Advanced" });
  const el = h(
    "details",
    { class: "sora-advanced", attrs: { "data-testid": "advanced" } },
    summary,
    params,
    none,
    images,
    rawField,
  );

  // Rebuilt when the model's parameters or slots change, each time in a context of its own.
  /** @type {Context<WidgetTraits> | null} */
  let built = null;
  let signature = "";
  ctx.onDispose(() => built?.dispose());
  ctx.watch(["advanced"], () => {
    /** @type {Partial<Advanced>} */
    const advanced = ctx.get("advanced") || {};
    const next = JSON.stringify(advanced);
    if (next === signature) return;
    signature = next;
    built?.dispose();
    const section = createContext(ctx.model);
    built = section;
    const list = advanced.parameters || [];
    params.replaceChildren(...list.map((param) => mountParameter(section, param)));
    show(none, list.length === 0);
    const slots = advanced.images?.slots || [];
    images.replaceChildren(
      ...slots.map(
        (key) => mountImageSlot(section, root, imageSlot(key, SLOT_LABELS[key] || key)).el,
      ),
    );
  });

  ctx.watch([RAW], () => {
    const value = ctx.get(RAW) ?? "";
    if (document.activeElement !== raw && raw.value !== value) raw.value = value;
  });
  ctx.watch(["problems", "error"], () => {
    const message = fieldMessage(ctx, RAW);
    setText(rawError, message);
    show(rawError, Boolean(message));
    attr(raw, "aria-invalid", message ? "true" : null);
    attr(raw, "aria-describedby", message ? rawErrorId : null);
    // A refused value inside a closed section would be hidden: open it.
    const fields = [RAW, ...(ctx.get("advanced")?.parameters || []).map((p) => p.name)];
    if (fields.some((field) => fieldMessage(ctx, field))) el.open = true;
  });
  ctx.listen(raw, "input", () => ctx.set({ [RAW]: raw.value }));

  // Use these settings again: the video on screen's prompt, model, size, duration, parameters.
  const reuse = h("button", {
    class: "sora-btn sora-btn--quiet",
    text: "Use these settings again",
    attrs: {
      type: "button",
      "data-testid": "use-settings",
      title: "Fill the form with the settings of the video in the player",
    },
  });
  ctx.watch(["selected"], () => show(reuse, Boolean(ctx.get("selected"))));
  ctx.listen(reuse, "click", () => ctx.send("use_settings", { id: ctx.get("selected") }));

  return { el, reuse };
}
