// @ts-check
// An image slot: a drop zone that is also the file picker's button, paste (anywhere in the widget
// for the first frame, into the slot for the others), a preview of the bytes the kernel holds,
// and the size-mismatch warning with Crop / Pad. The first frame is the `reference` trait; the
// Advanced section's last frame and reference images live in the `images` trait, by slot.
// Images are shrunk on a canvas (longest side <= 1792 px) and sent in pieces (upload.js), so no
// message reaches Colab's limit on browser-to-kernel messages; the kernel sets the trait when
// an image is whole.

import { emptyBytes, toBytes, UrlSlot } from "./blob.js";
import { fieldMessage } from "./context.js";
import { attr, h, ICONS, icon, setText, show } from "./dom.js";
import { unreadableImageMessage } from "./format.js";
import {
  canSendAsIs,
  formatBytes,
  JPEG_QUALITY,
  PNG_LIMIT,
  renameFor,
  SEND_LIMIT,
  shrinkSize,
  sniffImageType,
} from "./image.js";
import { sendBytes } from "./upload.js";

/**
 * @import { Context, View } from "./context.js"
 * @import { Binary, ImageInfo, WidgetTraits } from "./traits.js"
 */

/**
 * Where one image slot's bytes, name and info live, and how they are written.
 * @typedef {object} SlotSpec
 * @property {string} key
 * @property {string} label
 * @property {(keyof WidgetTraits & string)[]} traits The traits its image is read from.
 * @property {(keyof WidgetTraits & string)[]} infoTraits The traits its info is read from.
 * @property {(ctx: View<WidgetTraits>) => Binary | undefined} read
 * @property {(ctx: View<WidgetTraits>) => string} name
 * @property {(ctx: View<WidgetTraits>) => Partial<ImageInfo> | undefined} info
 * @property {(ctx: View<WidgetTraits>, value: Binary, name: string) => void} write
 * @property {(ctx: View<WidgetTraits>, bytes: Uint8Array, name: string) => void} upload
 * @property {boolean} anywhere Takes an image pasted or dropped anywhere in the widget.
 */

const FITS = [
  { value: "crop", label: "Crop", hint: "fill the frame, trim the edges" },
  { value: "pad", label: "Pad", hint: "keep the whole image, add bars" },
];

/**
 * @param {HTMLCanvasElement} canvas
 * @param {string} type
 * @param {number} [quality]
 * @returns {Promise<Blob>}
 */
function canvasBlob(canvas, type, quality) {
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error(`could not encode ${type}`))),
      type,
      quality,
    );
  });
}

/**
 * The bytes to send for an image file: {bytes: Uint8Array, name, note}. Untouched when it is
 * already small enough, else redrawn at most MAX_SIDE px and re-encoded (PNG, or JPEG if the
 * PNG is too big).
 * @param {File} file
 */
export async function prepareImage(file) {
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const sniffed = sniffImageType(head);
  const type = sniffed || file.type;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new Error(unreadableImageMessage(file.name, sniffed));
  }
  try {
    const target = shrinkSize(bitmap.width, bitmap.height);
    if (!target)
      throw new Error(`Reference image: ${file.name || "the pasted image"} has no pixels.`);
    if (canSendAsIs(type, file.size, target.scaled)) {
      return {
        bytes: new Uint8Array(await file.arrayBuffer()),
        name: file.name || renameFor("pasted image", type),
        note: "",
      };
    }
    const canvas = document.createElement("canvas");
    canvas.width = target.width;
    canvas.height = target.height;
    const g = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
    g.imageSmoothingEnabled = true;
    g.imageSmoothingQuality = "high";
    g.drawImage(bitmap, 0, 0, target.width, target.height);
    let blob = await canvasBlob(canvas, "image/png");
    if (blob.size > PNG_LIMIT) {
      // JPEG has no alpha: put the image on white rather than black.
      g.globalCompositeOperation = "destination-over";
      g.fillStyle = "#fff";
      g.fillRect(0, 0, target.width, target.height);
      blob = await canvasBlob(canvas, "image/jpeg", JPEG_QUALITY);
    }
    if (blob.size > SEND_LIMIT) {
      throw new Error(
        `Reference image: still ${formatBytes(blob.size)} after shrinking to ` +
          `${target.width}×${target.height}, over the ${formatBytes(SEND_LIMIT)} that can be ` +
          "sent. Use a smaller PNG or JPEG.",
      );
    }
    const note = target.scaled
      ? `Shrunk from ${bitmap.width}×${bitmap.height} to ${target.width}×${target.height}.`
      : "";
    return {
      bytes: new Uint8Array(await blob.arrayBuffer()),
      name: renameFor(file.name || "pasted image", blob.type),
      note,
    };
  } finally {
    bitmap.close?.();
  }
}

