"""The API key never shows: not in errors, logs, widget state, exported pages, saved files or
CLI output, on any error path we can reach. And the simulator listens on loopback only.

Two distinctive keys are used: the right one (TEST_KEY) and a wrong one, which leaks just as
badly if it is printed in the 401 that refuses it.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sora_widget.cli.commands import EXIT_BAD_INPUT, EXIT_FAILED, build_parser, main
from sora_widget.core.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    LibraryWriteError,
    ModerationBlocked,
    NotFoundError,
    RateLimitError,
    ServerError,
    SoraError,
)
from sora_widget.engine.client import SoraClient
from sora_widget.engine.jobs import submit
from sora_widget.engine.library import Library
from sora_widget.engine.poller import Poller
from sora_widget.simulator import FaultConfig
from sora_widget.ui.widget import SoraWidget
from sora_widget.ui.widget_state import error_payload

from .helpers import (
    TEST_KEY,
    RunningServer,
    fast_cadence,
    start_server,
    state_text,
    stop_server,
    unused_port,
)

WRONG_KEY = "sk-test-WRONG-but-still-secret-c0ffee"
KEYS = (TEST_KEY, WRONG_KEY)
FAST = fast_cadence()


class Seen:
    """Everything an error path produced, to search for the keys in one place."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.errors: list[BaseException] = []

    def error(self, error: BaseException) -> None:
        self.errors.append(error)
        self.texts += [str(error), repr(error), repr(error.args), repr(vars(error))]
        self.texts += traceback.format_exception(error)
        self.texts.append(repr(error_payload(error)))  # what the panel would show

    def add(self, *texts: object) -> None:
        self.texts += [text if isinstance(text, str) else repr(text) for text in texts]

    def assert_clean(self) -> None:
        for key in KEYS:
            leaks = [text[:200] for text in self.texts if key in text]
            assert not leaks, f"key found in: {leaks}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A real simulator that accepts only TEST_KEY and blocks the word 'forbidden'."""
    running = start_server(
        tmp_path_factory.mktemp("secrets-sim"),
        "--speed",
        "200",
        "--api-key",
        TEST_KEY,
        "--blocked-words",
        "forbidden",
    )
    yield running
    output = stop_server(running)
    assert not any(key in output for key in KEYS), "the simulator printed a key"


@pytest.fixture
def seen(caplog: pytest.LogCaptureFixture) -> Iterator[Seen]:
    """Collects errors; at the end, every log record (all loggers, DEBUG up) is searched too."""
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "sora_widget", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    collected = Seen()
    yield collected
    collected.add(caplog.text, *(repr(record.__dict__) for record in caplog.records))
    collected.assert_clean()


async def expect(seen: Seen, error_class: type[BaseException], awaitable: Any) -> BaseException:
    with pytest.raises(error_class) as raised:
        await awaitable
    seen.error(raised.value)
    return raised.value


# ---- the client, over the network ------------------------------------------------------------


async def test_every_client_error_path_over_the_network(server, seen, tmp_path, caplog):
    good = SoraClient(TEST_KEY, base_url=server.base_url, max_retries=0)
    wrong = SoraClient(WRONG_KEY, base_url=server.base_url, max_retries=0)
    refused = SoraClient(TEST_KEY, base_url=f"http://127.0.0.1:{unused_port()}/v1", max_retries=1)
    queued = await good.create("a fox that is still queued", seconds="12")
    await expect(seen, AuthenticationError, wrong.list_page())
    await expect(seen, AuthenticationError, wrong.create("a fox"))
    await expect(seen, NotFoundError, good.retrieve("video_nope"))
    await expect(seen, NotFoundError, good.download_content("video_nope", path=tmp_path / "x"))
    await expect(seen, BadRequestError, good.remix(queued.id, "the fox at night"))
    await expect(seen, SoraError, good.create(""))  # refused before sending
    await expect(seen, APIConnectionError, refused.list_page())
    await expect(seen, APIConnectionError, refused.create("a fox"))
    for client in (good, wrong, refused):
        seen.add(repr(client), vars(client))
        await client.aclose()
    assert len({type(error) for error in seen.errors}) >= 5
    assert any(record.name.startswith("httpx") for record in caplog.records)  # logs were seen


