"""A create whose first frame is the last frame of a video the simulator rendered (re-encoded,
maybe fitted) goes on from that video: the picture starts on that frame, the subject keeps its
course, the sound runs on without a seam. Only the caller's own videos (or, for the teacher,
anyone's) are known again; any other picture renders exactly as it did before."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from PIL import Image

from sora_widget.core.reference_image import fit_image
from sora_widget.engine.video_file import last_frame
from sora_widget.simulator.render import FPS, REFERENCE_FADE_SECONDS, RenderRequest, render
from sora_widget.simulator.sound.voices import RATE

from .fakes import FakeClock
from .helpers import api_client, png_bytes, renders_finished

ALICE = "sk-alice-continues-1a2b3c"
BOB = "sk-bob-continues-4d5e6f"
TEACHER = "sk-teacher-continues-7g8h9i"
SIZE, WIDTH, HEIGHT = "1280x720", 1280, 720
FOX = "a red fox trotting with music"
#: Names only what the scene already has, so the look goes on unchanged and only the
#: continuation can explain what the picture and sound do.
ON = "the red fox"
SECONDS = 4
SAMPLES = SECONDS * RATE
WINDOW = RATE // 10  # 100 ms
FADE_FRAMES = round(REFERENCE_FADE_SECONDS * FPS)  # the first frame fades into the scene


async def rendered(app, client: httpx.AsyncClient, clock: FakeClock, video_id: str) -> bytes:
    record = app.state.simulator.store.videos[video_id]
    clock.advance(record.timeline.total_seconds + 0.01)
    await renders_finished(app)
    response = await client.get(f"/videos/{video_id}/content")
    assert response.status_code == 200
    return response.content


async def create_from(
    client: httpx.AsyncClient, image: bytes, prompt: str = ON, size: str = SIZE
) -> dict:
    kind = Image.open(io.BytesIO(image)).format or "PNG"
    response = await client.post(
        "/videos",
        data={"prompt": prompt, "size": size, "seconds": str(SECONDS)},
        files={"input_reference": (f"first.{kind.lower()}", image, f"image/{kind.lower()}")},
    )
    assert response.status_code == 200, response.text
    return response.json()


def final_frame(mp4: bytes, folder: Path) -> bytes:
    """What a storyboard sends: `video_file.last_frame` of the downloaded video, as PNG."""
    path = folder / "previous.mp4"
    path.write_bytes(mp4)
    return last_frame(path)


def frames_of(mp4: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(mp4)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two pictures, in levels of 255."""
    return float(np.abs(a.astype(np.int16) - b).mean())


def sound_of(mp4: bytes) -> np.ndarray:
    """The decoded track, cut to the clip's length (the encoder pads its last frame)."""
    with av.open(io.BytesIO(mp4)) as container:
        samples = np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)])
    return samples[:SAMPLES]