/** @param {DataTransfer | null | undefined} dataTransfer */
function imageFileFrom(dataTransfer) {
  for (const item of dataTransfer?.items ?? []) {
    if (item.kind === "file" && item.type.startsWith("image/")) return item.getAsFile();
  }
  for (const file of dataTransfer?.files ?? []) {
    if (file.type.startsWith("image/")) return file;
  }
  return dataTransfer?.files?.[0] ?? null;
}

/** @param {DataTransfer | null | undefined} dataTransfer */
function hasFiles(dataTransfer) {
  return Array.from(dataTransfer?.types ?? []).includes("Files");
}

/**
 * The first frame: the `reference` trait, its info, and paste or drop anywhere.
 * @type {SlotSpec}
 */
const FIRST_SLOT = {
  key: "reference",
  label: "Reference image",
  traits: ["reference", "reference_name"],
  infoTraits: ["reference_info", "reference"],
  read: (ctx) => ctx.get("reference"),
  name: (ctx) => ctx.get("reference_name"),
  info: (ctx) => ctx.get("reference_info"),
  write: (ctx, value, name) => ctx.set({ reference: value, reference_name: name }),
  upload: (ctx, bytes, name) => sendBytes(ctx, "reference", bytes, name),
  anywhere: true,
};

/**
 * A slot of the `images` trait ("last_frame", "reference_1", ...).
 * @param {string} key
 * @param {string} label
 * @returns {SlotSpec}
 */
export function imageSlot(key, label) {
  /** @param {View<WidgetTraits>} ctx */
  const images = (ctx) => ctx.get("images") || {};
  return {
    key,
    label,
    traits: ["images"],
    infoTraits: ["image_info", "images"],
    read: (ctx) => images(ctx)[key],
    name: () => "",
    info: (ctx) => ctx.get("image_info")?.[key],
    write: (ctx, value) => {
      const next = { ...images(ctx) };
      if (toBytes(value)) next[key] = value;
      else delete next[key];
      ctx.set({ images: next });
    },
    upload: (ctx, bytes) => sendBytes(ctx, key, bytes, ""),
    anywhere: false,
  };
}

/** @param {Context<WidgetTraits>} ctx @param {HTMLElement} root */
export function mountReference(ctx, root) {
  return mountImageSlot(ctx, root, FIRST_SLOT);
}

/**
 * @param {View<WidgetTraits>} ctx
 * @param {HTMLElement} root the widget, where the first frame takes pastes and drops
 * @param {SlotSpec} slotSpec
 */
