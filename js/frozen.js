// @ts-check
// A stand-in for the kernel's model on a saved page (Compare's and the player's): just enough of
// the anywidget model for a view (get, set, events); nothing goes anywhere.

/**
 * @import { Model } from "./traits.js"
 */

/**
 * @template {Record<string, any>} T
 * @param {T} state
 * @returns {Model<T>}
 */
export function frozenModel(state) {
  /** @type {Map<string, Set<(...args: any[]) => void>>} */
  const listeners = new Map();
  return {
    get: (name) => state[name],
    set(name, value) {
      state[name] = value;
      for (const handler of listeners.get(`change:${String(name)}`) ?? []) handler();
    },
    /** @param {string} event @param {(...args: any[]) => void} handler */
    on(event, handler) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(handler);
    },
    off(event, handler) {
      if (event && handler) listeners.get(event)?.delete(handler);
    },
    save_changes() {},
    send() {},
  };
}
