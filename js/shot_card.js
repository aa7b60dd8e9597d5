// @ts-check
// One shot card of the Storyboard: its number, the "starts from the previous shot" badge, its
// thumbnail (or its status where there is none yet), its prompt and duration (edits go to the
// kernel on change, never per key), its status with progress and ETA, note, error and cost, and
// Regenerate / Remove. The card is kept by key and updated in place, so a trait change never
// disturbs a prompt being typed.

import { createContext } from "./context.js";
import { activeElementOf, attr, h, setText, show } from "./dom.js";
import { aspectRatio, formatCost, isRunning, progressBar, secondsLabel } from "./format.js";
import { problemBox } from "./problem.js";
import { continuityText, secondsChoices, shotStatusLabel } from "./storyboard_model.js";

/**
 * @import { Context } from "./context.js"
 * @import { Status } from "./format.js"
 * @import { Shot, StoryboardTraits } from "./traits.js"
 */

/** Statuses in which a shot's video is being made or waited for: nothing to regenerate yet. */
const BUSY = new Set(["queued", "in_progress", "waiting"]);

/**
 * The card of the shot `key`. It has its own context over the model, so removing the card
 * (`destroy`) removes its listeners without waiting for the view to go.
 * @param {Context<StoryboardTraits>} view
 * @param {string} key
 * @param {string} hintId the id of the text that says how to move a card by keyboard
 */
