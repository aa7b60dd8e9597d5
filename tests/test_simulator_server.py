"""The simulator as a real process: command line, state file, faults over a real socket."""

from __future__ import annotations

import json

import httpx
import openai
import pytest

from .helpers import TEST_KEY, start_server, stop_server


def sdk_for(server, **kwargs) -> openai.OpenAI:
    return openai.OpenAI(api_key=TEST_KEY, base_url=server.base_url, max_retries=0, **kwargs)


def test_server_prints_url_records_state_and_never_the_key(tmp_path):
    server = start_server(tmp_path, "--api-key", TEST_KEY, "--speed", "50")
    try:
        assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
        state = json.loads((tmp_path / "server.json").read_text())
        assert state["base_url"] == server.base_url
        root = server.base_url.removesuffix("/v1")
        assert httpx.get(f"{root}/simulator/health").json()["simulator"] == "sora-widget"
        with sdk_for(server) as client:
            client.videos.create(prompt="a quick one")
        stranger = openai.OpenAI(api_key="sk-nope", base_url=server.base_url, max_retries=0)
        with stranger, pytest.raises(openai.AuthenticationError):
            stranger.videos.list()
    finally:
        output = stop_server(server)
    assert TEST_KEY not in output and "sk-nope" not in output
    assert not (tmp_path / "server.json").exists()


def test_rate_limit_and_server_errors_over_the_network(tmp_path):
    server = start_server(tmp_path, "--rate-limit", "2")
    try:
        with sdk_for(server) as client:
            client.videos.list()
            client.videos.list()
            with pytest.raises(openai.RateLimitError) as limited:
                client.videos.list()
        assert int(limited.value.response.headers["retry-after"]) >= 1
    finally:
        stop_server(server)
    server = start_server(tmp_path, "--server-error-rate", "1")
    try:
        with sdk_for(server) as client, pytest.raises(openai.InternalServerError):
            client.videos.list()
    finally:
        stop_server(server)


def test_dropped_connections_and_truncated_downloads(tmp_path):
    server = start_server(tmp_path, "--drop-rate", "1", "--speed", "100")
    try:
        with sdk_for(server) as client, pytest.raises(openai.APIConnectionError):
            client.videos.create(prompt="will the client see this?")
    finally:
        stop_server(server)
    server = start_server(tmp_path, "--truncate-rate", "1", "--speed", "100")
    try:
        with sdk_for(server) as client:
            listed = client.videos.list().data
            assert len(listed) == 1, "the dropped create still created a video, as on a server"
            video = client.videos.poll(listed[0].id)
            with pytest.raises((httpx.RemoteProtocolError, openai.APIConnectionError)):
                client.videos.download_content(video.id).read()
    finally:
        stop_server(server)


CUTS = 20
#: Far longer than a cut takes to arrive: a connection left open shows up as a ReadTimeout.
PATIENT = httpx.Timeout(30.0, connect=10.0)


def test_a_cut_download_ends_the_connection_every_time(tmp_path):
    """Each download gets its headers, part of its body, then the connection closes: the
    client sees an incomplete body at once, never a stalled one. Repeated, on one kept-alive
    client and on fresh ones, because a cut that leaves the connection open is intermittent:
    it used to start after about ten cuts, once the server's unread log pipe was full."""
    server = start_server(tmp_path, "--truncate-rate", "1", "--speed", "100")
    try:
        with sdk_for(server) as client:
            video = client.videos.create_and_poll(prompt="cut short")
        url = f"{server.base_url}/videos/{video.id}/content"
        headers = {"authorization": f"Bearer {TEST_KEY}"}
        with httpx.Client(timeout=PATIENT, headers=headers) as shared:
            for attempt in range(CUTS):
                fresh = httpx.Client(timeout=PATIENT, headers=headers)
                with fresh:
                    for client in (shared, fresh):
                        received, expected = cut_download(client, url, attempt)
                        assert 0 < received < expected
        # The server is still answering, and a deliberate cut is not an error in its log.
        with sdk_for(server) as client:
            assert client.videos.retrieve(video.id).status == "completed"
    finally:
        output = stop_server(server)
    assert "ERROR" not in output and "Traceback" not in output, output[-2000:]


