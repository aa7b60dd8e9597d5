"""Bad input from the page: typed, chosen, dropped or pasted into the panel in real JupyterLab.

The Python API's side of the same table is `tests/test_bad_input.py`. Here every value comes
from the page, as a person (or a tampered page) would send it, and each case checks:

- the specific message, in plain words and naming the field, where a person looks for it;
- Generate stays disabled while the kernel disagrees, and the kernel refuses a forced click;
- nothing is lost: the prompt typed (and an image already chosen) are still there;
- no HTML from anyone is interpreted: every hostile value sets `window.__xss` if it ever runs,
  and no element with an `onerror` attribute, no `img[src=x]`, no `<script>` appears.

One notebook and one kernel serve the whole table (`panel`, module-scoped); each case starts
from the same valid form (`form`), so any case also runs on its own (`-k`).
"""

from __future__ import annotations

import base64
import io
import os
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from .helpers import ARTIFACTS, run_first_cell

pytestmark = pytest.mark.browser

VALID = "a lighthouse on a cliff at dusk"
MODELS = ("sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06", "sora-2-2025-12-08")
PRO_SIZES = ("1024x1792", "1792x1024")
EMPTY = "'prompt' is empty: describe the video in 1 to 32,000 characters."
TOO_LONG = "'prompt' is too long: 32,001 characters, the maximum is 32,000."
ODD_BUT_VALID = "🦊\x00 a fox\x07 in\x1b[31m snow ❄️ 👨‍👩‍👧\tdone\x7f"
#: Each hostile value marks `window.__xss` with its source if it ever runs: "prompt" and
#: "script" (the prompt), 3 (a model value), 4 (a file name), 5 (a file's content). The flag
#: is never cleared, so a handler that fires late still fails a case, and names its source.
HOSTILE = (
    "<img src=x onerror=\"window.__xss='prompt'\"><script>window.__xss='script'</script>"
    "<b>a cat</b> &amp; a dog"
)
#: Waits for what the kernel says back (a round trip through the websocket).
KERNEL = 20_000
#: A generation at the browser tests' simulator speed, with room to spare.
GENERATION = 120_000

NO_HTML_RAN = """() => ({
  xss: window.__xss === undefined ? null : String(window.__xss),
  onerror: document.querySelectorAll('[onerror]').length,
  imgX: document.querySelectorAll('img[src="x"]').length,
  scripts: document.querySelectorAll('[data-testid="sora-widget"] script').length,
  bold: document.querySelectorAll('[data-testid="sora-widget"] b').length,
})"""

REASONS = """() => [...document.querySelectorAll(
  '[data-testid="sora-widget"] [data-testid="generate-reason"] p')]
  .filter(p => p.offsetParent !== null).map(p => [p.dataset.field, p.textContent])"""

#: What a tampered page (or a stale one) can send: any value in a select, then "change".
TAMPER_SELECT = """([testid, value]) => {
  const select = document.querySelector(
    `[data-testid="sora-widget"] select[data-testid="${testid}"]`);
  let option = [...select.options].find(o => o.value === value);
  if (!option) {
    option = document.createElement('option');
    option.value = value;
    option.textContent = value;
    select.append(option);
  }
  option.disabled = false;
  select.value = value;
  select.dispatchEvent(new Event('change', {bubbles: true}));
}"""

#: A tampered page clicks Generate although the panel disabled it.
FORCE_GENERATE = """() => {
  const button = document.querySelector('[data-testid="sora-widget"] [data-testid="generate"]');
  const was = button.disabled;
  button.disabled = false;
  button.click();
  return was;
}"""

#: A file dropped on, or pasted into, the panel, built from bytes as the OS would hand it over.
DROP_OR_PASTE = """([how, name, type, b64]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const data = new DataTransfer();
  data.items.add(new File([bytes], name, {type}));
  const target = document.querySelector('[data-testid="sora-widget"] [data-testid="reference"]');
  const init = {bubbles: true, cancelable: true};
  const event = how === 'drop'
    ? new DragEvent('drop', {...init, dataTransfer: data})
    : new ClipboardEvent('paste', {...init, clipboardData: data});
  target.dispatchEvent(event);
  return event.defaultPrevented;
}"""

