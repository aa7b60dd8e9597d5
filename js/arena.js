// @ts-check
// Arena's front end: the anywidget entry point.
//
// The header (title, votes cast, backend), then what the phase shows (arena_model.sections):
// the estimate and Generate; the generation's progress; the prompt, the two players labelled
// only Left and Right (arena_stage.js), the vote buttons (keys 1-4) and reason tags; after the
// vote, the names on their sides and Next (Enter or N); the leaderboard (leaderboard.js).
// Blind: while a pair awaits its vote the page holds no name, id, price, path or token: the
// traits carry none, and what an earlier phase wrote (the last names, the board) is removed from
// the DOM, not hidden. The view only reads traits and sends actions.

import "./widget.css";
import "./compare.css";
import "./arena.css";
import { CHOICES, nextKey, sections, verdictText, voteKey } from "./arena_model.js";
import { mountStage } from "./arena_stage.js";
import { createContext } from "./context.js";
import { activeElementOf, attr, h, setText, show } from "./dom.js";
import { formatCost } from "./format.js";
import { mountHeader } from "./header.js";
import { mountLeaderboard } from "./leaderboard.js";
import { keepKeysInWidget } from "./lumino.js";
import { mediaStore } from "./media.js";
import { problemBox } from "./problem.js";

/**
 * @import { AnyWidget } from "@anywidget/types"
 * @import { Context } from "./context.js"
 * @import { Choice } from "./arena_model.js"
 * @import { ArenaTraits, Model } from "./traits.js"
 */

