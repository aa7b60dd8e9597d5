"""Small helpers shared by the simulator tests."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
from PIL import Image
from starlette.applications import Starlette

from .spec import check_response

MP4_MAGIC = b"ftyp"


def png_bytes(width: int, height: int, color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


async def _check_against_spec(response: httpx.Response) -> None:
    """Every JSON answer the tests see is checked against the published spec."""
    await response.aread()
    check_response(response)


def api_client(app: Starlette, key: str | None = "sk-anything") -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://simulator.test/v1",
        headers=headers,
        event_hooks={"response": [_check_against_spec]},
    )


async def renders_finished(app: Starlette, timeout: float = 30.0) -> None:
    """Wait (in real time) until the worker has rendered every scheduled video."""
    simulator = app.state.simulator
    deadline = asyncio.get_running_loop().time() + timeout
    while simulator._renders:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("rendering did not finish")
        await asyncio.sleep(0.02)


def error_of(response: httpx.Response) -> dict[str, Any]:
    return response.json()["error"]
