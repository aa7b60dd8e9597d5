"""A typo in a keyword is refused, naming the closest valid one: it never bills the wrong model.

Before, `SoraWidget("a red fox", modle="veo-3.1")` made a `sora-2` video and said nothing
(traitlets only warns, in a DeprecationWarning nobody sees).
"""

from __future__ import annotations

import warnings

import httpx
import pytest

from sora_widget import Compare, Library, SoraClient, SoraWidget, connect
from sora_widget.cli.commands import main
from sora_widget.engine.extending import extend
from sora_widget.engine.jobs import submit, submit_remix

KEY = "sk-test"


def _client() -> SoraClient:
    """A client whose server has nothing (a widget asks it for its models in the background)."""
    nothing = httpx.MockTransport(lambda request: httpx.Response(404))
    return SoraClient(KEY, base_url="http://nowhere.test/v1", transport=nothing)


CALLS = {
    "SoraWidget": (lambda: SoraWidget("a red fox", modle="veo-3.1", client=_client()), "model"),
    "SoraWidget.from_id": (lambda: SoraWidget.from_id("video_1", clinet=_client()), "client"),
    "SoraWidget.extend": (
        lambda: SoraWidget("a fox", client=_client(), resume=False).extend(second=4),
        "seconds",
    ),
    "Compare": (lambda: Compare("a fox", modells=["sora-2"], client=_client()), "models"),
    "Compare.add": (lambda: Compare(client=_client()).add("a fox", sise="1280x720"), "size"),
    "SoraClient": (lambda: SoraClient(KEY, base_urll="http://x.test/v1"), "base_url"),
    "connect": (lambda: connect(api_kye=KEY), "api_key"),
    "submit": (lambda: submit(_client(), "a fox", secods="8"), "seconds"),
    "submit_remix": (lambda: submit_remix(_client(), "video_1", "a fox", libary=None), "library"),
    "extend": (lambda: extend(_client(), "video_1", "on", second="4", library=None), "seconds"),
    "Library": (lambda: Library(rooot="videos"), "root"),
    "main": (lambda: main(arvg=["list"]), "argv"),
}


@pytest.mark.parametrize("name", CALLS)
async def test_an_unknown_keyword_is_refused_with_the_closest_name(name):
    call, closest = CALLS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # refused, not warned about
        with pytest.raises(TypeError) as refused:
            call()
    message = str(refused.value)
    assert "unknown argument" in message and f"did you mean {closest!r}?" in message


def test_a_name_with_nothing_close_lists_what_is_taken():
    with pytest.raises(TypeError, match=r"unknown argument 'zzz'; it takes "):
        Library(zzz=1)


async def test_traits_are_still_keywords_of_a_widget():
    widget = SoraWidget("a fox", client=_client(), size="1280x720", remix_prompt="at night")
    assert widget.remix_prompt == "at night"
    widget.close()