/** @param {number} n @param {string} one @param {string} [many] */
function count(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** The estimate and Generate. @param {Context<ArenaTraits>} ctx */
function mountEstimate(ctx) {
  const text = h("p", { class: "sora-arena-estimate-text", attrs: { id: ctx.id("estimate") } });
  const generate = h("button", {
    class: "sora-btn sora-btn--primary",
    text: "Generate",
    attrs: {
      type: "button",
      "aria-describedby": ctx.id("estimate"),
      "data-testid": "arena-generate",
    },
  });
  const el = h(
    "section",
    { class: "sora-arena-estimate", attrs: { "data-testid": "arena-estimate" } },
    text,
    h("div", { class: "sora-actions" }, generate),
  );
  let asked = false;
  // aria-disabled, not disabled: a disabled button drops focus, and the panel's keys with it.
  ctx.listen(generate, "click", () => {
    if (asked) return;
    asked = true;
    attr(generate, "aria-disabled", "true");
    ctx.send("generate");
  });
  function render() {
    const { videos = 0, reused = 0, cost = "" } = ctx.get("estimate") || {};
    const parts = [
      videos
        ? `${count(videos, "video")} to generate`
        : "Nothing to generate: every video is in the library",
    ];
    if (reused) parts.push(`${reused} reused from the library`);
    const price = formatCost(cost);
    if (videos && price) parts.push(`estimated ${price}`);
    const shown = ctx.get("phase") === "estimate";
    // Out of its phase the text goes: no price stays in the page during a vote.
    setText(text, shown ? parts.join(" · ") : "");
    if (!shown) asked = false;
    attr(generate, "aria-disabled", String(asked));
  }
  /** The kernel refused: Generate may be pressed again. */
  function retry() {
    asked = false;
    render();
  }
  return { el, render, retry };
}

/** The generations' progress. @param {Context<ArenaTraits>} ctx */
function mountProgress(ctx) {
  const text = h("p", { class: "sora-arena-progress-text", attrs: { "aria-live": "polite" } });
  const fill = h("div", { class: "sora-progress-fill" });
  const bar = h(
    "div",
    {
      class: "sora-progress",
      attrs: { role: "progressbar", "aria-label": "Videos ready", "aria-valuemin": "0" },
    },
    fill,
  );
  const el = h(
    "section",
    { class: "sora-arena-progress", attrs: { "data-testid": "arena-progress" } },
    text,
    bar,
  );
  function render() {
    const { done = 0, total = 0, failed = 0 } = ctx.get("progress") || {};
    const words = [`Generating: ${done} of ${count(total, "video")} ready`];
    if (failed) words.push(`${failed} failed`);
    setText(text, words.join(" · "));
    attr(bar, "aria-valuemax", total);
    attr(bar, "aria-valuenow", done);
    fill.style.width = `${total > 0 ? Math.min(100, (100 * done) / total) : 0}%`;
  }
  return { el, render };
}

/**
 * The vote buttons and the reason tags; `vote(choice)` casts.
 * @param {Context<ArenaTraits>} ctx
 * @param {(choice: Choice) => void} vote
 */
function mountVotes(ctx, vote) {
  const buttons = CHOICES.map(({ choice, key, label, testid }) => {
    const button = h(
      "button",
      {
        class: `sora-btn sora-arena-vote${choice === "left" || choice === "right" ? " sora-btn--primary" : ""}`,
        attrs: {
          type: "button",
          "aria-label": label,
          "aria-keyshortcuts": key,
          "data-testid": testid,
        },
      },
      h("span", { text: label }),
      h("kbd", { text: key, attrs: { "aria-hidden": "true" } }),
    );
    ctx.listen(button, "click", () => vote(choice));
    return button;
  });
  const tagsBox = h("div", {
    class: "sora-arena-tags",
    attrs: { role: "group", "aria-label": "Reasons (optional)" },
  });
  const el = h(
    "section",
    { class: "sora-arena-votes", attrs: { "aria-label": "Vote" } },
    h("div", { class: "sora-arena-vote-buttons" }, ...buttons),
    h(
      "div",
      { class: "sora-arena-reasons" },
      h("span", { class: "sora-label", text: "Why:" }),
      tagsBox,
    ),
  );
  /** @type {Set<string>} the tags pressed for the pair on screen */
  const chosen = new Set();
  let offered = "";

  /** @param {string} tag */
  function tagButton(tag) {
    const button = h("button", {
      class: "sora-btn sora-btn--small sora-arena-tag",
      text: tag,
      attrs: {
        type: "button",
        "aria-pressed": "false",
        "data-tag": tag,
        "data-testid": "vote-tag",
      },
    });
    ctx.listen(button, "click", () => {
      if (chosen.has(tag)) chosen.delete(tag);
      else chosen.add(tag);
      attr(button, "aria-pressed", String(chosen.has(tag)));
    });
    return button;
  }

  /** @param {boolean} busy a vote is on its way (aria-disabled: a disabled button drops focus) */
  function render(busy) {
    const tags = (ctx.get("tags") || []).filter(Boolean);
    const signature = JSON.stringify(tags);
    if (signature !== offered) {
      offered = signature;
      tagsBox.replaceChildren(...tags.map(tagButton));
    }
    for (const button of buttons) attr(button, "aria-disabled", String(busy));
  }

  /** A new pair: no tag pressed. */
  function clear() {
    chosen.clear();
    for (const button of tagsBox.querySelectorAll("button")) attr(button, "aria-pressed", "false");
  }

  return { el, render, clear, cast: vote, chosen: () => [...chosen] };
}

/** The names on their sides, the verdict and Next. @param {Context<ArenaTraits>} ctx */
function mountReveal(ctx) {
  /** @param {"left" | "right"} side @param {string} label */
  const column = (side, label) => {
    const name = h("strong", {
      class: "sora-arena-name",
      attrs: { "data-testid": `arena-name-${side}` },
    });
    const el = h(
      "p",
      { class: "sora-arena-named", attrs: { "data-side": side } },
      h("span", { class: "sora-label", text: label }),
      name,
    );
    return { el, name };
  };
  const left = column("left", "Left");
  const right = column("right", "Right");
  const verdict = h("p", { class: "sora-arena-verdict" });
  const reasons = h("p", { class: "sora-hint" });
  const next = h(
    "button",
    {
      class: "sora-btn sora-btn--primary",
      attrs: { type: "button", "aria-keyshortcuts": "Enter N", "data-testid": "arena-next" },
    },
    h("span", { text: "Next" }),
    h("kbd", { text: "N", attrs: { "aria-hidden": "true" } }),
  );
  const el = h(
    "section",
    { class: "sora-arena-reveal", attrs: { "aria-live": "polite", "data-testid": "arena-reveal" } },
    h("div", { class: "sora-arena-names" }, left.el, right.el),
    verdict,
    reasons,
    h("div", { class: "sora-actions" }, next),
  );
  let asked = false; // Next sent: once per reveal, however many clicks and keys
  function requestNext() {
    if (asked) return;
    asked = true;
    ctx.send("next");
  }
  ctx.listen(next, "click", requestNext);

  /** Fill in the names when `visible`; otherwise empty every text, so no name stays. @param {boolean} visible */
  function render(visible) {
    const reveal = visible ? ctx.get("reveal") : null;
    if (!reveal) asked = false;
    setText(left.name, reveal?.left ?? "");
    setText(right.name, reveal?.right ?? "");
    setText(verdict, reveal ? verdictText(reveal.choice, reveal.left, reveal.right) : "");
    const tags = reveal?.tags ?? [];
    setText(reasons, tags.length ? `Reasons: ${tags.join(", ")}` : "");
    show(reasons, tags.length > 0);
    left.el.classList.toggle("is-preferred", reveal?.choice === "left");
    right.el.classList.toggle("is-preferred", reveal?.choice === "right");
  }
  /** The kernel refused: Next may be asked again. */
  function retry() {
    asked = false;
  }
  return { el, render, next, requestNext, retry };
}

/** @param {{ model: Model<ArenaTraits>, el: HTMLElement }} props */
function render({ model, el }) {
  const ctx = createContext(model);
  // Also .sora-compare: the transport bar, the wipe and the cells are styled as Compare's.
  const root = h("div", {
    class: "sora-widget sora-compare sora-arena",
    attrs: { tabindex: "-1", role: "group", "aria-label": "Arena", "data-testid": "arena" },
  });
  keepKeysInWidget(ctx, root);

  const header = mountHeader(ctx, "Arena");
  const problem = problemBox("arena-error");
  const estimate = mountEstimate(ctx);
  const progress = mountProgress(ctx);
  const prompt = h("p", { class: "sora-arena-prompt", attrs: { "data-testid": "arena-prompt" } });
  const media = mediaStore(ctx, (key) => {
    if (key.startsWith("blind:")) stage.render();
  });
  const stage = mountStage(ctx, media);
  /** @type {string | null} the token of the pair whose vote is on its way */
  let sent = null;
  const votes = mountVotes(ctx, (choice) => {
    const pair = ctx.get("pair");
    if (ctx.get("phase") !== "voting" || !pair || sent === pair.token) return;
    sent = pair.token;
    ctx.send("vote", { token: pair.token, choice, tags: votes.chosen() });
    votes.render(true);
  });
  const reveal = mountReveal(ctx);
  const done = h("p", {
    class: "sora-arena-done",
    text: "Every pair has its vote.",
    attrs: { "data-testid": "arena-done" },
  });
  const board = mountLeaderboard();

  const watching = h("div", { class: "sora-arena-watch" }, prompt, stage.el);
  root.append(
    header.el,
    problem.el,
    estimate.el,
    progress.el,
    watching,
    votes.el,
    reveal.el,
    done,
    board.el,
  );
  el.append(root);

  /** The pair on screen, by token: another one clears the tags pressed. */
  let token = "";

  function renderPhase() {
    const phase = ctx.get("phase");
    const visible = sections(phase);
    const pair = visible.stage ? ctx.get("pair") : null;
    root.dataset.phase = phase;
    show(estimate.el, visible.estimate);
    show(progress.el, visible.progress);
    show(watching, visible.stage && Boolean(pair));
    show(votes.el, visible.votes);
    show(reveal.el, visible.reveal);
    show(done, visible.done);
    estimate.render();
    progress.render();

    if ((pair?.token ?? "") !== token) {
      token = pair?.token ?? "";
      votes.clear();
    }
    if (phase !== "voting" || sent !== pair?.token) sent = null;
    setText(prompt, pair?.prompt ?? "");
    const keys = pair ? [pair.left.media, pair.right.media].filter(Boolean) : [];
    media.keep("blind", keys);
    media.want(keys);
    stage.render();
    votes.render(sent !== null);
    reveal.render(visible.reveal);
    board.render(ctx.get("board") || [], visible.leaderboard);
    keepFocus(phase);
  }

  /** Focus left on a control the phase hid goes to Next, or to the panel, so keys still work. */
  function keepFocus(/** @type {string} */ phase) {
    const active = activeElementOf(root);
    if (!(active instanceof HTMLElement) || !root.contains(active)) return;
    if (active !== root && !active.closest("[hidden]")) return;
    const target = phase === "revealed" ? reveal.next : root;
    if (active !== target) target.focus({ preventScroll: true });
  }

  ctx.watch(["votes_cast"], () => {
    setText(header.summary, `${count(Number(ctx.get("votes_cast")) || 0, "vote")} cast`);
  });
  ctx.watch(["phase", "pair", "reveal", "board", "estimate", "progress", "tags"], renderPhase);
  ctx.watch(["error"], () => {
    const error = ctx.get("error");
    problem.set(error?.title ?? "", error?.message ?? "");
    if (error) {
      sent = null; // a refused vote may be cast again
      votes.render(false);
      estimate.retry();
      reveal.retry();
    }
  });

  ctx.listen(root, "keydown", (event) => {
    const phase = ctx.get("phase");
    const choice = voteKey(event, phase);
    const forward = choice === null && nextKey(event, phase);
    if (choice || forward) {
      event.preventDefault();
      event.stopPropagation();
      if (choice) votes.cast(choice);
      else reveal.requestNext();
      return;
    }
    if (sections(phase).stage) stage.onKey(event);
  });

  return () => {
    ctx.dispose();
    root.remove();
  };
}

export default /** @satisfies {AnyWidget<ArenaTraits>} */ ({ render });
