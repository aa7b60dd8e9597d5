// @ts-check
// The job's status line (badge, progress bar, elapsed time and ETA, in an aria-live region),
// Cancel and Retry, and the plain-words error panel with its rate-limit countdown.

import { attr, h, setText, show } from "./dom.js";
import {
  errorTitle,
  isRunning,
  progressBar,
  remainingSeconds,
  retryCountdown,
  statusLabel,
  timingText,
  truncate,
} from "./format.js";

import shared from "./shared.json" with { type: "json" };

/**
 * @import { View } from "./context.js"
 * @import { ErrorState, Job, StatusTraits } from "./traits.js"
 */

/** Error kinds where trying the same request again can help. */
const RETRYABLE = new Set(shared.retryable);

/**
 * The status line and error panel over `job` and `error`: SoraWidget's traits, or one Compare
 * cell's (cell.js).
 * @param {Omit<View<StatusTraits>, "set">} ctx It only reads: a cell's fields are not traits.
 */
export function mountStatus(ctx) {
  const badgeText = h("span", { class: "sora-badge-text" });
  // Screen readers hear one short line when the state changes and at every quarter of
  // progress; the badge, percentage and clock show the rest without being announced each tick.
  const spoken = h("span", { class: "sora-sr", attrs: { "data-testid": "status-spoken" } });
  const badge = h(
    "span",
    { class: "sora-badge", attrs: { "data-testid": "status-badge", "aria-hidden": "true" } },
    h("span", { class: "sora-badge-dot", attrs: { "aria-hidden": "true" } }),
    badgeText,
  );
  const fill = h("div", { class: "sora-progress-fill" });
  const bar = h(
    "div",
    {
      class: "sora-progress",
      attrs: {
        role: "progressbar",
        "aria-label": "Progress",
        "aria-valuemin": "0",
        "aria-valuemax": "100",
        "aria-valuenow": "0",
        "data-testid": "progress",
      },
    },
    fill,
  );
  const percent = h("span", {
    class: "sora-percent",
    attrs: { "data-testid": "progress-text", "aria-hidden": "true" },
  });
  // The clock ticks every second: keep it out of what screen readers announce.
  const timing = h("span", {
    class: "sora-timing",
    attrs: { "aria-live": "off", "data-testid": "elapsed" },
  });
  const jobId = h("span", { class: "sora-job-id", attrs: { "data-testid": "job-id" } });
  const resumed = h("span", {
    class: "sora-resumed",
    text: "Resumed",
    attrs: {
      "data-testid": "resumed",
      title: "Started before the kernel restarted, and picked up again: it is not paid twice.",
    },
  });
  const live = h(
    "div",
    { class: "sora-status", attrs: { "aria-live": "polite", "data-testid": "status" } },
    spoken,
    badge,
    bar,
    percent,
    timing,
    jobId,
    resumed,
  );

  const cancel = h("button", {
    class: "sora-btn",
    text: "Cancel",
    attrs: { type: "button", "data-testid": "cancel" },
  });
  const retry = h("button", {
    class: "sora-btn",
    text: "Retry",
    attrs: { type: "button", "data-testid": "retry" },
  });
  const buttons = h("div", { class: "sora-status-actions" }, cancel, retry);
  const row = h("div", { class: "sora-status-row" }, live, buttons);

  const errorHeading = h("strong", {
    class: "sora-error-title",
    attrs: { "data-testid": "error-title" },
  });
  const errorMessage = h("p", {
    class: "sora-error-message",
    attrs: { "data-testid": "error-message" },
  });
  const countdown = h("p", {
    class: "sora-countdown",
    attrs: { "aria-live": "off", "data-testid": "retry-countdown" },
  });
  // Always in the document (announced when its text changes), hidden while there is no error.
  const errorPanel = h(
    "div",
    { class: "sora-error", attrs: { role: "alert", "data-testid": "error" } },
    h("span", { class: "sora-error-icon", text: "!", attrs: { "aria-hidden": "true" } }),
    h("div", { class: "sora-error-body" }, errorHeading, errorMessage, countdown),
  );

  const el = h("div", { class: "sora-status-area" }, row, errorPanel);

  let jobReceivedAt = Date.now(); // when this view last saw `job` change: the ETA counts from it

  /** @returns {Partial<Job>} */
  function job() {
    return ctx.get("job") || {};
  }
  /** @returns {Partial<ErrorState>} */
  function error() {
    return ctx.get("error") || {};
  }

  function renderTiming() {
    const j = job();
    const now = Date.now();
    setText(timing, timingText(j, now, remainingSeconds(j.eta_seconds, jobReceivedAt, now)));
  }

  function renderCountdown() {
    const e = error();
    const text = e.kind === "rate_limit" ? retryCountdown(e.retry_at, Date.now()) : "";
    setText(countdown, text);
    show(countdown, Boolean(text));
  }

  const kickClock = ctx.ticker(() => isRunning(job().status) && !row.hidden, renderTiming);
  const kickCountdown = ctx.ticker(() => {
    const e = error();
    return e.kind === "rate_limit" && typeof e.retry_at === "number" && e.retry_at > Date.now();
  }, renderCountdown);

  function renderJob() {
    const j = job();
    const status = j.status || "idle";
    // Unusable server progress (absent, a fraction, stages): an indeterminate bar, no
    // percentage, and no aria-valuenow (ARIA's way of saying "amount unknown").
    const shape = progressBar(j);
    const label = shape.label;
    setText(badgeText, label);
    badge.dataset.status = status;
    live.dataset.status = status;
    el.dataset.status = status;
    show(badge, Boolean(label));
    show(bar, Boolean(label));
    show(percent, Boolean(shape.percentText));
    bar.dataset.indeterminate = shape.indeterminate ? "true" : "false";
    attr(bar, "aria-valuenow", shape.valueNow);
    attr(bar, "aria-valuetext", shape.valueText);
    fill.style.width = shape.width;
    setText(percent, shape.percentText);
    setText(spoken, shape.spoken);
    setText(jobId, j.id ? truncate(j.id, 22) : "");
    jobId.title = j.id || "";
    show(jobId, Boolean(j.id && label));
    show(resumed, Boolean(j.resumed && label));
    renderButtons();
    renderTiming();
    kickClock();
  }

  function renderButtons() {
    const status = job().status;
    const e = error();
    show(cancel, isRunning(status));
    const ended = status === "failed" || status === "cancelled";
    show(retry, !isRunning(status) && (ended || RETRYABLE.has(e.kind ?? "")));
    show(buttons, !cancel.hidden || !retry.hidden);
    show(row, Boolean(statusLabel(status)) || !buttons.hidden);
  }

  function renderError() {
    const e = error();
    const visible = Boolean(e.kind || e.message);
    show(errorPanel, visible);
    errorPanel.dataset.kind = e.kind || "";
    setText(errorHeading, visible ? errorTitle(e.kind) : "");
    setText(errorMessage, visible ? e.message || "" : "");
    renderCountdown();
    renderButtons();
    kickCountdown();
  }

  ctx.watch(["job"], () => {
    jobReceivedAt = Date.now();
    renderJob();
  });
  ctx.watch(["error"], renderError);

  ctx.listen(cancel, "click", () => ctx.send("cancel"));
  ctx.listen(retry, "click", () => ctx.send("retry"));

  return { el };
}