#: The panel has no control to go back to "no fit" once Crop or Pad is chosen: the form's reset
#: sends fit = "" through a radio, as the page would, so each case starts alike.
RESET_FIT = """() => {
  const radios = [...document.querySelectorAll(
    '[data-testid="sora-widget"] [data-testid="fit"] input[type="radio"]')];
  const checked = radios.find(r => r.checked);
  if (!checked) return false;
  const value = checked.value;
  checked.value = '';
  checked.dispatchEvent(new Event('change'));
  checked.value = value;
  for (const radio of radios) radio.checked = false;
  return true;
}"""


# ---- the panel, shared by every case --------------------------------------------------------


@dataclass
class Panel:
    page: Page
    files: Path
    page_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = self.page.get_by_test_id("sora-widget")
        self.prompt = self.root.get_by_role("textbox", name="Prompt", exact=True)
        self.count = self.root.get_by_test_id("char-count")
        self.generate = self.root.get_by_role("button", name="Generate", exact=True)
        self.reason = self.root.get_by_test_id("generate-reason")
        self.error = self.root.get_by_test_id("error")
        self.error_title = self.root.get_by_test_id("error-title")
        self.error_message = self.root.get_by_test_id("error-message")
        self.drop = self.root.get_by_role("button", name="Reference image", exact=True)
        self.note = self.root.get_by_test_id("reference-note")
        self.preview = self.root.get_by_test_id("reference-preview")
        self.ref_name = self.root.get_by_test_id("reference-name")
        self.ref_dims = self.root.get_by_test_id("reference-size")
        self.warning = self.root.get_by_test_id("reference-warning")
        self.remix = self.root.get_by_role("textbox", name="Remix prompt", exact=True)
        self.history = self.root.get_by_test_id("history-item")

    def select(self, label: str):
        return self.root.get_by_label(label, exact=True)

    def reasons(self) -> list[list[str]]:
        return self.page.evaluate(REASONS)

    def expect_refused(self, field_name: str, message: str) -> None:
        """The kernel's reason is shown under Generate, naming the field; Generate is off."""
        item = self.reason.locator(f"p[data-field='{field_name}']")
        expect(item).to_have_text(message, timeout=KERNEL)
        assert self.reasons() == [[field_name, message]], self.reasons()
        expect(self.generate).to_be_disabled()
        expect(self.generate).to_have_attribute("title", message)

    def expect_accepted(self) -> None:
        expect(self.generate).to_be_enabled(timeout=KERNEL)
        expect(self.reason).to_be_hidden()
        # The kernel's answer to an earlier change (a tampered value) may still be on its way
        # and show for a moment after the reset's: the form must settle with no reason shown.
        settled = f"() => ({REASONS})().length === 0"
        self.page.wait_for_function(settled, timeout=KERNEL, polling=100)
        assert self.reasons() == [], self.reasons()
        expect(self.generate).to_be_enabled()

    def choose_file(self, path: Path) -> None:
        """As a person does: click the Reference image button and pick a file."""
        with self.page.expect_file_chooser() as chooser:
            self.drop.click()
        chooser.value.set_files(str(path))

    def drop_or_paste(self, how: str, name: str, content_type: str, data: bytes) -> None:
        handled = self.page.evaluate(
            DROP_OR_PASTE, [how, name, content_type, base64.b64encode(data).decode()]
        )
        assert handled, f"the panel did not take the {how}"

    def reset(self) -> None:
        """Back to a valid form: no reference, no fit, sora-2 720x1280 4 s, a valid prompt."""
        if self.preview.is_visible():
            self.root.get_by_role("button", name="Remove reference image").click()
            expect(self.preview).to_be_hidden(timeout=KERNEL)
        self.page.evaluate(RESET_FIT)
        # Size and duration first: 720x1280 for 4 s suits every model a case leaves chosen, so
        # no step passes through a refused form whose reason could arrive after the last step.
        for label, value in (("Size", "720x1280"), ("Duration", "4"), ("Model", "sora-2")):
            if self.select(label).input_value() != value:
                self.select(label).select_option(value)
        self.prompt.fill(VALID)
        self.expect_accepted()
        self.page_errors.clear()