async def test_a_timeout_does_not_carry_the_request_headers(seen):
    """A server that accepts the connection and never answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v1"
        client = SoraClient(TEST_KEY, base_url=url, timeout=0.3, max_retries=1)
        await expect(seen, APITimeoutError, client.retrieve("video_1"))
        await expect(seen, APITimeoutError, client.create("a fox"))
        await client.aclose()


async def test_rate_limits_and_server_errors_in_process(make_app, seen):
    async def no_wait(seconds: float) -> None:
        return None

    def client_on(faults: FaultConfig) -> SoraClient:
        app = make_app(api_key=TEST_KEY, faults=faults)
        transport = httpx.ASGITransport(app=app)
        return SoraClient(
            TEST_KEY, base_url="http://sim.test/v1", transport=transport, sleep=no_wait
        )

    limited = client_on(FaultConfig(rate_limit_per_minute=1))
    await limited.list_page()
    await expect(seen, RateLimitError, limited.list_page())
    broken = client_on(FaultConfig(server_error_rate=1.0))
    await expect(seen, ServerError, broken.retrieve("video_1"))
    await expect(seen, ServerError, broken.create("a fox"))


async def test_credentials_in_the_base_url_are_shown_nowhere(tmp_path, caplog):
    """A gateway URL may carry a password or a key: repr, errors, logs, the panel and the
    backend badge show the address without them."""
    caplog.set_level(logging.DEBUG, logger="sora_widget")
    port = unused_port()
    url = f"http://user:url-SECRET-pass@127.0.0.1:{port}/v1?key=sk-url-SECRET-key"
    client = SoraClient(
        TEST_KEY, base_url=url, max_retries=1, sleep=lambda seconds: asyncio.sleep(0)
    )
    widget = SoraWidget(prompt="a fox", client=client, library=Library(tmp_path / "videos"))
    widget.generate()
    with pytest.raises(APIConnectionError) as raised:
        await asyncio.wait_for(widget.wait(), 30)
    await asyncio.sleep(0)
    shown = [repr(client), str(raised.value), caplog.text, state_text(widget), repr(widget)]
    assert f"127.0.0.1:{port}/v1" in str(raised.value) and widget.error["kind"] == "connection"
    assert widget.backend == {"label": "127.0.0.1", "title": f"http://127.0.0.1:{port}/v1"}
    assert not [text[:200] for text in shown if "SECRET" in text]
    await client.aclose()


# ---- jobs, library, widget -------------------------------------------------------------------


async def test_jobs_library_and_widget_errors_and_saved_files(server, seen, tmp_path):
    client = SoraClient(TEST_KEY, base_url=server.base_url)
    library = Library(tmp_path / "videos")
    blocked = submit(
        client, "a forbidden fox", library=library, poller=Poller(client, cadence=FAST)
    )
    await expect(seen, ModerationBlocked, asyncio.wait_for(blocked, 30))
    seen.add(repr(blocked), blocked.snapshot())

    widget = SoraWidget(prompt="a red fox in snow", client=client, library=library)
    widget.generate()
    video = await asyncio.wait_for(widget.wait(), 30)
    page = widget.to_html()
    seen.add(state_text(widget), repr(widget), page)
    for path in sorted(library.root.rglob("*")):
        if path.is_file():
            seen.add(path.read_bytes().decode("latin-1"))

    unwritable = Library(tmp_path / "a-file")
    unwritable.root.write_text("not a folder")
    await expect(seen, LibraryWriteError, unwritable.save(video, client))

    wrong = SoraWidget(
        prompt="a fox",
        client=SoraClient(WRONG_KEY, base_url=server.base_url),
        library=Library(tmp_path / "other"),
    )
    wrong._handle_message(wrong, {"action": "generate"}, [])
    await expect(seen, AuthenticationError, asyncio.wait_for(wrong.wait(), 30))
    await asyncio.sleep(0)
    assert wrong.error["kind"] == "auth"
    seen.add(state_text(wrong), repr(wrong))
    assert video.status == "completed" and "data:video/mp4" in page
    await wrong.client.aclose()
    await client.aclose()


# ---- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "argv", "code", "words"),
    [
        (TEST_KEY, ["list"], 0, "ID"),
        (WRONG_KEY, ["list"], EXIT_FAILED, "401"),
        (TEST_KEY, ["download", "video_nope"], EXIT_FAILED, "not found"),
        (TEST_KEY, ["remix", "video_nope", "at night"], EXIT_FAILED, "not found"),
        (TEST_KEY, ["generate", "a forbidden fox"], EXIT_FAILED, "moderation"),
        (TEST_KEY, ["generate", "a fox", "--seconds", "5"], EXIT_BAD_INPUT, "seconds"),
        (
            TEST_KEY,
            ["generate", "a fox", "--input-reference", "README.md"],
            EXIT_BAD_INPUT,
            "image",
        ),
    ],
    ids=[
        "list",
        "wrong key",
        "download unknown",
        "remix unknown",
        "moderation",
        "bad seconds",
        "text as image",
    ],
)
def test_cli_output_never_has_the_key(
    server, seen, capsys, monkeypatch, tmp_path, key, argv, code, words
):
    monkeypatch.chdir(Path(__file__).parent.parent)
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("SORA_WIDGET_LIBRARY", str(tmp_path / "videos"))
    monkeypatch.delenv("SORA_WIDGET_BACKEND", raising=False)
    assert main(argv) == code
    out, err = capsys.readouterr()
    assert words in out + err
    seen.add(out, err)
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            seen.add(path.read_bytes().decode("latin-1"))


# ---- loopback only ---------------------------------------------------------------------------


def outside_address() -> str | None:
    """This machine's address on its default route, if it has one that is not loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET: nothing is sent by a UDP connect
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_the_simulator_binds_loopback_by_default(server):
    assert build_parser().parse_args(["simulator"]).host == "127.0.0.1"
    host_port = server.base_url.removeprefix("http://").split("/")[0]
    host, port = host_port.rsplit(":", 1)
    assert host == "127.0.0.1"
    with socket.create_connection((host, int(port)), timeout=2):
        pass  # reachable on loopback
    address = outside_address()
    if address is None:
        pytest.skip("no non-loopback address to try")
    with pytest.raises(OSError), socket.create_connection((address, int(port)), timeout=2):
        pass
