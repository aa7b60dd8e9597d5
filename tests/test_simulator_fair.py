"""Fair rendering on a shared simulator: one key's burst delays that key, not the others."""

from __future__ import annotations

import asyncio

import pytest

from sora_widget.cli.commands import build_parser, main, simulator_config
from sora_widget.simulator.config import SimulatorConfig, machine_cores
from sora_widget.simulator.fair_queue import FairQueue

from .fakes import HeldRenders
from .helpers import api_client

JOB = {"size": "720x1280", "seconds": "4"}


def test_a_burst_from_one_owner_takes_turns_with_the_others() -> None:
    queue: FairQueue[str] = FairQueue()
    for n in range(1, 6):
        queue.push("a", f"a{n}")
    queue.push("b", "b1")
    queue.push("c", "c1")
    order = [queue.pop()]
    queue.push("d", "d1")  # arrives while a's burst is being served
    order += [queue.pop() for _ in range(len(queue))]
    assert order == ["a1", "b1", "c1", "d1", "a2", "a3", "a4", "a5"]


def test_an_owner_just_served_waits_for_the_others_before_its_next_job() -> None:
    queue: FairQueue[str] = FairQueue()
    queue.push("a", "a1")
    assert queue.pop() == "a1"  # a's queue is empty now, but its turn was taken
    queue.push("a", "a2")
    queue.push("b", "b1")
    assert [queue.pop(), queue.pop()] == ["b1", "a2"]


def test_one_owner_alone_is_first_in_first_out_and_an_empty_queue_says_so() -> None:
    queue: FairQueue[int] = FairQueue()
    for n in range(4):
        queue.push("a", n)
    assert queue.waiting("a") == 4
    assert [queue.pop() for _ in range(4)] == [0, 1, 2, 3]
    assert queue.waiting("a") == 0 and len(queue) == 0
    with pytest.raises(IndexError):
        queue.pop()


async def _until(condition) -> None:
    """Let the event loop run the render callbacks until `condition` holds."""
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the simulator never got there")


async def test_a_single_job_from_another_key_renders_before_the_burst_goes_on(make_app) -> None:
    renders = HeldRenders()
    app = make_app(executor=renders, workers=1)
    async with api_client(app, "sk-key-a") as a, api_client(app, "sk-key-b") as b:
        for n in range(1, 11):
            assert (await a.post("/videos", json={**JOB, "prompt": f"burst {n}"})).is_success
        assert (await b.post("/videos", json={**JOB, "prompt": "single"})).is_success
        while len(renders.started) < 11:
            await _until(lambda: renders.rendering == 1)
            renders.finish_oldest()
            await _until(lambda: renders.rendering == 1 or len(renders.started) == 11)
    assert renders.started == ["burst 1", "single", *(f"burst {n}" for n in range(2, 11))]


async def test_renders_run_on_as_many_slots_as_workers(make_app) -> None:
    renders = HeldRenders()
    app = make_app(executor=renders, workers=machine_cores())
    async with api_client(app) as client:
        for n in range(machine_cores() + 1):
            assert (await client.post("/videos", json={**JOB, "prompt": f"job {n}"})).is_success
        await _until(lambda: renders.rendering == machine_cores())
        await asyncio.sleep(0)
        assert renders.rendering == machine_cores()  # the last one waits for a free slot
        renders.finish_oldest()
        await _until(lambda: len(renders.started) == machine_cores() + 1)


def test_workers_default_to_the_cores_and_come_from_the_flag_or_the_environment() -> None:
    assert SimulatorConfig().workers == machine_cores()
    assert SimulatorConfig.from_env({"SORA_SIM_WORKERS": "1"}).workers == 1
    args = build_parser().parse_args(["simulator", "--workers", "1"])
    assert simulator_config(args).workers == 1


@pytest.mark.parametrize("workers", [0, -1, machine_cores() + 1])
def test_workers_beyond_the_cores_or_below_one_are_refused_naming_the_flag(
    workers: int, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["simulator", "--workers", str(workers)])
    assert exit.value.code == 2
    error = capsys.readouterr().err
    assert "--workers" in error and f"from 1 to {machine_cores()}" in error
    assert f"got {workers}" in error


async def test_a_key_at_its_cap_gets_a_429_until_one_of_its_jobs_completes(
    make_app, fake_clock
) -> None:
    renders = HeldRenders()
    app = make_app(clock=fake_clock, executor=renders, workers=1, per_key_jobs=2)
    store = app.state.simulator.store
    async with api_client(app, "sk-key-a") as a, api_client(app, "sk-key-b") as b:
        first = (await a.post("/videos", json={**JOB, "prompt": "first"})).json()["id"]
        assert (await a.post("/videos", json={**JOB, "prompt": "second"})).is_success
        refused = await a.post("/videos", json={**JOB, "prompt": "third"})
        assert refused.status_code == 429
        error = refused.json()["error"]
        assert (error["type"], error["code"], error["param"]) == (
            "requests",
            "rate_limit_exceeded",
            None,
        )
        assert error["message"].startswith("Too many concurrent requests")
        assert "(2)" in error["message"]
        assert int(refused.headers["retry-after"]) >= 1
        assert len(store.videos) == 2  # nothing was kept for the refused one
        assert (await b.post("/videos", json={**JOB, "prompt": "other key"})).is_success

        fake_clock.advance(store.videos[first].timeline.total_seconds + 0.01)
        renders.finish_oldest()
        await _until(lambda: store.videos[first].rendered_at is not None)
        assert (await a.get(f"/videos/{first}")).json()["status"] == "completed"
        assert (await a.post("/videos", json={**JOB, "prompt": "third"})).is_success
        assert (await a.post("/videos", json={**JOB, "prompt": "fourth"})).status_code == 429


async def test_the_cap_reads_each_jobs_state_without_building_its_video_object(
    make_app, fake_clock, monkeypatch
) -> None:
    """A class creates often: the cap must not build every job's answer to count them."""
    app = make_app(clock=fake_clock, executor=HeldRenders(), workers=1, per_key_jobs=5)
    simulator = app.state.simulator
    built: list[str] = []
    build = simulator.video_json
    monkeypatch.setattr(simulator, "video_json", lambda r: built.append(r.id) or build(r))
    async with api_client(app, "sk-key-a") as a:
        for n in range(4):
            assert (await a.post("/videos", json={**JOB, "prompt": f"job {n}"})).is_success
    assert len(built) == len(set(built)) == 4  # each create's answer, and nothing more


def test_a_negative_per_key_cap_is_refused_naming_the_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert SimulatorConfig.from_env({"SORA_SIM_PER_KEY_JOBS": "3"}).per_key_jobs == 3
    assert SimulatorConfig().per_key_jobs == 0
    with pytest.raises(SystemExit):
        main(["simulator", "--per-key-jobs", "-1"])
    assert "--per-key-jobs" in capsys.readouterr().err