def reencoded(png: bytes, how: str) -> bytes:
    """The frame as a client may send it: as decoded, as JPEG, or made smaller and fitted back."""
    image = Image.open(io.BytesIO(png))
    buffer = io.BytesIO()
    if how == "png":
        return png
    if how == "jpeg":
        image.save(buffer, "JPEG", quality=80)
    else:
        small = image.resize((WIDTH * 3 // 4, HEIGHT * 3 // 4))
        fit_image(small, SIZE, "crop").save(buffer, "WEBP", quality=80)
    return buffer.getvalue()


def fox_x(frame: np.ndarray) -> float:
    """The red fox's horizontal centre, in pixels (the caption bar below is left out)."""
    above = frame[: int(HEIGHT * 0.85)]
    red = (above[..., 0] > 150) & (above[..., 1] < 90) & (above[..., 2] < 90)
    assert red.sum() > 200, "the fox is not in the picture"
    return float(np.nonzero(red)[1].mean())


def centroid(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float((spectrum * np.fft.rfftfreq(len(samples), 1 / RATE)).sum() / spectrum.sum())


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


@pytest.mark.parametrize("how", ["png", "jpeg", "fitted"])
async def test_a_video_made_from_another_s_last_frame_goes_on_from_it(
    make_app, fake_clock, tmp_path, how
):
    app = make_app(clock=fake_clock)
    async with api_client(app, ALICE) as client:
        first = (await client.post("/videos", json={"prompt": FOX, "size": SIZE})).json()
        a = await rendered(app, client, fake_clock, first["id"])
        ending = final_frame(a, tmp_path)
        second = await create_from(client, reencoded(ending, how))
        b = await rendered(app, client, fake_clock, second["id"])
    assert app.state.simulator.store.videos[second["id"]].continues_id == first["id"]
    frames_a, frames_b = frames_of(a), frames_of(b)

    # The picture starts on the last frame.
    assert difference(frames_b[0], frames_a[-1]) < 3

    # The fox keeps its course: its place in B, once the first frame has faded, is where A's
    # steady trot (a line fitted over A's second half) puts it then, to a few pixels; had it
    # started over it would be four seconds' trot (about 250 pixels) away.
    times = np.arange(len(frames_a) // 2, len(frames_a))
    speed, start = np.polyfit(times, [fox_x(frames_a[t]) for t in times], 1)
    assert abs(speed) > 3  # pixels a frame: it does move
    later = np.arange(FADE_FRAMES, 2 * FADE_FRAMES + 6)
    expected = start + speed * (len(frames_a) + later)
    measured = np.array([fox_x(frames_b[i]) for i in later])
    assert np.abs(measured - expected).max() < 6, (measured, expected)

    # The sound runs on: the same level and colour across the seam, and no jump there larger
    # than the track's own sample-to-sample steps.
    sound_a, sound_b = sound_of(a), sound_of(b)
    tail, head = sound_a[-WINDOW:], sound_b[:WINDOW]
    assert 0.5 < rms(head) / rms(tail) < 2
    assert 2 / 3 < centroid(head) / centroid(tail) < 3 / 2
    joined = np.concatenate([tail, head])
    steps = np.abs(np.diff(joined))
    assert steps[WINDOW - 1] <= np.percentile(steps, 99)


async def test_the_two_clips_play_as_the_extension_would(make_app, fake_clock, tmp_path):
    """A's extension by the same prompt is the uninterrupted film; B is its second half, past
    the first frame's fade: the same pictures, the same sound (music bars included), not a
    restart of either."""
    app = make_app(clock=fake_clock)
    async with api_client(app, ALICE) as client:
        first = (await client.post("/videos", json={"prompt": FOX, "size": SIZE})).json()
        a = await rendered(app, client, fake_clock, first["id"])
        ending = final_frame(a, tmp_path)
        b = await rendered(app, client, fake_clock, (await create_from(client, ending))["id"])
        plain = await rendered(
            app, client, fake_clock, (await create_from(client, png_bytes(WIDTH, HEIGHT)))["id"]
        )
        extension = await client.post(
            "/videos/extensions",
            files={
                "prompt": (None, ON),
                "seconds": (None, str(SECONDS)),
                "video[id]": (None, first["id"]),
            },
        )
        whole = await rendered(app, client, fake_clock, extension.json()["id"])
    frames_b, frames_whole, frames_plain = frames_of(b), frames_of(whole), frames_of(plain)
    rest = frames_whole[len(frames_b) :]
    for i in range(FADE_FRAMES, len(frames_b)):
        assert difference(frames_b[i], rest[i]) < 2, i
        assert difference(frames_plain[i], rest[i]) > 4, i
    with av.open(io.BytesIO(whole)) as container:
        samples = np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)])
    second_half = samples[SAMPLES : 2 * SAMPLES]
    sound_b, sound_plain = sound_of(b), sound_of(plain)
    assert np.corrcoef(sound_b, second_half)[0, 1] > 0.95
    assert abs(np.corrcoef(sound_plain, second_half)[0, 1]) < 0.5


async def test_a_last_frame_fitted_to_another_shape_is_known_again(make_app, fake_clock, tmp_path):
    app = make_app(clock=fake_clock)
    async with api_client(app, ALICE) as client:
        first = (await client.post("/videos", json={"prompt": FOX, "size": SIZE})).json()
        ending = final_frame(await rendered(app, client, fake_clock, first["id"]), tmp_path)
        buffer = io.BytesIO()
        fit_image(Image.open(io.BytesIO(ending)), "720x1280", "crop").save(buffer, "JPEG")
        second = await create_from(client, buffer.getvalue(), size="720x1280")
        b = await rendered(app, client, fake_clock, second["id"])
    assert app.state.simulator.store.videos[second["id"]].continues_id == first["id"]
    sent = np.asarray(Image.open(buffer).convert("RGB"))
    assert difference(frames_of(b)[0], sent) < 3


async def plain_render(app, video_id: str, sent: bytes, folder: Path) -> bytes:
    """What the create made before continuations existed: its picture as backdrop and first
    frame, nothing carried over."""
    record = app.state.simulator.store.videos[video_id]
    request = RenderRequest(record.prompt, WIDTH, HEIGHT, SECONDS, sent, model=record.model)
    return render(request, folder).video.read_bytes()


async def test_any_other_picture_renders_as_it_did_before(make_app, fake_clock, tmp_path):
    app = make_app(clock=fake_clock)
    async with api_client(app, ALICE) as client:
        fox = (await client.post("/videos", json={"prompt": FOX, "size": SIZE})).json()
        await rendered(app, client, fake_clock, fox["id"])
        middle = await client.get(f"/videos/{fox['id']}/content?variant=thumbnail")
        pictures = {
            "a solid picture": png_bytes(WIDTH, HEIGHT),
            "a frame from the middle of a video": reencoded(middle.content, "png"),
        }
        for n, (label, picture) in enumerate(pictures.items()):
            video = await create_from(client, picture)
            served = await rendered(app, client, fake_clock, video["id"])
            assert app.state.simulator.store.videos[video["id"]].continues_id is None, label
            before = await plain_render(app, video["id"], picture, tmp_path / str(n))
            assert served == before, label


async def test_only_its_owner_and_the_teacher_continue_a_video(make_app, fake_clock, tmp_path):
    app = make_app(clock=fake_clock, teacher_key=TEACHER)
    store = app.state.simulator.store
    async with (
        api_client(app, ALICE, spec=False) as alice,
        api_client(app, BOB, spec=False) as bob,
        api_client(app, TEACHER, spec=False) as teacher,
    ):
        first = (await alice.post("/videos", json={"prompt": FOX, "size": SIZE})).json()
        ending = final_frame(await rendered(app, alice, fake_clock, first["id"]), tmp_path)
        bobs = await create_from(bob, ending)
        served = await rendered(app, bob, fake_clock, bobs["id"])
        teachers = await create_from(teacher, ending)
        await renders_finished(app)
    assert store.videos[bobs["id"]].continues_id is None
    assert served == await plain_render(app, bobs["id"], ending, tmp_path / "plain")
    assert store.videos[teachers["id"]].continues_id == first["id"]


async def test_a_continuation_renders_the_same_file_again(make_app, fake_clock, tmp_path):
    app = make_app(clock=fake_clock)
    async with api_client(app, ALICE) as client:
        first = (await client.post("/videos", json={"prompt": FOX, "size": SIZE})).json()
        ending = final_frame(await rendered(app, client, fake_clock, first["id"]), tmp_path)
        second = await create_from(client, ending)
        served = await rendered(app, client, fake_clock, second["id"])
    simulator = app.state.simulator
    request = simulator.render_request(simulator.store.videos[second["id"]])
    assert request.continuation
    assert render(request, tmp_path / "again").video.read_bytes() == served


async def test_openrouter_frame_images_continue_a_job_too(make_app, fake_clock, tmp_path):
    app = make_app(clock=fake_clock, profile="openrouter")
    job = {
        "model": "alibaba/wan-2.7",
        "prompt": FOX,
        "duration": 2,
        "resolution": "720p",
        "aspect_ratio": "16:9",
    }
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://simulator.test/api/v1",
        headers={"Authorization": f"Bearer {ALICE}"},
    ) as client:
        first = (await client.post("/videos", json=job)).json()
        fake_clock.advance(app.state.simulator.store.videos[first["id"]].timeline.total_seconds)
        await renders_finished(app)
        path = app.state.simulator.store.assets_dir(first["id"]) / "video.mp4"
        url = "data:image/png;base64," + base64.b64encode(last_frame(path)).decode()
        frame = {"type": "image_url", "image_url": {"url": url}, "frame_type": "first_frame"}
        second = (await client.post("/videos", json={**job, "frame_images": [frame]})).json()
        await renders_finished(app)
    assert app.state.simulator.store.videos[second["id"]].continues_id == first["id"]