@pytest.fixture(scope="module")
def panel(browser, lab_server, tmp_path_factory) -> Panel:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    shared = Panel(page, tmp_path_factory.mktemp("bad-input-files"))
    page.on("pageerror", lambda error: shared.page_errors.append(str(error)))
    run_first_cell(page, lab_server, "bad_input.ipynb")
    yield shared
    context.close()


@pytest.fixture
def form(panel: Panel, request) -> Panel:
    panel.reset()
    yield panel
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.name.replace("/", "_")
        panel.page.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"), full_page=True)


def assert_nothing_ran_or_crashed(panel: Panel) -> None:
    """After every case: no hostile HTML interpreted, no uncaught error in the page, no
    traceback in the notebook."""
    facts = panel.page.evaluate(NO_HTML_RAN)
    assert facts == {"xss": None, "onerror": 0, "imgX": 0, "scripts": 0, "bold": 0}, facts
    assert panel.page_errors == [], panel.page_errors
    tracebacks = panel.page.locator(".jp-OutputArea-output").filter(has_text="Traceback")
    assert tracebacks.count() == 0, tracebacks.first.inner_text()


# ---- the prompt -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PromptCase:
    id: str
    text: str
    refused: str | None  # the exact message, or None when the prompt is valid


PROMPTS = [
    PromptCase("empty", "", EMPTY),
    PromptCase("spaces", "      ", EMPTY),
    PromptCase("newlines-and-tabs", "\n\t \n\t", EMPTY),
    PromptCase("unicode-spaces", "\u00a0\u2003\u3000", EMPTY),
    PromptCase("32001-characters", "a" * 32_001, TOO_LONG),
    # An emoji is one character, as Python counts it, not two UTF-16 units.
    PromptCase("32001-emoji", "🦊" * 32_001, TOO_LONG),
    PromptCase("32001-with-html", (HOSTILE * 400)[:32_001], TOO_LONG),
    PromptCase("exactly-32000", "a" * 32_000, None),
    PromptCase("32000-emoji", "🦊" * 32_000, None),
    PromptCase("control-characters-and-emoji", ODD_BUT_VALID, None),
    PromptCase("right-to-left-and-combining", "ثعلب أحمر \u202e in snow e\u0301\u0301", None),
    PromptCase("html-and-script", HOSTILE, None),
]


@pytest.mark.parametrize("case", PROMPTS, ids=[c.id for c in PROMPTS])
def test_prompt(form: Panel, case: PromptCase):
    form.prompt.fill(case.text)  # one input event, as a paste gives
    if case.refused:
        form.expect_refused("prompt", case.refused)
        expect(form.prompt).to_have_attribute("aria-invalid", "true")
    else:
        form.expect_accepted()
        expect(form.prompt).not_to_have_attribute("aria-invalid", "true")
    # The count is code points, as the kernel counts them, and is marked when over.
    expect(form.count).to_have_text(f"{len(case.text):,} / 32,000")
    over = "is-over" in (form.count.get_attribute("class") or "")
    assert over == (len(case.text) > 32_000), form.count.get_attribute("class")
    # Nothing is lost: the text is still there, exactly as typed.
    assert form.prompt.input_value() == case.text
    assert_nothing_ran_or_crashed(form)


def test_ctrl_enter_on_an_empty_prompt_sends_nothing(form: Panel):
    form.prompt.fill("   ")
    form.expect_refused("prompt", EMPTY)
    before = {"history": form.history.count(), "error": form.error_message.inner_text()}
    job_id = form.root.get_by_test_id("job-id")
    before["job"] = job_id.get_attribute("title")
    form.prompt.press("Control+Enter")
    form.page.wait_for_timeout(1500)  # a sent request would have changed the job or the error
    after = {
        "history": form.history.count(),
        "error": form.error_message.inner_text(),
        "job": job_id.get_attribute("title"),
    }
    assert after == before
    assert form.prompt.input_value() == "   "
    assert_nothing_ran_or_crashed(form)


