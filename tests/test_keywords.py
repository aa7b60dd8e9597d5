"""A typo in a keyword is refused, naming the closest valid one: it never bills the wrong model.

Before, `SoraWidget("a red fox", modle="veo-3.1")` made a `sora-2` video and said nothing
(traitlets only warns, in a DeprecationWarning nobody sees).
"""

from __future__ import annotations

import inspect
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
    "SoraClient.submit": (lambda: _client().submit("a fox", modle="sora-2"), "model"),
    "SoraClient.submit_remix": (
        lambda: _client().submit_remix("video_1", "on", poler=None),
        "poller",
    ),
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


def test_connect_takes_the_clients_settings_with_its_defaults():
    """`connect` spells out `SoraClient`'s settings; the ones it chooses itself default to None
    (the simulator's key and address, the dialect the environment implies)."""
    chosen_by_connect = {"api_key", "base_url", "dialect"}
    client = inspect.signature(SoraClient).parameters
    settings = inspect.signature(connect).parameters
    assert list(settings) == list(client)
    for name, parameter in settings.items():
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name
        expected = None if name in chosen_by_connect else client[name].default
        assert parameter.default == expected, name


def test_a_clients_submit_is_the_jobs_submit_with_the_client_as_self():
    jobs_submit = inspect.signature(submit).parameters
    method = inspect.signature(_client().submit).parameters
    assert list(method) == list(jobs_submit)[1:]
    assert all(method[name].default == jobs_submit[name].default for name in method)
    remix = inspect.signature(_client().submit_remix).parameters
    assert list(remix) == list(inspect.signature(submit_remix).parameters)[1:]
