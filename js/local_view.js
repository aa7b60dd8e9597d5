// @ts-check
// A View (context.js) whose traits live in the page, not in the model: Arena's transport
// (playing, speed, loop, volume, the wipe, the side heard) is this view's own business, as the
// kernel has no such traits and a blind pair has nothing to share. Everything else (ids, actions,
// DOM listeners, cleanup) is the parent's.

/**
 * @import { View } from "./context.js"
 */

/**
 * `initial` holds every value the view starts with; `set` changes them and runs the watchers of
 * the names it changed.
 * @template {Record<string, any>} T
 * @param {View<any>} parent
 * @param {T} initial
 * @returns {View<T>}
 */
export function localView(parent, initial) {
  const values = { ...initial };
  /** @type {Map<string, Set<() => void>>} name -> watchers */
  const watchers = new Map();
  parent.onDispose(() => watchers.clear());
  return {
    ...parent,
    get: (name) => values[name],
    set(changes) {
      /** @type {Set<() => void>} */
      const due = new Set();
      for (const [name, value] of Object.entries(changes)) {
        if (Object.is(values[name], value)) continue;
        values[/** @type {keyof T} */ (name)] = value;
        for (const fn of watchers.get(name) ?? []) due.add(fn);
      }
      for (const fn of due) fn();
    },
    watch(names, fn) {
      const handler = () => fn();
      for (const name of names) {
        const set = watchers.get(name) ?? new Set();
        set.add(handler);
        watchers.set(name, set);
      }
      fn();
    },
  };
}