# ---- model, size and duration ---------------------------------------------------------------


def test_sizes_a_model_does_not_allow_are_disabled(form: Panel):
    size = form.select("Size")
    for model in MODELS:
        form.select("Model").select_option(model)
        pro = "pro" in model
        for value in ("720x1280", "1280x720", *PRO_SIZES):
            option = size.locator(f"option[value='{value}']")
            if value in PRO_SIZES and not pro:
                expect(option, f"{value} for {model}").to_be_disabled()
            else:
                expect(option, f"{value} for {model}").to_be_enabled()
        allowed = "720x1280, 1280x720" + (", 1024x1792, 1792x1024" if pro else "")
        expect(size).to_have_attribute("title", f"{model} allows {allowed}")
        form.expect_accepted()
    assert form.prompt.input_value() == VALID
    assert_nothing_ran_or_crashed(form)


def test_changing_the_model_makes_the_chosen_size_invalid(form: Panel):
    form.select("Model").select_option("sora-2-pro")
    form.select("Size").select_option("1792x1024")
    form.expect_accepted()
    form.select("Model").select_option("sora-2")  # a person's path, no tampering
    form.expect_refused(
        "size",
        "Invalid value for 'size': '1792x1024' is not available for model 'sora-2'. "
        "Supported values are '720x1280', '1280x720'.",
    )
    size = form.select("Size")
    expect(size).to_have_attribute("aria-invalid", "true")
    assert size.input_value() == "1792x1024"  # the choice is kept, shown as not allowed
    expect(size.locator("option[value='1792x1024']")).to_be_disabled()
    size.select_option("1280x720")
    form.expect_accepted()
    expect(size).not_to_have_attribute("aria-invalid", "true")
    assert form.prompt.input_value() == VALID
    assert_nothing_ran_or_crashed(form)


@dataclass(frozen=True)
class SelectCase:
    id: str
    label: str  # the select's accessible name
    field: str  # the trait and the field the message names
    value: str
    message: str
    fix: tuple[str, str]  # (label, value) a person picks to make the form valid again


def _size(value: str) -> str:
    return (
        f"Invalid value for 'size': '{value}' is not available for model 'sora-2'. "
        "Supported values are '720x1280', '1280x720'."
    )


def _seconds(value: str) -> str:
    return f"Invalid value for 'seconds': '{value}'. Supported values are '4', '8', '12'."


def _model(value: str) -> str:
    """Any model name is sent as typed (a server's own may be anything): only an empty or
    absurdly long one is refused here."""
    if value:
        return (
            "Invalid value for 'model': a name of at most 256 printable characters was "
            f"expected, got {len(value):,} characters."
        )
    return (
        "Invalid value for 'model': ''. Give the model's name as the server lists it, such as "
        "'sora-2', 'veo-3.1-generate-preview' or 'Wan-AI/Wan2.2-T2V-A14B'."
    )


XSS_SIZE = "<img src=x onerror=window.__xss=3>"
LONG_MODEL = "sora-" + "2" * 300
SELECTS = [
    SelectCase(
        "size-pro-only", "Size", "size", "1792x1024", _size("1792x1024"), ("Model", "sora-2-pro")
    ),
    SelectCase(
        "size-pro-portrait", "Size", "size", "1024x1792", _size("1024x1792"), ("Size", "720x1280")
    ),
    SelectCase("size-unknown", "Size", "size", "640x480", _size("640x480"), ("Size", "1280x720")),
    SelectCase("size-empty", "Size", "size", "", _size(""), ("Size", "720x1280")),
    SelectCase("model-long", "Model", "model", LONG_MODEL, _model(LONG_MODEL), ("Model", "sora-2")),
    SelectCase("model-empty", "Model", "model", "", _model(""), ("Model", "sora-2-pro")),
    SelectCase("size-html", "Size", "size", XSS_SIZE, _size(XSS_SIZE), ("Size", "720x1280")),
    SelectCase("seconds-5", "Duration", "seconds", "5", _seconds("5"), ("Duration", "8")),
    SelectCase("seconds-16", "Duration", "seconds", "16", _seconds("16"), ("Duration", "12")),
    SelectCase("seconds-4.0", "Duration", "seconds", "4.0", _seconds("4.0"), ("Duration", "4")),
    SelectCase("seconds-empty", "Duration", "seconds", "", _seconds(""), ("Duration", "4")),
]


