// @ts-check
// The Arena's leaderboard: a table, best first, whose "Rating" column draws each model's rating
// as a dot on one shared scale with its 95% interval as a bar (CSS, positioned in percent). The
// numbers are in the table's own cells, so a screen reader reads a plain table and the drawing
// is decorative. Emptied (not hidden) whenever it must not show, so no name stays in the page.

import { chartScale, ranked, ratingText, standingText } from "./arena_model.js";
import { h, show } from "./dom.js";

/**
 * @import { Standing } from "./traits.js"
 */

/** Percent kept clear at each end of the scale, so a dot on the edge is drawn whole. */
const PADDING = 4;

/** @param {number} percent */
const at = (percent) => `${percent.toFixed(2)}%`;

/** The axis over the drawing: the scale's ticks. @param {number[]} ticks @param {(r: number) => number} x */
function axis(ticks, x) {
  return h(
    "div",
    { class: "sora-board-axis", attrs: { "aria-hidden": "true" } },
    ...ticks.map((tick) => {
      const mark = h("span", { class: "sora-board-tick", text: tick });
      mark.style.left = at(x(tick));
      return mark;
    }),
  );
}

/** One model's dot and interval bar. @param {Standing} row @param {(r: number) => number} x */
function drawing(row, x) {
  const track = h("div", { class: "sora-board-track", attrs: { "aria-hidden": "true" } });
  if (row.low !== null && row.high !== null) {
    const bar = h("span", { class: "sora-board-interval" });
    bar.style.left = at(x(row.low));
    bar.style.width = at(Math.max(0, x(row.high) - x(row.low)));
    track.append(bar);
  }
  const dot = h("span", { class: "sora-board-dot" });
  dot.style.left = at(x(row.rating));
  track.append(dot);
  return track;
}

/** @param {Standing} row @param {(r: number) => number} x */
function tableRow(row, x) {
  const interval =
    row.low !== null && row.high !== null ? `${ratingText(row.low)}–${ratingText(row.high)}` : "";
  return h(
    "tr",
    {
      attrs: {
        "data-testid": "leaderboard-row",
        "data-model": row.model,
        title: standingText(row),
      },
    },
    h("th", { class: "sora-board-model", text: row.model, attrs: { scope: "row" } }),
    h("td", { class: "sora-board-chart" }, drawing(row, x)),
    h("td", { class: "sora-board-number", text: ratingText(row.rating) }),
    h("td", { class: "sora-board-number", text: interval }),
    h("td", { class: "sora-board-number", text: row.wins }),
    h("td", { class: "sora-board-number", text: row.losses }),
    h("td", { class: "sora-board-number", text: row.ties }),
    h("td", { class: "sora-board-number", text: row.votes }),
  );
}

export function mountLeaderboard() {
  const caption = h("caption", {
    class: "sora-board-caption",
    text: "Leaderboard: ratings with their 95% intervals",
  });
  const head = h("thead");
  const body = h("tbody");
  const table = h("table", { class: "sora-board" }, caption, head, body);
  const empty = h("p", { class: "sora-hint", text: "No votes yet: the ratings come with them." });
  const el = h(
    "section",
    { class: "sora-arena-board", attrs: { "data-testid": "leaderboard" } },
    table,
    empty,
  );

  /**
   * Show `rows` when `visible`; otherwise empty the table, so its names leave the page.
   * @param {Standing[]} rows
   * @param {boolean} visible
   */
  function render(rows, visible) {
    const shown = visible ? ranked(rows.filter((row) => row?.model)) : [];
    show(el, visible);
    show(table, shown.length > 0);
    show(empty, visible && shown.length === 0);
    if (!shown.length) {
      head.replaceChildren();
      body.replaceChildren();
      return;
    }
    const { x, ticks } = chartScale(shown, 100, PADDING);
    head.replaceChildren(
      h(
        "tr",
        {},
        h("th", { text: "Model", attrs: { scope: "col" } }),
        h(
          "th",
          { class: "sora-board-chart", attrs: { scope: "col" } },
          h("span", { class: "sora-sr", text: "Chart" }),
          axis(ticks, x),
        ),
        ...["Rating", "95% interval", "Wins", "Losses", "Ties", "Votes"].map((name) =>
          h("th", { class: "sora-board-number", text: name, attrs: { scope: "col" } }),
        ),
      ),
    );
    body.replaceChildren(...shown.map((row) => tableRow(row, x)));
  }

  return { el, render };
}
