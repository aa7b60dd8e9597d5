// One view's link to the model: reads, writes, actions, and everything that must be undone when
// the view is removed (trait listeners, DOM listeners, timers). Views keep no state of their own:
// every section re-reads the model when a trait it shows changes.

import { uniqueId } from "./dom.js";

/** Field names as the API's error `param` names them -> this widget's field names. */
const FIELD_ALIASES = { input_reference: "reference", remix: "remix_prompt" };

export function createContext(model) {
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
      target.addEventListener(type, handler, options);
      disposers.push(() => target.removeEventListener(type, handler, options));
    },
    onDispose(fn) {
      disposers.push(fn);
    },
    /** A 1 s timer that runs only while `active()` says so; `kick()` re-checks. */
    ticker(active, tick) {
      let timer = null;
      const kick = () => {
        if (active() && timer === null) timer = setInterval(() => (tick(), kick()), 1000);
        else if (!active() && timer !== null) {
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
          disposers.pop()();
        } catch (error) {
          console.error("sora_widget: cleanup failed", error);
        }
      }
    },
  };
}

/** The message for one field: from `problems`, or from `error` when it names that field. */
export function fieldMessage(ctx, field) {
  const problems = ctx.get("problems") || {};
  if (typeof problems[field] === "string" && problems[field]) return problems[field];
  const error = ctx.get("error") || {};
  const errorField = FIELD_ALIASES[error.field] ?? error.field;
  return errorField === field && error.message ? error.message : "";
}
