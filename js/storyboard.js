// @ts-check
// Storyboard's front end: the anywidget entry point.
//
// A header (title, style, backend, the film's cost, Generate film with the cost of what it will
// make, Cancel), the film (film.js), and under it a strip of shot cards (shot_card.js) kept by
// key and reordered by drag or by Alt+Left / Alt+Right, then Add shot. The film sits above the
// strip so the video and the card of the shot it plays are on screen together; the strip scrolls
// sideways (never the page) to keep that card in view as the playhead crosses a seam. The view only reads traits and sends actions: the kernel validates every change and
// answers with new traits, and a move is announced once the kernel has made it.

import "./widget.css";
import "./storyboard.css";
import { createContext } from "./context.js";
import { activeElementOf, h, isSubmitKey, setText, show } from "./dom.js";
import { mountFilm } from "./film.js";
import { formatCost } from "./format.js";
import { mountHeader } from "./header.js";
import { keepKeysInWidget } from "./lumino.js";
import { mediaStore } from "./media.js";
import { problemBox } from "./problem.js";
import { mountShotCard } from "./shot_card.js";
import {
  dropTarget,
  generateLabel,
  keyboardTarget,
  moveAnnouncement,
  phaseText,
  planCards,
  scrollToShow,
} from "./storyboard_model.js";

/**
 * @import { AnyWidget } from "@anywidget/types"
 * @import { Context } from "./context.js"
 * @import { Model, Shot, StoryboardTraits } from "./traits.js"
 * @typedef {{ key: string, from: number, to: number, focus: HTMLElement | null }} PendingMove
 *   A move sent and not yet seen in `shots`.
 */

/** The thumbnail key of a shot whose video is saved, "" before. @param {Shot} shot */
function thumbnailKey(shot) {
  return shot.media && shot.video_id ? `thumbnail:${shot.video_id}` : "";
}

/** @param {Context<StoryboardTraits>} ctx */
function mountToolbar(ctx) {
  const style = h("p", { class: "sora-story-style", attrs: { "data-testid": "style" } });
  const total = h("span", {
    class: "sora-cost",
    attrs: { title: "Estimate of the whole film", "data-testid": "total-cost" },
  });
  const phase = h("span", {
    class: "sora-story-phase",
    attrs: { "aria-live": "polite", "data-testid": "phase" },
  });
  const stale = h("button", {
    class: "sora-btn",
    text: "Regenerate stale shots",
    attrs: { type: "button", "data-testid": "regenerate-stale" },
  });
  const cancel = h("button", {
    class: "sora-btn",
    text: "Cancel",
    attrs: { type: "button", "data-testid": "cancel" },
  });
  const generate = h("button", {
    class: "sora-btn sora-btn--primary",
    attrs: { type: "button", "data-testid": "generate-film" },
  });
  const el = h(
    "div",
    { class: "sora-story-bar" },
    style,
    h("div", { class: "sora-actions" }, generate, cancel, stale, total, phase),
  );

  ctx.watch(["style", "total_cost", "cost", "busy", "phase", "shots"], () => {
    const shots = ctx.get("shots") || [];
    const busy = Boolean(ctx.get("busy"));
    setText(style, ctx.get("style") ? `Style: ${ctx.get("style")}` : "");
    show(style, Boolean(ctx.get("style")));
    const film = formatCost(ctx.get("total_cost"));
    setText(total, film ? `Whole film: ${film}` : "");
    show(total, Boolean(film));
    setText(generate, generateLabel(ctx.get("cost")));
    generate.disabled = busy || !shots.length;
    show(cancel, busy);
    show(
      stale,
      shots.some((shot) => shot.status === "stale"),
    );
    stale.disabled = busy;
    setText(phase, busy ? phaseText(ctx.get("phase")) : "");
  });
  ctx.listen(generate, "click", () => ctx.send("generate"));
  ctx.listen(cancel, "click", () => ctx.send("cancel"));
  ctx.listen(stale, "click", () => ctx.send("regenerate_stale"));
  return { el };
}

