// @ts-check
// Media (videos, films, thumbnails, spritesheets, a storyboard's saved page) asked of the kernel by key and kept as blob
// URLs, one store per model, shared by its views. Why not Bytes traits: they stay in the kernel
// and in the saved widget state, and a list of them is re-sent whole on every change
// (sora_widget/media.py).
// The kernel answers `{action: "media", keys}` by setting `media_key` + `media` in one update
// and emptying `media` in the next; the store keeps the bytes, so the state never has to.
// The last view of a model to go revokes every URL; a later view asks again.

import { toBytes } from "./blob.js";
import { sniffImageType } from "./image.js";

/**
 * @import { Context } from "./context.js"
 * @import { MediaTraits, Model } from "./traits.js"
 */

/**
 * Content types by key kind; a "blind" key is an Arena side's opaque name (sora_widget/ui/arena.py).
 * @type {Record<string, string | undefined>}
 */
const TYPES = {
  video: "video/mp4",
  film: "video/mp4",
  blind: "video/mp4",
  spritesheet: "image/jpeg",
  page: "text/html",
};

/** @param {string} key @param {Uint8Array} bytes */
function typeOf(key, bytes) {
  const kind = key.slice(0, key.indexOf(":"));
  return TYPES[kind] ?? (sniffImageType(bytes.subarray(0, 16)) || "image/webp");
}

export class MediaStore {
  /** @param {Model<MediaTraits>} model */
  constructor(model) {
    this.model = model;
    /** @type {Map<string, string>} key -> object URL */
    this.urls = new Map();
    /** @type {Set<string>} keys requested and not arrived yet */
    this.asked = new Set();
    /** @type {Set<(key: string) => void>} */
    this.listeners = new Set();
    this.users = 0;
    this.onMedia = () => this.receive();
    model.on("change:media", this.onMedia);
  }

  /** Take a delivery: the bytes in `media`, named by `media_key`. An emptied `media` is not one. */
  receive() {
    const key = this.model.get("media_key");
    const bytes = toBytes(this.model.get("media"));
    if (!key || !bytes) return;
    const previous = this.urls.get(key);
    this.urls.set(key, URL.createObjectURL(new Blob([bytes], { type: typeOf(key, bytes) })));
    if (previous) URL.revokeObjectURL(previous);
    this.asked.delete(key);
    for (const listener of [...this.listeners]) listener(key);
  }

  /** @param {string | null | undefined} key */
  url(key) {
    return (key && this.urls.get(key)) || null;
  }

  /**
   * Ask the kernel for the keys not here and not asked for yet (one message for all).
   * @param {string[]} keys
   */
  want(keys) {
    const missing = keys.filter((key) => key && !this.urls.has(key) && !this.asked.has(key));
    if (!missing.length) return;
    for (const key of missing) this.asked.add(key);
    this.model.send({ action: "media", keys: missing });
  }

  /**
   * Forget a request the kernel could not answer (it said why), so it can be asked again.
   * @param {string} key
   */
  giveUp(key) {
    this.asked.delete(key);
  }

  /**
   * Revoke the URLs of `kind` whose keys are not in `keys` (a video no longer shown).
   * @param {string} kind
   * @param {string[]} keys
   */
  keep(kind, keys) {
    const kept = new Set(keys);
    for (const [key, url] of this.urls) {
      if (key.startsWith(`${kind}:`) && !kept.has(key)) {
        URL.revokeObjectURL(url);
        this.urls.delete(key);
      }
    }
  }

  destroy() {
    this.model.off("change:media", this.onMedia);
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
    this.asked.clear();
    this.listeners.clear();
  }
}

/** @type {WeakMap<object, MediaStore>} model -> its store */
const stores = new WeakMap();

/**
 * The model's store, for one view: `onChange(key)` runs when media arrive, until the view is
 * disposed; the store goes with the model's last view.
 * @param {Context<MediaTraits>} ctx
 * @param {(key: string) => void} onChange
 */
export function mediaStore(ctx, onChange) {
  const store = stores.get(ctx.model) ?? new MediaStore(ctx.model);
  stores.set(ctx.model, store);
  store.users += 1;
  store.listeners.add(onChange);
  ctx.onDispose(() => {
    store.listeners.delete(onChange);
    store.users -= 1;
    if (store.users === 0) {
      store.destroy();
      if (stores.get(ctx.model) === store) stores.delete(ctx.model);
    }
  });
  return store;
}
