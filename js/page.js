// The saved comparison page (Compare.save_html): the widget's own view over a frozen state read
// from the page, with a stand-in for the kernel's model. Nothing is fetched: the videos are data
// URLs in that state, delivered to the view as the kernel's media mailbox would (media.js).

import compare from "./compare.js";
import { frozenModel } from "./frozen.js";

function bytesOf(dataUrl) {
  const text = atob(dataUrl.slice(dataUrl.indexOf(",") + 1));
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return new DataView(bytes.buffer);
}

const { media = {}, ...state } = JSON.parse(document.getElementById("sora-compare-state").textContent);
const model = frozenModel(state);
compare.render({ model, el: document.getElementById("sora-compare-page") });
for (const [key, url] of Object.entries(media)) {
  model.set("media_key", key);
  model.set("media", bytesOf(url));
}
