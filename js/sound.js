// @ts-check
// Sound: the Unmute / Mute button, the Volume slider and the note beside them, for the panel's
// player, each Compare cell and the saved pages. What is wanted (sound on, how loud) is a trait,
// so every view of a widget agrees; what this browser allows is the view's own business:
// - browsers autoplay only muted video, so a view that is told "sound on" without a click plays
//   muted and says a click is needed, rather than fighting the browser (or stalling);
// - some front ends cannot decode the sound at all (VS Code's Electron ships no AAC decoder,
//   microsoft/vscode#158486): the note says so instead of staying silent without a word.
// The decisions are pure functions, tested in Node (js/tests/sound.test.js).

import { attr, h, icon, setText, show } from "./dom.js";

/**
 * @import { View } from "./context.js"
 */

/**
 * The audio codecs the kernel reads from an MP4 (PyAV's names): what to ask the browser.
 * @type {Record<string, { name: string, type: string, where: string } | undefined>}
 */
export const CODECS = {
  aac: { name: "AAC", type: 'audio/mp4; codecs="mp4a.40.2"', where: "VS Code's player has none" },
  mp3: { name: "MP3", type: "audio/mpeg", where: "" },
  opus: { name: "Opus", type: 'audio/mp4; codecs="opus"', where: "" },
  flac: { name: "FLAC", type: 'audio/mp4; codecs="flac"', where: "" },
};

/** Media time heard with no audio decoded before the note says nothing comes through. */
const SILENT_AFTER_SECONDS = 1;

/**
 * Can this browser decode `codec`? true, false, or null when it cannot tell (a codec not in
 * CODECS, or neither probe available). `probe` holds `canPlayType` (a media element's) and
 * `isTypeSupported` (MediaSource's), either may be missing.
 * @param {string | null | undefined} codec
 * @param {{
 *   canPlayType?: (type: string) => string,
 *   isTypeSupported?: (type: string) => boolean,
 * }} [probe]
 */
export function canDecode(codec, probe = {}) {
  const type = CODECS[codec ?? ""]?.type;
  if (!type || (!probe.canPlayType && !probe.isTypeSupported)) return null;
  if (probe.canPlayType?.(type)) return true; // "maybe" or "probably"; "" is no
  return Boolean(probe.isTypeSupported?.(type));
}

/**
 * Does the file have sound? The kernel's reading (`codec`: "aac", "" for none, null unknown)
 * first, then what the browser reports (`audioTracks` in Safari, `mozHasAudio` in Firefox).
 * @param {string | null | undefined} codec
 * @param {{ audioTracks?: { length: number }, mozHasAudio?: boolean }} [video]
 * @returns {boolean | null}
 */
export function hasAudio(codec, video = {}) {
  if (typeof codec === "string") return codec !== "";
  if (video.audioTracks && typeof video.audioTracks.length === "number")
    return video.audioTracks.length > 0;
  if (typeof video.mozHasAudio === "boolean") return video.mozHasAudio;
  return null;
}

/**
 * Unmuted playback of a video with sound that decoded no audio: the decoder is missing.
 * `decodedBytes` is Chromium's `webkitAudioDecodedByteCount` (undefined elsewhere: no verdict).
 * @param {{ audio: boolean | null, playedSeconds: number, decodedBytes?: number | undefined }} facts
 */
export function decodesNothing({ audio, playedSeconds, decodedBytes }) {
  return (
    audio === true &&
    typeof decodedBytes === "number" &&
    decodedBytes === 0 &&
    playedSeconds >= SILENT_AFTER_SECONDS
  );
}

/**
 * The note beside the control, or "" when all is well. `codec` as in hasAudio; `decodable` from
 * canDecode; `silent` from decodesNothing; `held`: the browser refused sound without a click.
 * @param {{
 *   codec?: string | null | undefined,
 *   decodable?: boolean | null,
 *   silent?: boolean,
 *   held?: boolean,
 * }} state
 */
export function soundNotice({ codec = null, decodable = null, silent = false, held = false }) {
  if (codec === "") return "This video has no sound.";
  if (decodable === false || silent) {
    const known = CODECS[codec ?? ""];
    const what = known ? `${known.name} sound` : "the sound";
    const where = known?.where ? ` (${known.where})` : "";
    return `This front end cannot play ${what}${where}: open the notebook in JupyterLab or a browser to hear it.`;
  }
  if (held) return "The browser holds sound back until a click: click Unmute to hear it.";
  return "";
}

/**
 * Compare hears one cell at a time: the cell clicked, or none when it was the one heard.
 * @param {string} heard
 * @param {string} key
 */
export function nextHeard(heard, key) {
  return heard === key ? "" : key;
}

/** A volume trait's value as a media element takes it. @param {unknown} value */
export function volumeOf(value) {
  const number = Number(value);
  return Number.isFinite(number) ? Math.min(1, Math.max(0, number)) : 1;
}

/**
 * The Volume slider (0 to 1, like the trait and the media element); `id` for a <label>.
 * @param {string | null} [id]
 */
export function volumeSlider(id = null) {
  return h("input", {
    class: "sora-volume",
    attrs: {
      id,
      type: "range",
      min: "0",
      max: "1",
      step: "0.05",
      "aria-label": "Volume",
      "data-testid": "volume",
    },
  });
}

/**
 * Show the trait's volume on a slider, unless a person is dragging it right now.
 * @param {HTMLInputElement} slider
 * @param {unknown} value
 */
export function showVolume(slider, value) {
  if (!slider.matches(":active")) slider.value = String(volumeOf(value));
}