/** A prompt box and Add shot: the new shot goes after the last. @param {Context<StoryboardTraits>} ctx */
function mountAdder(ctx) {
  const prompt = h("textarea", {
    class: "sora-input sora-textarea sora-story-new",
    attrs: {
      rows: 2,
      placeholder: "Describe a new shot…",
      "aria-label": "New shot prompt",
      "data-testid": "new-shot-prompt",
    },
  });
  const add = h("button", {
    class: "sora-btn",
    text: "Add shot",
    attrs: { type: "button", "data-testid": "add-shot" },
  });
  const el = h("div", { class: "sora-story-add" }, prompt, add);
  const sync = () => {
    add.disabled = !prompt.value.trim();
  };
  const submit = () => {
    if (!prompt.value.trim()) return;
    ctx.send("insert", { at: (ctx.get("shots") || []).length, prompt: prompt.value.trim() });
    prompt.value = "";
    sync();
  };
  sync();
  ctx.listen(prompt, "input", sync);
  ctx.listen(prompt, "keydown", (event) => {
    if (isSubmitKey(event)) {
      event.preventDefault();
      submit();
    }
  });
  ctx.listen(add, "click", submit);
  return { el, prompt };
}

/** @param {{ model: Model<StoryboardTraits>, el: HTMLElement }} props */
function render({ model, el }) {
  const ctx = createContext(model);
  const root = h("div", {
    class: "sora-widget sora-storyboard",
    attrs: { "data-testid": "storyboard" },
  });
  keepKeysInWidget(ctx, root);

  const header = mountHeader(ctx, "Storyboard");
  const toolbar = mountToolbar(ctx);
  const problem = problemBox("storyboard-error");
  const hint = h("span", {
    class: "sora-sr",
    text: "Alt+Left or Alt+Right moves the shot.",
    attrs: { id: ctx.id("move-hint") },
  });
  const live = h("div", {
    class: "sora-sr",
    attrs: { "aria-live": "polite", "data-testid": "live" },
  });
  const strip = h("div", {
    class: "sora-shots",
    attrs: { role: "group", "aria-label": "Shots", "data-testid": "shots" },
  });
  const adder = mountAdder(ctx);

  /** @type {Map<string, ReturnType<typeof mountShotCard>>} shot key -> its card */
  const cards = new Map();
  /** @type {Shot[]} */
  let shots = [];
  /** @type {PendingMove | null} */
  let pending = null;
  /** @type {string | null} the key of the shot being dragged */
  let dragged = null;
  /** @type {string | null} the key of the shot the film is playing */
  let playing = null;

  const media = mediaStore(ctx, (key) => {
    if (key.startsWith("thumbnail:")) renderShots();
    else if (key.startsWith("film:")) film.render();
    else if (key.startsWith("page:")) film.pageArrived(key);
  });
  const film = mountFilm(ctx, media, (key) => {
    const crossed = key !== playing;
    playing = key;
    for (const [cardKey, card] of cards) card.setCurrent(cardKey === key);
    const card = key ? cards.get(key)?.el : null;
    if (crossed && card) showInStrip(card);
  });
  ctx.onDispose(() => {
    for (const card of cards.values()) card.destroy();
    cards.clear();
  });

  root.append(header.el, toolbar.el, problem.el, film.el, strip, adder.el, hint, live);
  el.append(root);

  /** Scroll the strip, and only the strip, to show `card`. @param {HTMLElement} card */
  function showInStrip(card) {
    const box = strip.getBoundingClientRect();
    const start = card.getBoundingClientRect().left - box.left + strip.scrollLeft;
    const left = scrollToShow(start, card.offsetWidth, strip.scrollLeft, strip.clientWidth);
    if (left !== null) strip.scrollTo({ left });
  }

  /** Where focus was, and the caret in it, to put back after cards move in the strip. */
  function saveFocus() {
    const active = activeElementOf(strip);
    if (!(active instanceof HTMLElement) || !strip.contains(active)) return () => {};
    const field = active instanceof HTMLTextAreaElement ? active : null;
    const start = field?.selectionStart ?? 0;
    const end = field?.selectionEnd ?? 0;
    return () => {
      if (activeElementOf(strip) === active || !active.isConnected) return;
      active.focus({ preventScroll: true });
      field?.setSelectionRange(start, end);
    };
  }

  /** Announce and focus a move once `shots` shows it. */
  function settleMove() {
    if (!pending) return;
    const { key, from, to, focus } = pending;
    if (shots.findIndex((shot) => shot.key === key) !== to) return;
    pending = null;
    // The same words twice (two moves alike) must still be heard: vary them invisibly.
    const words = moveAnnouncement(from, to, shots.length);
    setText(live, live.textContent === words ? `${words}\u00a0` : words);
    const target = focus?.isConnected ? focus : cards.get(key)?.el;
    target?.focus({ preventScroll: false });
  }

  /**
   * Focus was in a card that went (Remove): put it on the card now at that place, or on the
   * new-shot box when none is left, never on the page.
   * @param {number} index
   */
  function refocusAfterRemoval(index) {
    const next = shots[Math.min(index, shots.length - 1)];
    (next ? cards.get(next.key)?.el : adder.prompt)?.focus({ preventScroll: true });
  }

  function renderShots() {
    const before = shots;
    shots = (ctx.get("shots") || []).filter((shot) => shot?.key);
    const { create, drop } = planCards(cards.keys(), shots);
    const active = activeElementOf(strip);
    const focusLostAt = before.findIndex(
      (shot) => drop.includes(shot.key) && Boolean(cards.get(shot.key)?.el.contains(active)),
    );
    for (const key of drop) {
      cards.get(key)?.el.remove();
      cards.get(key)?.destroy();
      cards.delete(key);
    }
    for (const key of create) cards.set(key, mountShotCard(ctx, key, hint.id));
    const restore = saveFocus();
    const thumbnails = shots.map(thumbnailKey).filter(Boolean);
    media.keep("thumbnail", thumbnails);
    media.want(thumbnails);
    shots.forEach((shot, index) => {
      const card = cards.get(shot.key);
      if (!card) return;
      if (strip.children[index] !== card.el)
        strip.insertBefore(card.el, strip.children[index] ?? null);
      card.update(shot, index, shots.length, media.url(thumbnailKey(shot)));
      card.setCurrent(shot.key === playing);
    });
    restore();
    if (focusLostAt >= 0) refocusAfterRemoval(focusLostAt);
    settleMove();
  }

  /**
   * Ask the kernel to move the shot `key` from `from` to `to`.
   * @param {string} key @param {number} from @param {number} to @param {HTMLElement | null} focus
   */
  function requestMove(key, from, to, focus) {
    pending = { key, from, to, focus };
    ctx.send("move", { key, to });
  }

  /** @param {EventTarget | null} target */
  function cardOf(target) {
    const card = target instanceof Element ? target.closest('[data-testid="shot-card"]') : null;
    return card instanceof HTMLElement && card.dataset.key ? card : null;
  }

  /** @param {string | undefined} key */
  const indexOf = (key) => shots.findIndex((shot) => shot.key === key);

  function clearDrop() {
    for (const card of cards.values()) delete card.el.dataset.drop;
  }

  ctx.listen(strip, "keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const target = event.target;
    // Alt+arrows inside a text field are the field's (word moves on macOS).
    if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return;
    const card = cardOf(target);
    if (!card?.dataset.key) return;
    const from = indexOf(card.dataset.key);
    const to = from < 0 ? null : keyboardTarget(from, event.key, shots.length);
    if (to === null) return;
    event.preventDefault(); // Alt+Left is also the browser's Back
    requestMove(card.dataset.key, from, to, target instanceof HTMLElement ? target : card);
  });

  ctx.listen(strip, "dragstart", (event) => {
    const card = cardOf(event.target);
    const key = card?.dataset.key;
    if (!card || !key || event.target !== cards.get(key)?.handle) return;
    dragged = key;
    card.classList.add("is-dragging");
    if (event.dataTransfer) {
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", key);
      event.dataTransfer.setDragImage(card, 24, 24);
    }
  });
  ctx.listen(strip, "dragover", (event) => {
    const card = cardOf(event.target);
    if (!dragged || !card) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "move";
    const box = card.getBoundingClientRect();
    clearDrop();
    card.dataset.drop = event.clientX > box.left + box.width / 2 ? "after" : "before";
  });
  ctx.listen(strip, "drop", (event) => {
    const card = cardOf(event.target);
    const key = dragged;
    if (!key || !card) return;
    event.preventDefault();
    const from = indexOf(key);
    const over = indexOf(card.dataset.key);
    if (from < 0 || over < 0) return;
    const to = dropTarget(from, over, card.dataset.drop === "after");
    if (to !== null) requestMove(key, from, to, null);
  });
  ctx.listen(strip, "dragend", () => {
    if (dragged) cards.get(dragged)?.el.classList.remove("is-dragging");
    dragged = null;
    clearDrop();
  });

  ctx.watch(["title"], () => setText(header.summary, ctx.get("title") || ""));
  ctx.watch(["shots"], renderShots);
  ctx.watch(["film", "shots", "title"], film.render);
  ctx.watch(["error"], () => {
    const error = ctx.get("error");
    problem.set(error?.title ?? "", error?.message ?? "");
    if (error) pending = null; // a refused move is not announced
  });

  return () => {
    ctx.dispose();
    root.remove();
  };
}

export default /** @satisfies {AnyWidget<StoryboardTraits>} */ ({ render });
