"""Stills of each simulated model family for docs/simulator.md: `python docs/make_family_stills.py`.

Renders the same prompt with every family's character (flaws off, so the stills show the
look, not a chance flaw; one still with each flaw forced on sora-2 follows), takes the middle
frame, and writes a small PNG per family into docs/images/. It also prints the "what to look
for" table from the data in `sora_widget/simulator/families.py`, to paste into the docs.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402
from PIL import Image  # noqa: E402

from sora_widget.simulator.families import CHARACTERS  # noqa: E402
from sora_widget.simulator.flaw_choice import FLAWS, FlawChoice  # noqa: E402
from sora_widget.simulator.render import FPS, RenderRequest, planned_flaws, render  # noqa: E402

PROMPT = "a red fox trotting through fresh snow at dawn"
WIDTH, HEIGHT, SECONDS = 360, 640, 2  # rendered small, saved smaller
STILL_WIDTH = 240
PALETTE = 96  # colours per still
OUT = Path(__file__).resolve().parent / "images"
#: a model name of each family, as a user would type it
EXAMPLES = {
    "sora-2-pro": "sora-2-pro",
    "veo-3": "veo-3.1-generate-preview",
    "sora-2": "sora-2",
    "kling": "kling-v2.1",
    "veo-fast": "veo-3.1-fast-generate-preview",
    "runway-gen4": "gen4_turbo",
    "seedance": "seedance-1-0-pro",
    "hailuo": "MiniMax-Hailuo-02",
    "veo-lite": "veo-3.1-lite-generate-preview",
    "grok-imagine": "grok-imagine-video",
    "wan": "wan2.6-t2v",
    "hunyuan": "tencent/HunyuanVideo-1.5",
    "ltx": "Lightricks/LTX-2",
}


def still(request: RenderRequest, frame: int, path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        video = render(request, Path(tmp)).video
        with av.open(str(video)) as container:
            image = list(container.decode(video=0))[frame].to_image()
    height = round(image.height * STILL_WIDTH / image.width)
    small = image.resize((STILL_WIDTH, height), Image.Resampling.LANCZOS)
    small.quantize(PALETTE).save(path, "PNG", optimize=True)  # a few kB each


def main() -> None:
    OUT.mkdir(exist_ok=True)
    clean = FlawChoice(enabled=False)
    print("| family (quality rank) | e.g. | what to look for | flaws: share of renders | still |")
    print("|---|---|---|---|---|")
    for character in sorted(CHARACTERS, key=lambda c: c.quality):
        model = EXAMPLES[character.name]
        name = f"family-{character.name}.png"
        request = RenderRequest(PROMPT, WIDTH, HEIGHT, SECONDS, model=model, flaws=clean)
        still(request, SECONDS * FPS // 2, OUT / name)
        flaws = ", ".join(f"{flaw} {rate:.0%}" for flaw, rate in character.flaws.items())
        print(
            f"| {character.name} ({character.quality}) | `{model}` | {character.look} | "
            f"{flaws} | ![{character.name}](images/{name}) |"
        )
    for flaw in FLAWS:
        request = RenderRequest(PROMPT, WIDTH, HEIGHT, SECONDS, flaws=FlawChoice(only=flaw))
        first, end = planned_flaws(request)[flaw]
        still(
            request,
            (first + end) // 2 if end < SECONDS * FPS else end - 1,
            OUT / f"flaw-{flaw}.png",
        )


if __name__ == "__main__":
    main()