/**
 * A video element and what some browsers add to it: Safari's `audioTracks`, Firefox's
 * `mozHasAudio`, Chromium's `webkitAudioDecodedByteCount`.
 * @typedef {HTMLVideoElement & {
 *   audioTracks?: { length: number },
 *   mozHasAudio?: boolean,
 *   webkitAudioDecodedByteCount?: number,
 * }} SoundVideo
 */

const GLYPHS = {
  on: ["M4 9.5h3.5L12 5.5v13l-4.5-4H4z", "M15.5 9a4 4 0 0 1 0 6", "M18 6.5a7.5 7.5 0 0 1 0 11"],
  off: ["M4 9.5h3.5L12 5.5v13l-4.5-4H4z", "M16 9.5l5 5", "M21 9.5l-5 5"],
};

/**
 * One video's sound control. `wanted()` says whether the traits ask for sound, `want(on)` asks
 * for it (a trait write); `codec()` is the kernel's reading of the file; `slider` adds the
 * Volume slider. Returns {el, button, note, apply, play, refuse}: `apply()` after any trait change,
 * `play()` instead of video.play(), `refuse()` when someone else's play() was refused sound.
 * @param {View<{ volume: number }>} ctx
 * @param {object} parts
 * @param {SoundVideo} parts.video
 * @param {() => boolean} parts.wanted
 * @param {(on: boolean) => void} parts.want
 * @param {() => string | null | undefined} parts.codec
 * @param {boolean} [parts.slider]
 * @param {string} [parts.testid]
 */
export function mountSound(ctx, { video, wanted, want, codec, slider = true, testid = "mute" }) {
  const button = h("button", {
    class: "sora-btn sora-btn--small sora-sound-toggle",
    attrs: { type: "button", "data-testid": testid },
  });
  const volume = slider ? volumeSlider() : null;
  const note = h("span", {
    class: "sora-sound-note",
    attrs: { "aria-live": "polite", "data-testid": "sound-note" },
  });
  const el = h("div", { class: "sora-sound" }, button, volume, note);

  let held = false; // the browser refused sound without a click: this view plays muted
  let silent = false; // unmuted playback decoded no audio: this front end has no decoder
  let played = 0; // media seconds played unmuted since the source was loaded
  /** @type {number | null} */
  let last = null;

  const on = () => wanted() && !held;
  const probe = {
    /** @param {string} type */
    canPlayType: (type) => video.canPlayType?.(type) ?? "",
    isTypeSupported: globalThis.MediaSource?.isTypeSupported?.bind(globalThis.MediaSource),
  };

  function render() {
    const sound = on();
    const label = sound ? "Mute" : "Unmute";
    if (button.dataset.state !== label) {
      button.dataset.state = label;
      attr(button, "aria-label", label);
      button.replaceChildren(icon(GLYPHS[sound ? "on" : "off"], 16), h("span", { text: label }));
    }
    const silentFile = codec() === "" || !video.getAttribute("src");
    button.disabled = silentFile;
    if (volume) {
      showVolume(volume, ctx.get("volume"));
      volume.disabled = silentFile;
    }
    const text = soundNotice({
      codec: codec(),
      decodable: canDecode(codec(), probe),
      silent,
      held,
    });
    setText(note, text);
    show(note, Boolean(text));
  }

  /** The element as the traits ask, unless the browser says no: then muted, and say so. */
  function apply() {
    video.volume = volumeOf(ctx.get("volume"));
    const sound = on();
    if (video.muted === !sound) return render();
    const wasPlaying = !video.paused;
    video.muted = !sound;
    // Chromium pauses a video that autoplayed muted when script unmutes it without a click.
    if (sound && wasPlaying && video.paused) refuse();
    else render();
  }

  function refuse() {
    held = true;
    video.muted = true;
    render();
    quietly(video.play());
  }

  function play() {
    const started = video.play();
    started?.catch?.((error) => {
      if (error?.name === "NotAllowedError" && !video.muted) refuse();
    });
  }

  /** @param {Promise<void> | undefined} started */
  function quietly(started) {
    started?.catch?.(() => {}); // refused or interrupted: the controls remain
  }

  ctx.listen(button, "click", () => {
    // A click is the gesture browsers wait for: sound held back is let through now.
    if (held && wanted()) {
      held = false;
      apply();
    } else {
      held = false;
      want(!on());
    }
  });
  if (volume) {
    ctx.listen(volume, "input", () => (video.volume = volumeOf(volume.value)));
    ctx.listen(volume, "change", () => ctx.set({ volume: volumeOf(volume.value) }));
  }
  // The native controls' mute and volume are choices too: every view follows them.
  ctx.listen(video, "volumechange", () => {
    if (video.muted === !on() && Math.abs(video.volume - volumeOf(ctx.get("volume"))) < 1e-3)
      return;
    if (held && !video.muted) held = false; // unmuted with a click on the native control
    if (held) return;
    ctx.set({ volume: video.volume });
    if (video.muted === wanted()) want(!video.muted);
  });
  ctx.listen(video, "loadstart", () => {
    silent = false;
    played = 0;
    last = null;
    render();
  });
  ctx.listen(video, "timeupdate", () => {
    const now = video.currentTime;
    const step = last === null ? 0 : now - last;
    last = now;
    if (!on() || video.paused || silent || !(step > 0 && step < 1)) return;
    played += step;
    const audio = hasAudio(codec(), video);
    if (
      decodesNothing({
        audio,
        playedSeconds: played,
        decodedBytes: video.webkitAudioDecodedByteCount,
      })
    ) {
      silent = true;
      render();
    }
  });

  render();
  return { el, button, note, apply, play, refuse };
}