export function mountShotCard(view, key, hintId) {
  const ctx = createContext(view.model);
  const headingId = ctx.id("heading");
  const heading = h("strong", { class: "sora-shot-title", attrs: { id: headingId } });
  const handle = h("span", {
    class: "sora-shot-handle",
    text: "⠿",
    attrs: { draggable: "true", title: "Drag to reorder", "aria-hidden": "true" },
  });
  const continuity = h("span", {
    class: "sora-shot-continuity",
    attrs: { "data-testid": "shot-continuity" },
  });
  const changed = h("span", {
    class: "sora-shot-changed",
    text: "Edited",
    attrs: { title: "Generate film makes this shot again", "data-testid": "shot-changed" },
  });
  const cost = h("span", { class: "sora-shot-cost", attrs: { "data-testid": "shot-cost" } });

  const image = h("img", { class: "sora-shot-image", attrs: { alt: "", draggable: "false" } });
  const placeholder = h("span", { class: "sora-shot-placeholder" });
  const thumb = h("div", { class: "sora-shot-thumb" }, image, placeholder);

  const prompt = h("textarea", {
    class: "sora-input sora-textarea sora-shot-prompt",
    attrs: { rows: 3, "data-testid": "shot-prompt" },
  });
  const seconds = h("select", {
    class: "sora-input sora-select sora-shot-seconds",
    attrs: { "data-testid": "shot-seconds" },
  });

  const badgeText = h("span", { class: "sora-badge-text" });
  const fill = h("div", { class: "sora-progress-fill" });
  const bar = h(
    "div",
    {
      class: "sora-progress",
      attrs: { role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100" },
    },
    fill,
  );
  const eta = h("span", { class: "sora-timing" });
  const status = h(
    "div",
    { class: "sora-status sora-shot-status", attrs: { "data-testid": "shot-status" } },
    h(
      "span",
      { class: "sora-badge" },
      h("span", { class: "sora-badge-dot", attrs: { "aria-hidden": "true" } }),
      badgeText,
    ),
    bar,
    eta,
  );
  const note = h("p", { class: "sora-shot-note", attrs: { "data-testid": "shot-note" } });
  const problem = problemBox("shot-error");

  const regenerate = h("button", {
    class: "sora-btn sora-btn--small",
    text: "Regenerate",
    attrs: { type: "button", "data-testid": "shot-regenerate" },
  });
  const remove = h("button", {
    class: "sora-btn sora-btn--small sora-btn--quiet",
    text: "Remove",
    attrs: { type: "button", "data-testid": "shot-remove" },
  });

  const el = h(
    "section",
    {
      class: "sora-shot",
      attrs: {
        role: "group",
        tabindex: "0",
        "aria-labelledby": headingId,
        "aria-describedby": hintId,
        "data-key": key,
        "data-testid": "shot-card",
      },
    },
    h("div", { class: "sora-shot-head" }, handle, heading, changed, cost),
    continuity,
    thumb,
    prompt,
    h("div", { class: "sora-shot-row" }, seconds, status),
    note,
    problem.el,
    h("div", { class: "sora-shot-actions" }, regenerate, remove),
  );

  /** @type {Shot | null} the shot as last shown */
  let shown = null;
  /** @type {string | null} the prompt as it was when the textarea took focus */
  let promptAtFocus = null;

  /** @param {Shot} shot */
  function renderPrompt(shot) {
    // Never under the caret: what is being typed goes to the kernel on change.
    if (activeElementOf(prompt) !== prompt && prompt.value !== shot.prompt) {
      prompt.value = shot.prompt;
    }
  }

  /** @param {Shot} shot */
  function renderSeconds(shot) {
    const choices = secondsChoices(shot.seconds_choices, shot.seconds);
    const current = [...seconds.options].map((option) => option.value);
    if (current.join() !== choices.join()) {
      seconds.replaceChildren(
        ...choices.map((value) => h("option", { text: secondsLabel(value), attrs: { value } })),
      );
    }
    if (seconds.value !== shot.seconds) seconds.value = shot.seconds;
  }

  /** @param {Shot} shot @param {string} label */
  function renderStatus(shot, label) {
    // A shot's own statuses (draft, stale) read as not running, which is what they are.
    const shape = progressBar({
      status: /** @type {Status} */ (shot.status),
      progress: shot.progress,
    });
    const words = shotStatusLabel(shot.status);
    status.dataset.status = shot.status;
    setText(badgeText, words);
    show(status, Boolean(words));
    show(bar, isRunning(shot.status));
    fill.style.width = shape.width;
    attr(bar, "aria-label", `${label} progress`);
    attr(bar, "aria-valuenow", shape.valueNow);
    attr(bar, "aria-valuetext", shape.valueText);
    setText(eta, isRunning(shot.status) ? shot.eta : "");
  }

  /**
   * Bring the card up to date with `shot`, the `index`-th of `count`; `thumbnail` is the URL of
   * its picture, null until one arrives.
   * @param {Shot} shot
   * @param {number} index
   * @param {number} count
   * @param {string | null} thumbnail
   */
  function update(shot, index, count, thumbnail) {
    shown = shot;
    const label = `Shot ${index + 1}`;
    el.dataset.status = shot.status;
    el.dataset.index = String(index);
    setText(heading, `${label} of ${count}`);
    const starts = continuityText(index > 0 ? shot.continuity : "none");
    setText(continuity, starts);
    show(continuity, Boolean(starts));
    show(changed, shot.changed);
    setText(cost, formatCost(shot.cost));
    show(cost, Boolean(shot.cost));

    thumb.style.setProperty("--sora-ratio", String(aspectRatio(shot.size)));
    if (thumbnail && image.getAttribute("src") !== thumbnail) image.src = thumbnail;
    else if (!thumbnail && image.hasAttribute("src")) image.removeAttribute("src");
    show(image, Boolean(thumbnail));
    show(placeholder, !thumbnail);
    setText(placeholder, thumbnail ? "" : shotStatusLabel(shot.status));

    renderPrompt(shot);
    attr(prompt, "aria-label", `${label} prompt`);
    renderSeconds(shot);
    attr(seconds, "aria-label", `${label} duration`);
    renderStatus(shot, label);
    setText(note, shot.note);
    show(note, Boolean(shot.note));
    problem.set(shot.error?.title ?? "", shot.error?.message ?? "");

    regenerate.disabled = BUSY.has(shot.status);
    attr(regenerate, "aria-label", `Regenerate shot ${index + 1}`);
    attr(remove, "aria-label", `Remove shot ${index + 1}`);
  }

  /** Mark the card of the shot the film is playing. @param {boolean} current */
  function setCurrent(current) {
    attr(el, "aria-current", current ? "true" : null);
  }

  ctx.listen(prompt, "focus", () => {
    promptAtFocus = prompt.value;
  });
  ctx.listen(prompt, "change", () => {
    if (shown && prompt.value !== shown.prompt) ctx.send("edit", { key, prompt: prompt.value });
  });
  ctx.listen(prompt, "blur", () => {
    // Left untouched while the kernel changed it (another view): show the kernel's now.
    if (shown && prompt.value === promptAtFocus) renderPrompt(shown);
    promptAtFocus = null;
  });
  ctx.listen(seconds, "change", () => ctx.send("edit", { key, seconds: seconds.value }));
  ctx.listen(regenerate, "click", () => ctx.send("regenerate", { key }));
  ctx.listen(remove, "click", () => ctx.send("remove", { key }));

  return { el, handle, update, setCurrent, destroy: () => ctx.dispose() };
}
