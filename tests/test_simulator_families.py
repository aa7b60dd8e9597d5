"""Each simulated model family looks and sounds like itself, and makes its flaws on purpose:
measured on the decoded files, at small sizes and short clips."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

from sora_widget.cli.commands import build_parser, simulator_config
from sora_widget.simulator.config import SimulatorConfig
from sora_widget.simulator.families import CHARACTERS, DEFAULT, character_of
from sora_widget.simulator.flaw_choice import FLAWS, FlawChoice
from sora_widget.simulator.paint.caption import layout_caption
from sora_widget.simulator.render import (
    AUDIO_RATE,
    FPS,
    RenderedAssets,
    RenderRequest,
    planned_flaws,
    probe_video,
    render,
)
from sora_widget.simulator.scene import FLOOR, describe

W, H, SECONDS = 180, 320, 2
SNOW_FOX = "a red fox trotting through fresh snow at dawn"
MEADOW_FOX = "a red fox trotting across a meadow"  # no weather: the sky stands still
RAIN = "rain on a city street"  # broadband sound
QUIET = "a red fox in a meadow, silent"  # no voice at all: only a noise floor is heard
SORA, VEO_FAST, WAN = "sora-2", "veo-3.1-fast-generate-preview", "wan2.6-t2v"
CLEAN = FlawChoice(enabled=False)

Render = Callable[..., RenderedAssets]


@pytest.fixture(scope="module")
def make(tmp_path_factory: pytest.TempPathFactory) -> Render:
    """Render a request once per module; later calls reuse the files."""
    cache: dict[RenderRequest, RenderedAssets] = {}

    def make(prompt: str, model: str = SORA, flaws: FlawChoice = CLEAN) -> RenderedAssets:
        request = RenderRequest(prompt, W, H, SECONDS, model=model, flaws=flaws)
        if request not in cache:
            cache[request] = render(request, tmp_path_factory.mktemp("family"))
        return cache[request]

    return make


def frames(assets: RenderedAssets) -> np.ndarray:
    """All frames, RGB, as one (frames, height, width, 3) array of floats."""
    with av.open(str(assets.video)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    return np.stack(decoded).astype(float)


def sound(assets: RenderedAssets) -> np.ndarray:
    with av.open(str(assets.video)) as container:
        return np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)])


def saturation(frame: np.ndarray) -> float:
    return float((frame.max(axis=-1) - frame.min(axis=-1)).mean())


def share_above(samples: np.ndarray, hz: float) -> float:
    """The share of the sound's energy above `hz`."""
    power = np.abs(np.fft.rfft(samples)) ** 2
    return float(power[np.fft.rfftfreq(len(samples), 1 / AUDIO_RATE) > hz].sum() / power.sum())


def moves(clip: np.ndarray, rows: slice) -> np.ndarray:
    """Each frame's mean absolute difference from the one before, over `rows`."""
    return np.abs(np.diff(clip[:, rows], axis=0)).mean(axis=(1, 2, 3))


# ---------------------------------------------------------------------------- the table