export function mountImageSlot(ctx, root, slotSpec) {
  const { key } = slotSpec;
  const first = key === "reference";
  /** @param {string} name */
  const tid = (name) => (first ? `reference${name}` : `${key}${name}`);
  const labelId = ctx.id(`${key}-label`);
  const hintId = ctx.id(`${key}-hint`);
  const noteId = ctx.id(`${key}-note`);
  const fitName = ctx.id(`${key}-fit`);

  const input = h("input", {
    class: "sora-file",
    attrs: {
      type: "file",
      accept: "image/png,image/jpeg,image/webp,image/*",
      tabindex: "-1",
      "aria-hidden": "true",
      "data-testid": tid("-input"),
    },
  });
  const dropText = h("span", { class: "sora-drop-text", attrs: { id: hintId } });
  const drop = h(
    "button",
    {
      class: "sora-drop",
      attrs: {
        type: "button",
        "aria-labelledby": labelId,
        "aria-describedby": `${hintId} ${noteId}`,
        "data-testid": tid(""),
      },
    },
    icon(ICONS.image, 18),
    dropText,
  );

  const image = h("img", { class: "sora-ref-image", attrs: { alt: `${slotSpec.label} preview` } });
  const name = h("span", { class: "sora-ref-name", attrs: { "data-testid": tid("-name") } });
  const dims = h("span", { class: "sora-ref-dims", attrs: { "data-testid": tid("-size") } });
  const clear = h("button", {
    class: "sora-btn sora-btn--quiet sora-btn--small",
    text: "Remove",
    attrs: {
      type: "button",
      "aria-label": `Remove ${slotSpec.label.toLowerCase()}`,
      "data-testid": tid("-clear"),
    },
  });
  const preview = h(
    "div",
    { class: "sora-ref-preview", attrs: { "data-testid": tid("-preview") } },
    image,
    h("div", { class: "sora-ref-meta" }, name, dims),
    clear,
  );

  const note = h("p", {
    class: "sora-ref-note",
    attrs: { id: noteId, "aria-live": "polite", "data-testid": tid("-note") },
  });

  const warningText = h("p", {
    class: "sora-ref-warning-text",
    attrs: { "data-testid": tid("-message") },
  });
  const radios = FITS.map((fit) => {
    const radio = h("input", {
      attrs: {
        type: "radio",
        name: fitName,
        value: fit.value,
        "data-testid": first ? `fit-${fit.value}` : `${key}-fit-${fit.value}`,
      },
    });
    const label = h(
      "label",
      { class: "sora-choice" },
      radio,
      h("span", { class: "sora-choice-label", text: fit.label }),
      h("span", { class: "sora-choice-hint", text: fit.hint }),
    );
    return { radio, label };
  });
  const fitGroup = h(
    "fieldset",
    { class: "sora-fit", attrs: { "data-testid": first ? "fit" : `${key}-fit` } },
    h("legend", { class: "sora-fit-legend", text: "Fit the image" }),
    ...radios.map((r) => r.label),
  );
  const warning = h(
    "div",
    { class: "sora-ref-warning", attrs: { "data-testid": tid("-warning") } },
    warningText,
    fitGroup,
  );
  const info = h("p", { class: "sora-ref-info" });

  const el = h(
    "div",
    { class: `sora-field sora-field--reference sora-field--${key}` },
    h("span", { class: "sora-label", text: slotSpec.label, attrs: { id: labelId } }),
    h(
      "div",
      { class: "sora-ref-body" },
      h("div", { class: "sora-ref-row" }, drop, preview, input),
      note,
      info,
      warning,
    ),
  );

  const slot = new UrlSlot();
  ctx.onDispose(() => slot.clear());
  let busy = 0; // a counter, so a slow image finishing after a fast one cannot clear "busy"
  let disposed = false;
  ctx.onDispose(() => {
    disposed = true;
  });

  /** @param {string} text */
  function setNote(text, kind = "") {
    setText(note, text);
    note.dataset.kind = kind;
  }

  /** @param {File | null | undefined} file */
  async function accept(file) {
    if (!file) return;
    const ticket = ++busy;
    drop.classList.add("is-busy");
    setNote("Preparing image…");
    try {
      const prepared = await prepareImage(file);
      if (disposed || ticket !== busy) return;
      slotSpec.upload(ctx, prepared.bytes, prepared.name);
      setNote(prepared.note);
    } catch (error) {
      if (!disposed && ticket === busy)
        setNote(/** @type {Error} */ (error).message || String(error), "error");
    } finally {
      if (!disposed && ticket === busy) drop.classList.remove("is-busy");
      input.value = "";
    }
  }

  // Model -> view
  ctx.watch(slotSpec.traits, () => {
    const value = slotSpec.read(ctx);
    const bytes = toBytes(value);
    const url = slot.set(value, bytes ? sniffImageType(bytes.subarray(0, 16)) || "image/png" : "");
    if (url) image.src = url;
    else image.removeAttribute("src");
    show(preview, Boolean(url));
    setText(name, slotSpec.name(ctx) || (url ? "Image" : ""));
    name.title = slotSpec.name(ctx) || "";
    setText(dropText, url ? "Replace: drop, paste or choose" : "Drop, paste or choose an image");
    if (!url && note.dataset.kind !== "error") setNote("");
  });
  ctx.watch(slotSpec.infoTraits, () => {
    const present = Boolean(toBytes(slotSpec.read(ctx)));
    const refInfo = (present && slotSpec.info(ctx)) || {};
    const known = Number(refInfo.width) > 0 && Number(refInfo.height) > 0;
    setText(dims, known ? `${refInfo.width}×${refInfo.height}` : "");
    const mismatch = present && refInfo.matches === false;
    show(warning, mismatch);
    setText(
      warningText,
      mismatch ? refInfo.message || "The image size differs from the video size." : "",
    );
    setText(info, !mismatch && present ? refInfo.message || "" : "");
    show(info, !mismatch && present && Boolean(refInfo.message));
  });
  ctx.watch(["fit"], () => {
    const fit = ctx.get("fit") || "";
    for (const { radio } of radios) radio.checked = radio.value === fit;
  });
  ctx.watch(["problems", "error"], () => {
    attr(drop, "aria-invalid", fieldMessage(ctx, key) ? "true" : null);
    const fitInvalid = Boolean(fieldMessage(ctx, "fit"));
    for (const { radio } of radios) attr(radio, "aria-invalid", fitInvalid ? "true" : null);
  });

  // View -> model
  ctx.listen(drop, "click", () => input.click());
  ctx.listen(input, "change", () => accept(input.files?.[0]));
  ctx.listen(clear, "click", () => {
    slotSpec.write(ctx, emptyBytes(), "");
    setNote("");
    drop.focus();
  });
  for (const { radio } of radios) {
    ctx.listen(radio, "change", () => radio.checked && ctx.set({ fit: radio.value }));
  }

  // The first frame takes an image pasted or dropped anywhere in the widget; another slot what
  // is pasted or dropped on it (it stops there, so the first frame does not take it too).
  const area = slotSpec.anywhere ? root : el;
  // Paste an image (text pastes into text fields as usual).
  ctx.listen(area, "paste", (event) => {
    // Text copied together with a picture (from a word processor, say) goes into a text field.
    const target = event.target;
    const inText = target instanceof Element && target.matches("textarea, input");
    if (inText && Array.from(event.clipboardData?.types ?? []).includes("text/plain")) return;
    const file = imageFileFrom(event.clipboardData);
    if (!file?.type.startsWith("image/")) return;
    event.preventDefault();
    event.stopPropagation();
    accept(file);
  });
  // Drop an image anywhere on the widget; the drop zone lights up while files are dragged over.
  let depth = 0;
  /** @param {boolean} on */
  const setDragging = (on) => drop.classList.toggle("is-dragging", on);
  ctx.listen(area, "dragenter", (event) => {
    if (!hasFiles(event.dataTransfer)) return;
    event.preventDefault();
    depth += 1;
    setDragging(true);
  });
  ctx.listen(area, "dragover", (event) => {
    if (!hasFiles(event.dataTransfer)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
  });
  ctx.listen(area, "dragleave", () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) setDragging(false);
  });
  ctx.listen(area, "drop", (event) => {
    if (!hasFiles(event.dataTransfer)) return;
    event.preventDefault();
    event.stopPropagation();
    depth = 0;
    setDragging(false);
    accept(imageFileFrom(event.dataTransfer));
  });

  return { el };
}
