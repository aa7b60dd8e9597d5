// @ts-check
// The saved comparison page (Compare.save_html): the widget's own view over a frozen state read
// from the page, with a stand-in for the kernel's model. Nothing is fetched: the videos are data
// URLs in that state, delivered to the view as the kernel's media mailbox would (media.js).

import compare from "./compare.js";
import { frozenModel } from "./frozen.js";

/** @import { CompareTraits } from "./traits.js" */

/** @param {string} dataUrl */
function bytesOf(dataUrl) {
  const text = atob(dataUrl.slice(dataUrl.indexOf(",") + 1));
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return new DataView(bytes.buffer);
}

/**
 * The page's state (compare_state.page_state): the traits but the media mailbox, which the
 * loop below fills, and every video as a data URL.
 * @type {Omit<CompareTraits, "media" | "media_key"> & { media?: Record<string, string> }}
 */
const saved = JSON.parse(document.getElementById("sora-compare-state")?.textContent ?? "");
const { media = {}, ...state } = saved;
const model = frozenModel(/** @type {CompareTraits} */ (state));
const page = /** @type {HTMLElement} */ (document.getElementById("sora-compare-page"));
compare.render({ model, el: page });
for (const [key, url] of Object.entries(media)) {
  model.set("media_key", key);
  model.set("media", bytesOf(url));
}