@pytest.mark.parametrize("case", SELECTS, ids=[c.id for c in SELECTS])
def test_tampered_select(form: Panel, case: SelectCase):
    """A value the select does not offer (a tampered or stale page) is named and refused."""
    form.page.evaluate(TAMPER_SELECT, [case.field, case.value])
    form.expect_refused(case.field, case.message)
    select = form.select(case.label)
    expect(select).to_have_attribute("aria-invalid", "true")
    if case.field == "model" and case.value:  # a name the menu does not list: typed, shown
        name = form.root.get_by_role("textbox", name="Model name")
        expect(name).to_have_value(case.value)
        expect(name).to_have_attribute("aria-invalid", "true")
        expect(select.locator("option:checked")).to_have_text("Other model…")
    elif case.value:  # shown as chosen, and marked as not allowed
        assert select.input_value() == case.value
        expect(select.locator("option:checked")).to_be_disabled()
    else:  # nothing to show: the select is blank, the message says ''
        assert select.input_value() == case.value
        expect(select.locator("option:checked")).to_have_count(0)
    assert form.prompt.input_value() == VALID
    label, value = case.fix
    form.select(label).select_option(value)
    form.expect_accepted()
    expect(select).not_to_have_attribute("aria-invalid", "true")
    assert_nothing_ran_or_crashed(form)


@dataclass(frozen=True)
class ForcedCase:
    id: str
    setup: Callable[[Panel], None]
    field: str
    message: str


FORCED = [
    ForcedCase("empty-prompt", lambda p: p.prompt.fill(""), "prompt", EMPTY),
    ForcedCase(
        "size-html",
        lambda p: p.page.evaluate(TAMPER_SELECT, ["size", XSS_SIZE]),
        "size",
        _size(XSS_SIZE),
    ),
    ForcedCase(
        "size-pro-only",
        lambda p: p.page.evaluate(TAMPER_SELECT, ["size", "1792x1024"]),
        "size",
        _size("1792x1024"),
    ),
]


@pytest.mark.parametrize("case", FORCED, ids=[c.id for c in FORCED])
def test_forced_generate_is_refused_by_the_kernel(form: Panel, case: ForcedCase):
    """Generate clicked although disabled: the kernel refuses in plain words, sends nothing."""
    prompt = form.prompt.input_value() if case.field != "prompt" else ""
    case.setup(form)
    form.expect_refused(case.field, case.message)
    history = form.history.count()
    assert form.page.evaluate(FORCE_GENERATE) is True, "Generate was not disabled"
    expect(form.error_message).to_have_text(case.message, timeout=KERNEL)
    expect(form.error_title).to_have_text("Invalid request")
    expect(form.error).to_be_visible()
    assert "Traceback" not in form.error.inner_text()
    expect(form.generate).to_be_disabled()
    assert form.history.count() == history
    assert form.prompt.input_value() == prompt
    assert_nothing_ran_or_crashed(form)


# ---- the reference image --------------------------------------------------------------------


