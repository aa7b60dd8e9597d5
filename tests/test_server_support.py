"""Servers that are not OpenAI: features learned once, their statuses and progress, and the
guide's cadence when they send no poll hint. Fake servers via httpx.MockTransport, fake time."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest

from sora_widget.core.errors import (
    NotFoundError,
    UnexpectedContentError,
    UnsupportedFeature,
    VideoFailed,
)
from sora_widget.core.types import Video, VideoStatus
from sora_widget.engine.client import SoraClient
from sora_widget.engine.estimate import DEFAULT_TYPICAL_SECONDS
from sora_widget.engine.features import ServerSupport, endpoint_missing
from sora_widget.engine.jobs import JobStatus, submit
from sora_widget.engine.poller import Cadence, Poller
from sora_widget.ui.widget_state import error_payload, job_payload

from .fakes import EndingClient, FakeClient, FakeServer, FakeTime, UnhintedClient, fake_poller
from .helpers import TEST_KEY, until, video_json

LITELLM_NO_PROVIDER = {
    "error": {
        "message": "litellm.BadRequestError: LLM Provider NOT provided. Pass in the LLM provider "
        "you are trying to call. You passed model=None",
        "type": None,
        "param": None,
        "code": "400",
    }
}


def litellm_like(time: FakeTime | None = None) -> FakeServer:
    return FakeServer(
        time,
        list=httpx.Response(400, json=LITELLM_NO_PROVIDER),
        delete=httpx.Response(405, json={"detail": "Method Not Allowed"}),
    )


# ---- feature detection ------------------------------------------------------------------------


async def test_litellms_list_answer_is_learned_once_and_not_asked_again():
    server = litellm_like()
    client = server.client()
    assert client.features["list"] is None
    for _ in range(3):
        with pytest.raises(UnsupportedFeature) as raised:
            await client.list_page()
        assert raised.value.feature == "list" and "cannot list videos" in raised.value.message
    assert server.calls["list"] == 1
    assert client.features["list"] is False
    assert "400 to GET /videos" in client.support.reason("list")


async def test_a_server_without_delete_raises_a_clear_typed_error_once_asked():
    server = litellm_like()
    client = server.client()
    video = await client.create("a fox")
    for _ in range(2):
        with pytest.raises(UnsupportedFeature, match="cannot delete videos"):
            await client.delete(video.id)
    assert server.calls["delete"] == 1 and client.features["delete"] is False
    payload = error_payload(
        UnsupportedFeature("delete", client.support.reason("delete"), status_code=405)
    )
    assert payload["kind"] == "unsupported" and "cannot delete" in payload["message"]


async def test_a_404_for_an_unknown_video_is_not_a_missing_endpoint():
    server = FakeServer()
    client = server.client()
    with pytest.raises(NotFoundError):
        await client.retrieve("video_9")
    with pytest.raises(NotFoundError):
        await client.delete("video_9")  # the API's own "video not found" body
    assert client.features["delete"] is None
    with pytest.raises(NotFoundError):
        await client.delete("video_9")
    assert server.calls["delete"] == 2  # asked again: the endpoint is there


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json={"detail": "Not Found"}),
        httpx.Response(404, text="404 page not found"),
        httpx.Response(405, json={"detail": "Method Not Allowed"}),
        httpx.Response(404, json={"error": {"message": "Invalid URL (DELETE /v1/videos/v)"}}),
    ],
    ids=["starlette 404", "plain 404", "405", "openai invalid url"],
)
async def test_a_missing_delete_route_is_learned(answer):
    server = FakeServer(delete=answer)
    client = server.client()
    with pytest.raises(UnsupportedFeature):
        await client.delete("video_1")
    assert client.features["delete"] is False


async def test_features_seen_working_are_reported_and_a_copy_is_handed_out():
    server = FakeServer()
    client = server.client()
    video = await client.create("a fox")
    await client.list_page()
    await client.retrieve(video.id)
    features = client.features
    assert features["list"] is True and features["poll_hint"] is False
    assert set(features) == {
        "list",
        "delete",
        "remix",
        "edits",
        "extensions",
        "variants",
        "poll_hint",
    }
    features["list"] = False
    assert client.features["list"] is True


async def test_a_server_that_ignores_the_variant_is_learned_from_the_content_type(tmp_path):
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=b"\0\0\0\x18ftypmp42", headers={"content-type": "video/mp4"}
        )

    client = SoraClient(
        TEST_KEY, base_url="http://gw.test/v1", transport=httpx.MockTransport(handle)
    )
    with pytest.raises(UnexpectedContentError, match="MP4 video"):  # the library makes one
        await client.download_content("video_1", "thumbnail", tmp_path / "t.webp")
    assert client.features["variants"] is False


def test_endpoint_missing_rules():
    assert endpoint_missing(405, "", False, names_a_video=True)
    assert endpoint_missing(501, "", True, names_a_video=True)
    assert endpoint_missing(
        400, "litellm.BadRequestError: LLM Provider NOT provided", True, names_a_video=False
    )
    assert not endpoint_missing(400, "Invalid value for 'seconds'", True, names_a_video=False)
    assert endpoint_missing(404, "anything", True, names_a_video=False)  # the list names no video
    assert not endpoint_missing(404, "Video with id 'x' not found.", True, names_a_video=True)
    assert endpoint_missing(404, "The server answered 404 Not Found", False, names_a_video=True)


def test_server_support_keeps_what_it_saw_working():
    support = ServerSupport()
    changes = []
    support.on_change(lambda s: changes.append(s.as_dict()["poll_hint"]))
    support.learn("poll_hint", True)
    support.learn("poll_hint", False)  # one retrieve without it does not take it away
    assert support.supported("poll_hint") is True and changes == [True]


# ---- the poller on a server without a list ---------------------------------------------------


async def test_the_poller_lists_once_on_litellm_then_polls_each_video():
    time = FakeTime()
    server = litellm_like(time)
    client = server.client()
    poller = Poller(client, clock=time.clock, sleep=time.sleep)
    jobs = [submit(client, f"fox {n}", poller=poller) for n in range(3)]
    for job in jobs:
        await job
    assert all(job.status is JobStatus.COMPLETED for job in jobs)
    assert server.calls["list"] == 1 and client.features["list"] is False
    assert server.calls["retrieve"] >= 3


async def test_a_client_that_already_knows_the_list_is_missing_never_lists():
    time = FakeTime()
    server = litellm_like(time)
    client = server.client()
    client.support.learn("list", False, "400 to GET /videos", 400)
    poller = Poller(client, clock=time.clock, sleep=time.sleep)
    jobs = [submit(client, f"fox {n}", poller=poller) for n in range(2)]
    for job in jobs:
        await job
    assert server.calls["list"] == 0


# ---- statuses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wire", "parsed"),
    [
        ("processing", VideoStatus.IN_PROGRESS),
        ("running", VideoStatus.IN_PROGRESS),
        ("RUNNING", VideoStatus.IN_PROGRESS),
        ("IN_PROGRESS", VideoStatus.IN_PROGRESS),
        ("pending", VideoStatus.QUEUED),
        ("PENDING", VideoStatus.QUEUED),
        ("THROTTLED", VideoStatus.QUEUED),
        ("IN_QUEUE", VideoStatus.QUEUED),
        ("unknown", VideoStatus.QUEUED),
        ("COMPLETED", VideoStatus.COMPLETED),
        ("cancelled", VideoStatus.CANCELLED),
        ("canceled", VideoStatus.CANCELLED),
        ("expired", VideoStatus.EXPIRED),
        ("deleted", VideoStatus.DELETED),
        ("rendering-on-mars", "rendering-on-mars"),
    ],
)
def test_other_servers_statuses(wire, parsed):
    video = Video.from_dict(video_json(status=wire))
    assert video.status == parsed
    terminal = parsed in (
        VideoStatus.COMPLETED,
        VideoStatus.CANCELLED,
        VideoStatus.EXPIRED,
        VideoStatus.DELETED,
    )
    assert video.is_terminal is terminal


@pytest.mark.parametrize(
    ("final", "words"),
    [
        ("cancelled", "cancelled this video"),
        ("expired", "expired this video"),
        ("deleted", "deleted this video"),
    ],
)
async def test_a_video_the_server_ended_fails_the_job_in_plain_words(final, words):
    time = FakeTime()
    client = EndingClient(time, work=10)
    client.final = final
    job = submit(client, "a fox", poller=fake_poller(client, time))
    with pytest.raises(VideoFailed) as raised:
        await job
    assert job.status is JobStatus.FAILED and raised.value.code == final
    assert words in raised.value.message and "Retry" in raised.value.message
    polls = client.calls["retrieve"]
    await until(lambda: True)
    time.now += 100
    assert client.calls["retrieve"] == polls  # the poller stopped on it
    assert error_payload(job.error)["kind"] == "failed"


# ---- progress that is no progress -------------------------------------------------------------


def progress_server(
    time: FakeTime, progress: Any, work: float = 200.0
) -> tuple[FakeServer, SoraClient]:
    server = FakeServer(time)
    server.work, server.progress = work, progress
    client = server.client()
    client.is_simulator = True  # cadence is not what these test
    return server, client


@pytest.mark.parametrize(
    ("progress", "reason"),
    [
        (None, "no progress"),
        (lambda done: round(0.1 + 0.8 * done, 3), "fraction"),
        (lambda done: 50, "does not move"),
        (lambda done: 0 if done < 0.5 else 50, "stages"),
    ],
    ids=["absent", "0-1 float", "fixed 50", "0 then 50"],
)
async def test_unusable_progress_makes_the_job_indeterminate_with_the_typical_eta(progress, reason):
    time = FakeTime()
    server, client = progress_server(time, progress)
    job = submit(client, "a fox", poller=Poller(client, clock=time.clock, sleep=time.sleep))
    await until(lambda: time.now > 150, steps=100_000)
    assert job.status is JobStatus.IN_PROGRESS and job.indeterminate
    assert reason in job.progress_problem
    assert job.progress_rate is None and job.eta_error is None
    assert job.typical_seconds == 120.0  # sora-2's, from the catalog
    assert job.eta == pytest.approx(max(0.0, 120.0 - job.elapsed))
    payload = job_payload(job)
    assert payload["indeterminate"] is True and payload["typical_seconds"] == 120
    await job
    assert job.status is JobStatus.COMPLETED


async def test_moving_progress_stays_determinate():
    time = FakeTime()
    server, client = progress_server(time, "linear", work=60)
    job = submit(client, "a fox", poller=Poller(client, clock=time.clock, sleep=time.sleep))
    await until(lambda: time.now > 40, steps=100_000)
    assert not job.indeterminate and job.progress_problem == ""
    assert job_payload(job)["indeterminate"] is False
    await job


def test_an_unknown_model_gets_the_default_typical_time():
    time = FakeTime()
    client = FakeClient(time)
    job = submit(client, "a fox", model="my-own-video-model", poller=fake_poller(client, time))
    assert job.typical_seconds == DEFAULT_TYPICAL_SECONDS


# ---- cadence without a hint -------------------------------------------------------------------


async def retrieve_with_hint(self, video_id: str) -> tuple[Video, float | None]:
    result = await super().retrieve_with_hint(video_id)
    self.support.learn("poll_hint", result[1] is not None)
    return result


def poll_times(time: FakeTime) -> list[float]:
    return list(itertools.accumulate(time.sleeps))


def poll_gaps(time: FakeTime) -> list[float]:
    """The waits before each poll, the first counted from the create."""
    return [b - a for a, b in itertools.pairwise([0.0, *poll_times(time)])]


async def test_without_a_hint_a_real_server_is_polled_every_10_to_20_seconds():
    time = FakeTime()
    client = UnhintedClient(time, queue=5, work=10_000, stall=True)  # never finishes
    job = submit(client, "a fox", poller=fake_poller(client, time))
    await until(lambda: time.now > 600, steps=100_000)
    job.cancel()
    waits = [wait for wait in time.sleeps if wait > 0.01]
    assert min(waits) >= 2.0  # never faster than every 2 s
    steady = waits[2:]
    # One may come sooner: at the model's typical time (sora-2, about 120 s), when the stuck
    # progress made the job's end a guess from that time.
    assert sum(not 10.0 <= wait <= 20.0 for wait in steady) <= 1, steady
    assert len(set(steady)) > 5  # jittered, not in lockstep
    assert client.calls["retrieve"] <= 600 / 10 + 3


async def test_without_a_hint_the_poll_comes_near_the_typical_time_when_progress_is_unusable():
    time = FakeTime()
    server = FakeServer(time)
    server.work, server.progress = 125.0, None  # Veo through LiteLLM: no progress at all
    client = server.client()
    poller = Poller(client, clock=time.clock, sleep=time.sleep)
    job = submit(client, "a fox", poller=poller)  # sora-2: about 120 s
    await job
    polls, gaps = poll_times(time), poll_gaps(time)
    assert min(gaps) >= 2.0 - 1e-9
    assert any(118 <= when <= 122.5 for when in polls), polls  # a poll at the expected end
    assert polls[-1] <= 125 + 20  # and the completion is seen within one slow wait
    assert client.features["poll_hint"] is False


async def test_without_a_hint_a_predicted_end_is_still_polled_no_faster_than_2_seconds():
    time = FakeTime()
    client = UnhintedClient(time, queue=1, work=60)
    job = submit(client, "a fox", poller=fake_poller(client, time))
    await job
    polls, gaps = poll_times(time), poll_gaps(time)
    assert min(gaps) >= 2.0 - 1e-9
    assert polls[-1] <= 61 + 20


async def test_without_a_hint_a_short_job_seen_once_is_sampled_again_before_it_ends():
    """Through LiteLLM: the first poll finds the job queued, the second (10 s later) already
    at 75%: one sample, no rate. The longest it can still take bounds the next wait, so its
    end is seen within a few seconds, not a whole slow wait later."""
    time = FakeTime()
    client = UnhintedClient(time, queue=3, work=12)
    job = submit(client, "a fox", poller=fake_poller(client, time))
    await job
    polls, gaps = poll_times(time), poll_gaps(time)
    assert min(gaps) >= 2.0 - 1e-9  # still never faster than every 2 s
    assert polls[-1] <= 15 + 2.5, polls  # the end seen within one 2 s gap, not 10 to 20 s
    assert client.calls["retrieve"] <= 8


async def test_without_a_hint_the_end_is_seen_well_within_one_2_second_gap():
    """Through LiteLLM a miss costs a whole 2 s gap: the first in-progress sample bounds the
    rest from when the job was last seen queued, and a known end is aimed past its middle."""
    lateness = []
    for n in range(20):
        time = FakeTime()
        client = UnhintedClient(time, queue=2.5, work=12 + 0.37 * n)
        client.support.learn("list", False)
        job = submit(client, "a fox", poller=fake_poller(client, time, jitter=0.0))
        await job
        fake = client.videos[job.video_id]
        lateness.append(job._finished_at - (fake.created + fake.queue + fake.work))
    assert max(lateness) <= 1.0, lateness


async def test_a_server_is_polled_soon_once_then_as_the_guide_says_once_it_shows_no_hints():
    time = FakeTime()
    client = UnhintedClient(time, queue=5, work=10_000, stall=True)
    client.support.learn("list", False)  # each video polled on its own, as through LiteLLM
    poller = fake_poller(client, time)
    together = [submit(client, f"fox {n}", poller=poller) for n in range(3)]
    # The first answer shows whether the server sends hints: it comes soon, for one job.
    await until(lambda: client.calls["retrieve"] >= 1, steps=100_000)
    assert time.now <= 2.5 and client.support.unsupported("poll_hint")
    await until(lambda: time.now >= 9.5, steps=100_000)
    assert client.calls["retrieve"] == 1, "the others wait as the guide says, 10 s or more"
    submitted = time.now
    later = submit(client, "a fox sent later", poller=poller)
    await until(lambda: "video_004" in client.retrieved, steps=100_000)
    assert time.now - submitted >= 10.0
    for job in [*together, later]:
        job.cancel()


async def test_a_retrieves_hint_brings_the_next_list_sooner():
    time = FakeTime()
    client = UnhintedClient(time, queue=1, work=60, hint=0.3)
    poller = fake_poller(client, time)
    jobs = [submit(client, f"fox {n}", poller=poller) for n in range(3)]
    await until(lambda: client.calls["list"] >= 1, steps=100_000)
    first_list = time.now  # with the retrieve that showed the server sends hints
    await until(lambda: client.calls["list"] >= 2, steps=100_000)
    assert time.now - first_list <= 0.3 + 1e-6  # the hint, not the list's 2 s backoff
    for job in jobs:
        job.cancel()


async def test_with_a_hint_the_cadence_is_unchanged_on_a_real_server():
    time = FakeTime()
    client = UnhintedClient(time, queue=1, work=20, hint=0.5)
    job = submit(client, "a fox", poller=fake_poller(client, time))
    await job
    assert client.support.supported("poll_hint") is True
    assert min(time.sleeps[1:]) < 2.0  # the server's 0.5 s is followed


# ---- the widgets ------------------------------------------------------------------------------


async def test_the_widgets_show_what_the_server_cannot_do(make_widget):
    from sora_widget.ui.compare import Compare

    widget = make_widget()
    compare = Compare(client=widget.client, library=widget.library)
    assert widget.features["remix"] == {"supported": None, "reason": ""}
    widget.client.support.learn("remix", False, "404 to POST /videos/{id}/remix", 404)
    assert widget.features["remix"]["supported"] is False
    assert "cannot remix" in widget.features["remix"]["reason"]
    assert compare.features["remix"]["supported"] is False
    widget.close()
    compare.close()
    widget.client.support.learn("delete", False, "405", 405)  # no closed view is updated
    assert widget.features["delete"]["supported"] is None


def test_cadence_defaults_follow_the_guide():
    cadence = Cadence()
    assert cadence.unhinted_initial >= 10 and cadence.unhinted_maximum * (1 + cadence.jitter) <= 20
    assert cadence.unhinted_floor == 2.0