def cut_download(client: httpx.Client, url: str, attempt: int) -> tuple[int, int]:
    """Bytes received and announced for one download, which must end in a protocol error."""
    received = 0
    try:
        with client.stream("GET", url) as response:
            assert response.status_code == 200
            expected = int(response.headers["content-length"])
            for chunk in response.iter_raw():
                received += len(chunk)
    except httpx.RemoteProtocolError as error:
        assert "closed" in str(error) or "incomplete" in str(error), str(error)
        return received, expected
    except httpx.TimeoutException as error:
        pytest.fail(f"cut {attempt}: the connection stayed open after {received} bytes ({error!r})")
    pytest.fail(f"cut {attempt}: the download ended normally after {received} bytes")


def test_bad_flags_are_refused(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sora_widget.cli",
            "simulator",
            "--speed",
            "0",
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "speed" in result.stderr


def test_expired_content_arrives_as_not_found(tmp_path):
    import time

    server = start_server(tmp_path, "--speed", "100", "--link-ttl", "1")
    try:
        with sdk_for(server) as client:
            video = client.videos.create_and_poll(prompt="gone soon")
            time.sleep(max(0.0, video.expires_at - time.time()) + 0.5)
            with pytest.raises(openai.NotFoundError) as expired:
                client.videos.download_content(video.id)
        assert expired.value.code == "video_content_expired"
    finally:
        stop_server(server)


def test_stop_ends_a_running_simulator(tmp_path):
    import subprocess
    import sys

    server = start_server(tmp_path, "--speed", "50")
    stop = [
        sys.executable,
        "-m",
        "sora_widget.cli",
        "simulator",
        "--stop",
        "--data-dir",
        str(tmp_path),
    ]
    result = subprocess.run(stop, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "stopped"
    server.process.wait(timeout=30)
    again = subprocess.run(stop, capture_output=True, text=True, timeout=60)
    assert "no simulator is running" in again.stdout
    stop_server(server)


def test_only_requests_addressed_to_the_simulator_are_answered(tmp_path):
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not read the jobs."""
    server = start_server(tmp_path)
    try:
        port = server.base_url.split(":")[-1].removesuffix("/v1")
        headers = {"authorization": "Bearer sk-any"}
        for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
            allowed = httpx.get(f"{server.base_url}/videos", headers={**headers, "host": host})
            assert allowed.status_code == 200, host
        refused = httpx.get(
            f"{server.base_url}/videos", headers={**headers, "host": f"evil.example:{port}"}
        )
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_host"
    finally:
        stop_server(server)
    server = start_server(tmp_path, "--allow-host", "classroom.lan")
    try:
        extra = httpx.get(
            f"{server.base_url}/videos", headers={**headers, "host": "classroom.lan:8000"}
        )
        assert extra.status_code == 200
    finally:
        stop_server(server)


def test_an_oversized_body_is_refused_before_it_is_sent(tmp_path):
    """Over a real socket, by Content-Length: the answer comes before the 50 MB does."""
    import socket

    server = start_server(tmp_path)
    try:
        host, port = server.base_url.removeprefix("http://").removesuffix("/v1").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as connection:
            connection.sendall(
                b"POST /v1/videos/video_x/remix HTTP/1.1\r\n"
                + f"Host: 127.0.0.1:{port}\r\n".encode()
                + b"Authorization: Bearer sk-any\r\nContent-Type: application/json\r\n"
                b"Content-Length: 50000000\r\n\r\n"
            )
            answer = b""
            while not answer.endswith(b"}}") and (chunk := connection.recv(65536)):
                answer += chunk
        answer = answer.decode()
        assert answer.startswith("HTTP/1.1 413"), answer[:200]
        assert '"code":"request_too_large"' in answer
    finally:
        stop_server(server)