def png(width: int, height: int, color=(30, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def corrupt_png() -> bytes:
    """A valid signature and header (720x1280, the video size), then garbage for pixels."""
    header = struct.pack(">IIBBBBB", 720, 1280, 8, 2, 0, 0, 0)
    garbage = bytes((i * 7919) % 251 for i in range(6000))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", garbage)
        + _chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def gif(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (width, height), 3).save(buffer, "GIF")
    return buffer.getvalue()


def huge_png(path: Path, side: int = 4473) -> Path:
    """About 60 MB: noise, stored without compression, so the browser has it all to decode."""
    if not path.exists():
        image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        image.save(path, "PNG", compress_level=0)
    return path


def not_an_image(name: str) -> str:
    return (
        f"Reference image: “{name}” is not an image this browser can read. "
        "Use a PNG, JPEG or WebP file."
    )


def damaged(name: str, kind: str) -> str:
    return (
        f"Reference image: “{name}” starts like a {kind} but could not be decoded: the file "
        "is damaged, or too large to open. Use a PNG, JPEG or WebP file."
    )


@dataclass(frozen=True)
class FileCase:
    id: str
    how: str  # "choose" (the file chooser), "drop" or "paste"
    name: str
    content_type: str
    data: Callable[[], bytes]
    note: str  # the exact message under the drop zone


REFUSED_FILES = [
    FileCase(
        "text-file",
        "choose",
        "notes.txt",
        "text/plain",
        lambda: b"hello\n",
        not_an_image("notes.txt"),
    ),
    FileCase(
        "text-named-png",
        "choose",
        "notes.png",
        "image/png",
        lambda: b"not a png",
        not_an_image("notes.png"),
    ),
    FileCase(
        "empty-file", "choose", "empty.png", "image/png", lambda: b"", not_an_image("empty.png")
    ),
    FileCase(
        "corrupt-png",
        "choose",
        "corrupt.png",
        "image/png",
        corrupt_png,
        damaged("corrupt.png", "PNG"),
    ),
    FileCase(
        "truncated-png",
        "choose",
        "truncated.png",
        "image/png",
        lambda: png(720, 1280, (200, 40, 40))[:400],
        damaged("truncated.png", "PNG"),
    ),
    FileCase(
        "truncated-jpeg",
        "choose",
        "truncated.jpg",
        "image/jpeg",
        lambda: jpeg(720, 1280)[:5000],
        damaged("truncated.jpg", "JPEG"),
    ),
    FileCase(
        "html-file-name",
        "choose",
        "<img src=x onerror=window.__xss=4>.txt",
        "text/plain",
        lambda: b"<script>window.__xss=5</script>",
        not_an_image("<img src=x onerror=window.__xss=4>.txt"),
    ),
    FileCase(
        "dropped-text-file",
        "drop",
        "dropped.txt",
        "text/plain",
        lambda: b"hi",
        not_an_image("dropped.txt"),
    ),
    FileCase(
        "dropped-corrupt-png",
        "drop",
        "dropped.png",
        "image/png",
        corrupt_png,
        damaged("dropped.png", "PNG"),
    ),
    FileCase(
        "pasted-corrupt-png",
        "paste",
        "pasted.png",
        "image/png",
        corrupt_png,
        damaged("pasted.png", "PNG"),
    ),
]


def give_file(panel: Panel, case: FileCase) -> None:
    if case.how == "choose":
        path = panel.files / case.name
        path.write_bytes(case.data())
        panel.choose_file(path)
    else:
        panel.drop_or_paste(case.how, case.name, case.content_type, case.data())


@pytest.mark.parametrize("case", REFUSED_FILES, ids=[c.id for c in REFUSED_FILES])
def test_a_file_that_is_not_a_readable_image(form: Panel, case: FileCase):
    give_file(form, case)
    expect(form.note).to_have_text(case.note, timeout=KERNEL)
    assert form.note.get_attribute("data-kind") == "error"
    # Refused in the browser: nothing reached the kernel, the form is as it was.
    expect(form.preview).to_be_hidden()
    form.expect_accepted()
    assert form.prompt.input_value() == VALID
    assert_nothing_ran_or_crashed(form)


def test_a_bad_file_does_not_replace_the_image_already_chosen(form: Panel):
    good = form.files / "good.png"
    good.write_bytes(png(720, 1280))
    form.choose_file(good)
    expect(form.ref_dims).to_have_text("720×1280", timeout=KERNEL)
    bad = form.files / "second-try.txt"
    bad.write_text("oops")
    form.choose_file(bad)
    expect(form.note).to_have_text(not_an_image("second-try.txt"), timeout=KERNEL)
    expect(form.preview).to_be_visible()
    expect(form.ref_name).to_have_text("good.png")
    expect(form.ref_dims).to_have_text("720×1280")
    form.expect_accepted()
    assert form.prompt.input_value() == VALID
    assert_nothing_ran_or_crashed(form)


def test_an_image_of_the_wrong_size_offers_crop_and_pad(form: Panel):
    wide = form.files / "wide.png"
    wide.write_bytes(png(640, 480))
    form.choose_file(wide)
    message = (
        "The reference image is 640x480 but the video is 720x1280: choose Crop or Pad to fit it, "
        "or pick a matching size."
    )
    expect(form.warning).to_be_visible(timeout=KERNEL)
    expect(form.root.get_by_test_id("reference-message")).to_have_text(message)
    form.expect_refused("reference", message)
    expect(form.drop).to_have_attribute("aria-invalid", "true")
    expect(form.ref_dims).to_have_text("640×480")
    fit = form.root.get_by_role("group", name="Fit the image")
    expect(fit.get_by_role("radio")).to_have_count(2)
    fit.get_by_text("Pad", exact=True).click()
    form.expect_accepted()
    expect(form.ref_name).to_have_text("wide.png")
    assert form.prompt.input_value() == VALID
    assert_nothing_ran_or_crashed(form)


def test_an_image_of_the_other_orientation_is_fixed_by_picking_its_size(form: Panel):
    landscape = form.files / "landscape.png"
    landscape.write_bytes(png(1280, 720))
    form.choose_file(landscape)
    form.expect_refused(
        "reference",
        "The reference image is 1280x720 but the video is 720x1280: choose Crop or Pad to fit it, "
        "or pick a matching size.",
    )
    form.select("Size").select_option("1280x720")
    form.expect_accepted()
    expect(form.warning).to_be_hidden()
    expect(form.ref_dims).to_have_text("1280×720")
    assert form.prompt.input_value() == VALID
    assert_nothing_ran_or_crashed(form)


def test_a_gif_is_converted_not_refused(form: Panel):
    path = form.files / "still.gif"
    path.write_bytes(gif(720, 1280))
    form.choose_file(path)
    expect(form.ref_name).to_have_text("still.png", timeout=KERNEL)  # re-encoded as PNG
    expect(form.ref_dims).to_have_text("720×1280")
    form.expect_accepted()
    expect(form.note).to_have_text("")
    assert_nothing_ran_or_crashed(form)


def test_a_60_mb_image_is_shrunk_in_the_browser_before_it_reaches_the_kernel(form: Panel):
    path = huge_png(form.files / "huge.png")
    assert path.stat().st_size > 60_000_000  # six times the server's 10 MiB websocket limit
    form.choose_file(path)
    expect(form.note).to_have_text("Shrunk from 4473×4473 to 1792×1792.", timeout=60_000)
    # The size below is what the kernel read from the bytes it received: the shrunk image.
    expect(form.ref_dims).to_have_text("1792×1792", timeout=KERNEL)
    name = form.ref_name.inner_text()
    assert name in ("huge.jpg", "huge.png"), name
    form.expect_refused(
        "reference",
        "The reference image is 1792x1792 but the video is 720x1280: choose Crop or Pad to fit it, "
        "or pick a matching size.",
    )
    assert form.prompt.input_value() == VALID
    assert_nothing_ran_or_crashed(form)


# ---- odd but valid prompts, end to end ------------------------------------------------------

GENERATED = [
    PromptCase("control-characters-and-emoji", ODD_BUT_VALID, None),
    PromptCase("html-and-script", HOSTILE, None),
]


@pytest.mark.parametrize("case", GENERATED, ids=[c.id for c in GENERATED])
def test_odd_prompt_generates_and_comes_back_intact(form: Panel, case: PromptCase):
    form.prompt.fill(case.text)
    form.expect_accepted()
    history = form.history.count()
    form.generate.click()
    # The remix box is filled from the finished video's record: the prompt went to the server,
    # into the library and back to the page.
    expect(form.remix).to_have_value(case.text, timeout=GENERATION)
    expect(form.history).to_have_count(history + 1)
    expect(form.root.get_by_test_id("status-badge")).to_have_text("Completed")
    expect(form.error).to_be_hidden()
    assert form.prompt.input_value() == case.text
    title = form.history.last.get_attribute("title")
    assert title == " ".join(case.text.split()), title  # as text, whitespace collapsed
    assert_nothing_ran_or_crashed(form)
