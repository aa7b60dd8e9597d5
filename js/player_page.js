// @ts-check
// The saved player page (SoraWidget.save_html): each embedded <video> gets the panel's own sound
// control (sound.js) over a frozen model, so the page starts muted, unmutes with a click and says
// when this browser cannot decode the sound. The figure's `data-sora-audio` is the kernel's
// reading of the file's audio codec ("" for none; absent when unknown).

import "./widget.css";
import { createContext } from "./context.js";
import { frozenModel } from "./frozen.js";
import { mountSound } from "./sound.js";

/** @import { SoundVideo } from "./sound.js" */

// Each figure holds its <video> and a `.sora-page-sound` place for the control (export.py).
for (const figure of document.querySelectorAll("figure[data-sora-video]")) {
  if (!(figure instanceof HTMLElement)) continue;
  const video = /** @type {SoundVideo} */ (figure.querySelector("video"));
  /** @type {{ muted: boolean, volume: number, audio: string | null }} */
  const traits = { muted: true, volume: 1, audio: figure.dataset.soraAudio ?? null };
  const ctx = createContext(frozenModel(traits));
  const sound = mountSound(ctx, {
    video,
    wanted: () => !ctx.get("muted"),
    want: (on) => ctx.set({ muted: !on }),
    codec: () => ctx.get("audio"),
  });
  ctx.watch(["muted", "volume"], sound.apply);
  figure.querySelector(".sora-page-sound")?.append(sound.el);
}
