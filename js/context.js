// @ts-check
// One view's link to the model: reads, writes, actions, and everything that must be undone when
// the view is removed (trait listeners, DOM listeners, timers). Views keep no state of their own:
// every section re-reads the model when a trait it shows changes.

import { uniqueId } from "./dom.js";

/**
 * @import { FieldTraits, Model } from "./traits.js"
 */

/**
 * What a section of a view works with: traits `T` to read and write (a model's, or one Compare
 * cell's fields), actions for the kernel, and cleanup when the view goes.
 * @template {Record<string, any>} T
 * @typedef {object} View
 * @property {(name: string) => string} id
 * @property {<K extends keyof T>(name: K) => T[K]} get
 * @property {(values: Partial<T>) => void} set
 * @property {(action: string, extra?: Record<string, unknown>) => void} send
 * @property {(names: (keyof T & string)[], fn: () => void) => void} watch
 * @property {<E extends keyof HTMLElementEventMap>(
 *   target: EventTarget,
 *   type: E,
 *   handler: (event: HTMLElementEventMap[E]) => void,
 *   options?: boolean | AddEventListenerOptions,
 * ) => void} listen
 * @property {(fn: () => void) => void} onDispose
 * @property {(active: () => boolean, tick: () => void) => () => void} ticker
 */

/**
 * A whole view's context: a View over the model itself, which `dispose()` undoes.
 * @template {Record<string, any>} T
 * @typedef {View<T> & { model: Model<T>, dispose: () => void }} Context
 */

/**
 * Field names as the API's error `param` names them -> this widget's field names.
 * @type {Record<string, string | undefined>}
 */
const FIELD_ALIASES = { input_reference: "reference", remix: "remix_prompt" };

/**
 * @template {Record<string, any>} T
 * @param {Model<T>} model
 * @returns {Context<T>}
 */
export function createContext(model) {
  /** @type {(() => void)[]} */
  const disposers = [];
  const prefix = uniqueId("sora");
  return {
    model,
    /** A stable element id for this view: ctx.id("prompt"). */
    id: (name) => `${prefix}-${name}`,
    get: (name) => model.get(name),
    /** Write traits (two-way ones only) and sync them to the kernel. */
    set(values) {
      for (const [name, value] of Object.entries(values)) model.set(name, value);
      model.save_changes();
    },
    /** An action for the kernel: JSON only, no buffers. */
    send(action, extra = {}) {
      model.send({ action, ...extra });
    },
    /** Call fn now and whenever any of the named traits changes. */
    watch(names, fn) {
      const handler = () => fn();
      for (const name of names) {
        model.on(`change:${name}`, handler);
        disposers.push(() => model.off(`change:${name}`, handler));
      }
      fn();
    },
    listen(target, type, handler, options) {
      // The DOM's own typing takes any listener; `type` says which event `handler` gets.
      const listener = /** @type {EventListener} */ (handler);
      target.addEventListener(type, listener, options);
      disposers.push(() => target.removeEventListener(type, listener, options));
    },
    onDispose(fn) {
      disposers.push(fn);
    },
    /** A 1 s timer that runs only while `active()` says so; `kick()` re-checks. */
    ticker(active, tick) {
      /** @type {ReturnType<typeof setInterval> | null} */
      let timer = null;
      const kick = () => {
        if (active() && timer === null) {
          timer = setInterval(() => {
            tick();
            kick();
          }, 1000);
        } else if (!active() && timer !== null) {
          clearInterval(timer);
          timer = null;
        }
      };
      disposers.push(() => {
        if (timer !== null) clearInterval(timer);
        timer = null;
      });
      return kick;
    },
    dispose() {
      while (disposers.length) {
        try {
          disposers.pop()?.();
        } catch (error) {
          console.error("sora_widget: cleanup failed", error);
        }
      }
    },
  };
}

/**
 * The message for one field: from `problems`, or from `error` when it names that field.
 * @param {View<FieldTraits>} ctx
 * @param {string} field
 */
export function fieldMessage(ctx, field) {
  const problems = ctx.get("problems") || {};
  if (typeof problems[field] === "string" && problems[field]) return problems[field];
  const error = ctx.get("error") || {};
  const errorField = FIELD_ALIASES[error.field ?? ""] ?? error.field;
  return errorField === field && error.message ? error.message : "";
}
