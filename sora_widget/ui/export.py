"""Self-contained HTML players: a saved page that plays with no kernel and no server.

Everything the page shows is escaped; the media are embedded as data URLs on request only,
because they make the page as large as the videos.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from sora_widget.engine.storage import LibraryEntry
from sora_widget.ui.widget_state import video_facts

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
  padding: 0 1rem; color: #1b1b1b; background: #fafafa; }}
@media (prefers-color-scheme: dark) {{ body {{ color: #eee; background: #161616; }} }}
figure {{ margin: 0 0 2rem; }} video {{ max-width: 100%; max-height: 80vh; border-radius: 8px;
  background: #000; }} figcaption {{ margin-top: .5rem; white-space: pre-wrap; }}
small {{ opacity: .7; }}
.sora-widget.sora-page-sound {{ display: block; padding: 0; border: 0; background: none;
  color: inherit; }}
</style>
<style>{css}</style></head><body>
{body}
<script>{script}</script>
</body></html>
"""


def data_url(path: Path, media_type: str) -> str:
    return f"data:{media_type};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def video_figure(entry: LibraryEntry) -> str:
    """One video with its prompt and details; the prompt is text, never markup. The MP4 goes in
    whole, sound and all; the page's script puts the panel's sound control under it."""
    poster = data_url(entry.thumbnail_path, "image/webp") if entry.thumbnail_path.exists() else ""
    details = f"{entry.model} · {entry.size} · {entry.seconds} s · {entry.id}"
    audio = video_facts(entry.video_path)["audio"]
    known = "" if audio is None else f' data-sora-audio="{html.escape(audio)}"'
    return (
        f"<figure data-sora-video{known}>"
        f'<video controls loop muted playsinline poster="{poster}" '
        f'src="{data_url(entry.video_path, "video/mp4")}"></video>'
        '<div class="sora-widget sora-page-sound"></div>'
        f"<figcaption>{html.escape(entry.prompt or '')}<br><small>{html.escape(details)}</small>"
        "</figcaption></figure>"
    )


def player_page(
    entries: list[LibraryEntry], *, script: str, css: str, title: str = "Sora videos"
) -> str:
    """Videos that play on their own; `script` and `css` are the bundled sound control."""
    _check_inlinable(script, css)
    return PAGE.format(
        title=html.escape(title),
        body="\n".join(video_figure(entry) for entry in entries),
        script=script,
        css=css,
    )


def _check_inlinable(script: str, css: str) -> None:
    for code, closing in ((script, "</script"), (css, "</style")):
        if closing in code.lower():
            raise ValueError(f"The bundled front end contains {closing!r}: it cannot be inlined.")


COMPARE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 14px/1.5 system-ui, sans-serif; margin: 1.5rem auto; max-width: 90rem;
  padding: 0 1rem; color: #1b1b1b; background: #fafafa; }}
@media (prefers-color-scheme: dark) {{ body {{ color: #eee; background: #161616; }} }}
h1 {{ font-size: 1.1rem; font-weight: 600; white-space: pre-wrap; overflow-wrap: anywhere; }}
</style>
<style>{css}</style></head><body>
<h1>{title}</h1>
<div id="sora-compare-page"></div>
<noscript>This page needs JavaScript to play the videos in step.</noscript>
<script type="application/json" id="sora-compare-state">{state}</script>
<script>{script}</script>
</body></html>
"""

#: In a <script> element only "</script" (or "<!--") could end it early: escape every "<", ">"
#: and "&" in the JSON, which JSON.parse reads back unchanged.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def compare_page(state: dict[str, Any], *, title: str, script: str, css: str) -> str:
    """A comparison that plays on its own: the widget's own front end over a frozen state.

    `state` is the widget's trait values with `media` mapping trait names to data URLs; the
    bundled `script` renders it exactly as the notebook does (text only through textContent).
    """
    _check_inlinable(script, css)
    return COMPARE_PAGE.format(
        title=html.escape(title),
        state=json.dumps(state, ensure_ascii=False).translate(_SCRIPT_SAFE),
        script=script,
        css=css,
    )


#: Clicking a shot in a saved film page seeks the film to that shot's start.
_SEEK_SCRIPT = """document.querySelectorAll("[data-start]").forEach((button) => {
  button.addEventListener("click", () => {
    const video = document.querySelector("video");
    video.currentTime = Number(button.dataset.start);
    video.play();
  });
});"""


def film_page(film: Path, shots: list[tuple[str, float]], *, title: str) -> str:
    """A storyboard's film that plays on its own, with its shot list: each shot's prompt (as
    text) and start, a button that jumps there."""
    items = "".join(
        f'<li><button type="button" data-start="{start:.3f}">{start:.1f} s</button> '
        f"{html.escape(prompt)}</li>"
        for prompt, start in shots
    )
    body = (
        f"<h1>{html.escape(title)}</h1><figure>"
        f'<video controls playsinline src="{data_url(film, "video/mp4")}"></video>'
        f"</figure><ol>{items}</ol>"
    )
    return PAGE.format(title=html.escape(title), body=body, script=_SEEK_SCRIPT, css="")