def test_the_table_states_a_quality_order_and_known_flaws() -> None:
    assert sorted(c.quality for c in CHARACTERS) == list(range(1, len(CHARACTERS) + 1))
    for character in CHARACTERS:
        assert set(character.flaws) <= set(FLAWS), character.name
        assert all(0 <= rate <= 1 for rate in character.flaws.values()), character.name
    # the better families make fewer flaws in all, from the best through the middle to the last
    by_rank = sorted(CHARACTERS, key=lambda c: c.quality)
    totals = [sum(c.flaws.values()) for c in by_rank]
    assert totals[0] < totals[len(totals) // 2] < totals[-1]


NAMES = [
    ("sora-2", "sora-2"),
    ("sora-2-2025-10-06", "sora-2"),
    ("sora-2-pro", "sora-2-pro"),
    ("veo-3.1-generate-preview", "veo-3"),
    ("google/veo-3.1", "veo-3"),
    ("veo-3.0-fast-generate-001", "veo-fast"),
    ("veo-3.1-fast-generate-preview", "veo-fast"),
    ("veo-3.1-lite-generate-preview", "veo-lite"),
    ("gen4_turbo", "runway-gen4"),
    ("wan2.6-t2v", "wan"),
    ("Wan-AI/Wan2.2-T2V-A14B", "wan"),
    ("kling-v2.1", "kling"),
    ("seedance-1-0-pro", "seedance"),
    ("MiniMax-Hailuo-02", "hailuo"),
    ("Lightricks/LTX-2", "ltx"),
    ("tencent/HunyuanVideo-1.5", "hunyuan"),
    ("x-ai/grok-imagine-video", "grok-imagine"),
]
ONE_OF_EACH = list({family: model for model, family in NAMES}.values())


@pytest.mark.parametrize(("model", "family"), NAMES)
def test_names_find_their_family(model: str, family: str) -> None:
    assert character_of(model).name == family


def test_every_family_has_a_name_here() -> None:
    assert {character_of(model).name for model in ONE_OF_EACH} == {c.name for c in CHARACTERS}


def test_an_unknown_name_is_drawn_as_the_home_model() -> None:
    assert character_of("my-own-model") is DEFAULT
    assert DEFAULT.name == "sora-2"


@pytest.mark.parametrize("model", ONE_OF_EACH)
def test_every_family_renders_every_camera_move_and_flaw(tmp_path: Path, model: str) -> None:
    """The sway stays inside the backdrop on a pan's and an orbit's travel, a zoom's canvas
    takes the flaws, and a choppy family still ends on the clip's last frame."""
    moves = ("pan left", "orbit", "zoom in", "pan right", "")
    for move, flaw in zip(moves, FLAWS, strict=True):
        prompt = f"a fox and a robot walking through snow, {move}"
        request = RenderRequest(prompt, 64, 112, 1, model=model, flaws=FlawChoice(only=flaw))
        assert flaw in planned_flaws(request)
        video = render(request, tmp_path / flaw).video
        assert probe_video(video.read_bytes())[1:] == (64, 112, pytest.approx(1, abs=0.1))


# ---------------------------------------------------------------------------- families differ


def test_families_differ_in_colour(make: Render) -> None:
    middle = SECONDS * FPS // 2
    stats = {
        model: (*frames(make(SNOW_FOX, model))[middle].mean(axis=(0, 1)), saturation(clip))
        for model in (SORA, VEO_FAST, WAN)
        for clip in [frames(make(SNOW_FOX, model))[middle]]
    }
    warm = {model: r - b for model, (r, _, b, _) in stats.items()}
    assert warm[VEO_FAST] > warm[SORA] + 3, "Veo is not warmer"
    assert warm[WAN] < warm[SORA] - 3, "Wan is not cooler"
    assert stats[WAN][3] < stats[SORA][3] - 2, "Wan is not paler"
    assert stats[VEO_FAST][3] > stats[SORA][3] + 1, "Veo is not more vivid"


def test_families_differ_in_motion(make: Render) -> None:
    """Wan holds each picture for two frames; Veo fast's camera floats; Sora's sky is still."""
    sky = slice(0, int(describe(MEADOW_FOX).horizon * H) - 4)
    sora, veo, wan = (moves(frames(make(MEADOW_FOX, m)), sky) for m in (SORA, VEO_FAST, WAN))
    ground = slice(int(describe(MEADOW_FOX).horizon * H), int(FLOOR * H))
    wan_ground = moves(frames(make(MEADOW_FOX, WAN)), ground)
    sora_ground = moves(frames(make(MEADOW_FOX, SORA)), ground)
    assert sora.max() < 0.05
    assert (veo > 0.3).mean() > 0.5, "no handheld float"
    assert (wan_ground[0::2] < 0.05).all(), "every other frame should repeat the one before"
    assert (sora_ground < 0.05).mean() < 0.3, "sora-2 should move on most frames"
    assert wan.max() < 0.05


def test_families_differ_in_sound(make: Render) -> None:
    sora, veo, wan = (sound(make(RAIN, m)) for m in (SORA, VEO_FAST, WAN))
    assert share_above(sora, 13_000) > 100 * share_above(veo, 13_000), "Veo fast is not duller"
    assert share_above(veo, 8_000) > 100 * share_above(wan, 8_000), "Wan is not narrower"
    # the noise floor: a silent scene is silent on Sora, hisses on Wan
    quiet_sora, quiet_wan = (sound(make(QUIET, m)) for m in (SORA, WAN))
    assert np.sqrt(np.mean(quiet_sora**2)) < 1e-4
    assert np.sqrt(np.mean(quiet_wan**2)) > 1e-3


@pytest.mark.parametrize("model", [SORA, VEO_FAST, WAN])
def test_the_same_request_gives_the_same_files(make: Render, tmp_path: Path, model: str) -> None:
    """Deterministic, flaws included: the same prompt, model, size, duration and seed."""
    request = RenderRequest(SNOW_FOX, W, H, SECONDS, model=model, seed=7)
    first, again = render(request, tmp_path / "a"), render(request, tmp_path / "b")
    for name in ("video", "thumbnail", "spritesheet"):
        assert getattr(first, name).read_bytes() == getattr(again, name).read_bytes(), name
    other_seed = render(RenderRequest(SNOW_FOX, W, H, SECONDS, model=model, seed=8), tmp_path)
    assert other_seed.video.read_bytes() != first.video.read_bytes()


# ---------------------------------------------------------------------------- flaws


def flawed(
    make: Render, flaw: str, prompt: str = SNOW_FOX
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The clip with only `flaw`, the same clip clean, and the frames the flaw claims."""
    choice = FlawChoice(only=flaw)
    first, end = planned_flaws(RenderRequest(prompt, W, H, SECONDS, flaws=choice))[flaw]
    return frames(make(prompt, flaws=choice)), frames(make(prompt)), first, end


def test_flicker_pulses_the_brightness(make: Render) -> None:
    bad, clean, first, end = flawed(make, "flicker")
    jumps = np.abs(np.diff(bad.mean(axis=(1, 2, 3))))
    calm = np.abs(np.diff(clean.mean(axis=(1, 2, 3))))
    assert jumps[first - 1 : end - 1].min() > 5, "no pulse"
    assert calm.max() < 1 and np.delete(jumps, range(first - 1, end)).max() < 1


def strong(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Where two frames (or clips) differ by more than the encoder's own noise."""
    return np.abs(a - b).sum(axis=-1) > 60


def test_wobble_bends_the_subject(make: Render) -> None:
    bad, clean, first, end = flawed(make, "wobble")
    changed = strong(bad, clean).sum(axis=(1, 2))
    assert changed[first:end].min() > 20, "the subject does not bend"
    assert changed[:first].max() == 0 and changed[end:].max() < changed[first:end].min() / 4
    rows = np.nonzero(strong(bad[first], clean[first]).any(axis=1))[0]
    fox = describe(SNOW_FOX).subjects[0]
    assert rows.min() >= (fox.y - fox.size) * H - 4 and rows.max() <= fox.y * H + 4


def test_pop_makes_something_appear_and_vanish(make: Render) -> None:
    bad, clean, first, end = flawed(make, "pop")
    appeared = strong(bad[first], clean[first])
    assert appeared.sum() > 100, "nothing popped in"
    rows, cols = np.nonzero(appeared)
    assert np.ptp(rows) < 0.3 * H and np.ptp(cols) < 0.6 * W, "not one object"
    assert strong(bad[first - 1], clean[first - 1]).sum() == 0, "it was there before"
    assert strong(bad[end], clean[end]).sum() < appeared.sum() / 20, "it does not vanish"


def test_a_garbled_caption_is_unreadable_for_a_while(make: Render) -> None:
    bad, clean, first, end = flawed(make, "garbled-caption")
    top, _ = layout_caption(describe(SNOW_FOX).caption, W, H)
    changed = strong(bad, clean)
    assert changed[first:end, top:].sum(axis=(1, 2)).min() > 20, "the caption reads the same"
    assert changed[:, :top].sum() == 0, "only the caption changes"
    assert changed[:first].sum() == 0 and changed[end:].sum() < 20


def test_a_missing_effect_leaves_no_footprints(make: Render) -> None:
    """The fox walks on, but from the flaw's first frame its prints stop appearing: the
    snow along its foot line stays brighter than in the clean clip, and nothing else
    changes."""
    bad, clean, first, _ = flawed(make, "missing-effect")
    assert strong(bad[:first], clean[:first]).sum() == 0
    brighter = (bad[-1] - clean[-1]).mean(axis=2) > 20
    assert brighter.sum() > 5, "the prints are there"
    rows = np.nonzero(brighter.any(axis=1))[0]
    foot = describe(SNOW_FOX).subjects[0].y * H
    assert rows.min() >= foot - 6 and rows.max() <= foot + 4, "not on the foot line"
    assert strong(bad[-1], clean[-1]).sum() <= brighter.sum()


def test_a_meadow_leaves_no_footprints(make: Render) -> None:
    clip = frames(make(MEADOW_FOX))
    ground = slice(int(describe(MEADOW_FOX).horizon * H), int(FLOOR * H))
    subject = np.abs(clip[0, ground] - clip[-1, ground]).sum(axis=2) > 0
    assert ((clip[-1, ground] - clip[0, ground]).mean(axis=2)[subject] > -200).all()


def test_no_flaws_removes_them_and_a_family_deals_its_own(make: Render) -> None:
    dealt = {
        flaw
        for prompt in (SNOW_FOX, MEADOW_FOX, RAIN, QUIET, "a cat", "a dog", "a boat")
        for flaw in planned_flaws(RenderRequest(prompt, W, H, SECONDS, model="ltx-2"))
    }
    assert len(dealt) >= 3, "LTX should show most of its flaws over a few prompts"
    for prompt in (SNOW_FOX, MEADOW_FOX, RAIN):
        assert planned_flaws(RenderRequest(prompt, W, H, SECONDS, model="ltx-2", flaws=CLEAN)) == {}
    assert planned_flaws(RenderRequest(SNOW_FOX, W, H, SECONDS, model="sora-2-pro")).keys() <= {
        "missing-effect",
        "wobble",
    }


# ---------------------------------------------------------------------------- settings


def test_the_settings_reach_every_render(tmp_path: Path) -> None:
    assert SimulatorConfig(data_dir=tmp_path).flaws == FlawChoice()
    env = {"SORA_SIM_NO_FLAWS": "1", "SORA_SIM_DATA_DIR": str(tmp_path)}
    assert SimulatorConfig.from_env(env).flaws == FlawChoice(enabled=False)
    env = {"SORA_SIM_FLAW": "pop", "SORA_SIM_DATA_DIR": str(tmp_path)}
    assert SimulatorConfig.from_env(env).flaws == FlawChoice(only="pop")
    with pytest.raises(ValueError, match="--flaw"):
        SimulatorConfig(data_dir=tmp_path, flaw="blur")
    with pytest.raises(ValueError, match="--no-flaws"):
        SimulatorConfig(data_dir=tmp_path, flaw="pop", no_flaws=True)


@pytest.mark.parametrize(
    ("flags", "choice"),
    [
        ([], FlawChoice()),
        (["--no-flaws"], CLEAN),
        (["--flaw", "wobble"], FlawChoice(only="wobble")),
    ],
)
def test_the_command_line_sets_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str], choice: FlawChoice
) -> None:
    monkeypatch.delenv("SORA_SIM_NO_FLAWS", raising=False)
    monkeypatch.delenv("SORA_SIM_FLAW", raising=False)
    args: argparse.Namespace = build_parser().parse_args(
        ["simulator", "--data-dir", str(tmp_path), *flags]
    )
    assert simulator_config(args).flaws == choice
