"""What the simulator refuses before any work: foreign Host headers and oversized bodies.

A web page can point a name it controls at 127.0.0.1 (DNS rebinding) and then read what the
simulator answers; checking `Host`, as Jupyter does, stops it. Bodies are refused while they
stream in, so a 50 MB request is never held in memory.
"""

from __future__ import annotations

import pytest

from sora_widget.simulator.limits import MAX_JSON_BYTES, MAX_VIDEO_FORM_BYTES

from .helpers import api_client, error_of

FIFTY_MB = 50 * 1000 * 1000
#: The start of a form whose one file part then goes on for as long as the test streams.
FILE_PART = (
    b'--x\r\nContent-Disposition: form-data; name="video"; filename="big.mp4"\r\n'
    b"Content-Type: video/mp4\r\n\r\n"
)
CHUNK = 64 * 1024


@pytest.mark.parametrize("host", ["127.0.0.1:8123", "localhost:8123", "[::1]:8123", "localhost"])
async def test_loopback_hosts_are_answered(make_app, host):
    async with api_client(make_app()) as client:
        assert (await client.get("/videos", headers={"host": host})).status_code == 200


@pytest.mark.parametrize("path", ["/v1/videos", "/simulator/health"])
async def test_a_foreign_host_is_refused_with_an_api_error(make_app, path):
    async with api_client(make_app()) as client:
        response = await client.get(path.replace("/v1", ""), headers={"host": "evil.example"})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_host" and "evil.example" in error["message"]
    assert set(error) == {"message", "type", "param", "code"}


async def test_the_allowed_hosts_are_a_setting(make_app, tmp_path):
    """Only loopback by default: the tests' own host name has to be allowed explicitly."""
    app = make_app(allowed_hosts=())
    async with api_client(app) as client:
        assert (await client.get("/videos")).status_code == 400
    app = make_app(allowed_hosts=("classroom.lan",), data_dir=tmp_path / "other")
    async with api_client(app) as client:
        assert (await client.get("/videos", headers={"host": "classroom.lan"})).status_code == 200


class Streamed:
    """A request body produced on demand, counting what the server consumed."""

    def __init__(self, size: int, head: bytes = b"") -> None:
        self.size = size
        self.head = head
        self.sent = 0

    async def __aiter__(self):
        self.sent = len(self.head)
        yield self.head
        while self.sent < self.size:
            self.sent += CHUNK
            yield b" " * CHUNK


async def test_a_50_mb_json_body_without_a_length_is_cut_off_while_streaming(make_app):
    body = Streamed(FIFTY_MB)
    async with api_client(make_app()) as client:
        response = await client.post(
            "/videos/video_x/remix", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == 413 and error_of(response)["code"] == "request_too_large"
    assert body.sent <= MAX_JSON_BYTES + CHUNK  # refused as soon as the limit was passed


async def test_a_declared_length_over_the_limit_is_refused_unread(make_app):
    body = Streamed(FIFTY_MB)
    headers = {"content-type": "application/json", "content-length": str(FIFTY_MB)}
    async with api_client(make_app()) as client:
        response = await client.post("/videos/video_x/remix", content=body, headers=headers)
    assert response.status_code == 413 and body.sent == 0
    assert "512 KiB" in error_of(response)["message"]


@pytest.mark.parametrize(
    ("path", "size", "limit"),
    [("/videos", 25 * 1024 * 1024, "21 MiB"), ("/videos/edits", 101 * 1024 * 1024, "100 MiB")],
)
async def test_multipart_bodies_have_room_for_their_uploads_only(make_app, path, size, limit):
    body = Streamed(size, head=FILE_PART)
    headers = {"content-type": "multipart/form-data; boundary=x"}
    async with api_client(make_app()) as client:
        response = await client.post(path, content=body, headers=headers)
    assert response.status_code == 413 and limit in error_of(response)["message"]
    assert body.sent <= (MAX_VIDEO_FORM_BYTES if "edits" in path else size) + CHUNK
    assert body.sent < size


async def test_a_body_under_the_limit_still_gets_through(make_app):
    """Streamed without a length, as a chunked upload: counted, and let through."""

    async def small():
        yield b'{"prompt": "a fox"}'

    async with api_client(make_app()) as client:
        response = await client.post(
            "/videos/video_x/remix", content=small(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 404  # past the limit check, to the route


def test_a_host_pattern_starlette_would_reject_is_a_config_error():
    from sora_widget.simulator import SimulatorConfig

    with pytest.raises(ValueError, match="allowed host"):
        SimulatorConfig(allowed_hosts=("class*room.lan",))
    assert SimulatorConfig(allowed_hosts=("*.lan",)).allowed_hosts == ("*.lan",)
