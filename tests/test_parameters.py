"""Provider parameters and image slots: the catalog's rows, their checks, the create body each
route takes, what the simulator honours and reports, and the widget's Advanced section."""

from __future__ import annotations

import asyncio
import base64
import json

import av
import httpx
import numpy as np
import pytest

from sora_widget.core.catalog import FAMILIES, images_of, parameters_of
from sora_widget.core.errors import InvalidRequestError
from sora_widget.core.validation import parse_raw_parameters, validate_parameters
from sora_widget.engine.client import SoraClient
from sora_widget.engine.create_body import build_create_body
from sora_widget.simulator.render import RenderRequest, render
from sora_widget.simulator.scene import describe
from sora_widget.ui.widget_state import advanced_payload

from .helpers import TEST_KEY, png_bytes

# ---- the catalog -------------------------------------------------------------------------------


def names(model: str) -> set[str]:
    return {param.name for param in parameters_of(model)}


def test_each_family_lists_the_parameters_its_users_reach_for() -> None:
    assert {"negativePrompt", "resolution", "aspectRatio", "generateAudio", "seed"} <= names(
        "veo-3.1-generate-preview"
    )
    assert images_of("veo-3.1-generate-preview").payload() == {
        "first": True,
        "last": True,
        "references": 3,
    }
    assert {"ratio", "seed"} <= names("gen4_turbo")
    assert images_of("gen4_turbo").payload()["last"] is True
    assert {"negative_prompt", "seed", "prompt_extend", "audio"} <= names("wan2.6-t2v")
    assert {"negative_prompt", "cfg_scale", "mode", "camera_control"} <= names("kling-v2.1")
    assert {"resolution", "aspect_ratio", "seed", "camera_fixed", "generate_audio"} <= names(
        "seedance-1-0-pro"
    )
    served = {"num_inference_steps", "guidance_scale", "seed", "fps", "num_frames"}
    for model in (
        "hosted_vllm/Wan-AI/Wan2.2-T2V-A14B",
        "Wan-AI/Wan2.2-T2V-A14B",
        "Lightricks/LTX-2",
    ):
        assert served <= names(model), model
    assert names("my-finetune") == set() and names("sora-2") == set()


def test_every_parameter_row_is_complete() -> None:
    for family in FAMILIES:
        for param in family.parameters:
            assert param.label and param.kind in ("int", "float", "bool", "choice", "string")
            if param.kind == "choice":
                assert param.choices, param.name
            if param.kind in ("int", "float"):
                assert param.low is not None and param.high is not None, param.name


# ---- the checks --------------------------------------------------------------------------------


def test_a_refused_value_names_the_field_and_what_is_allowed() -> None:
    with pytest.raises(InvalidRequestError) as refused:
        validate_parameters("Wan-AI/Wan2.2-T2V-A14B", {"seed": "-3"})
    assert refused.value.param == "seed"
    assert refused.value.message == "seed: must be a whole number from 0 to 4294967295."
    with pytest.raises(InvalidRequestError, match=r"cfg_scale: must be a number from 0 to 1"):
        validate_parameters("kling-v2.1", {"cfg_scale": 3})
    with pytest.raises(InvalidRequestError, match=r"mode: must be one of 'std', 'pro'"):
        validate_parameters("kling-v2.1", {"mode": "max"})
    with pytest.raises(InvalidRequestError, match=r"seed: not a parameter of Sora 2.*raw JSON"):
        validate_parameters("sora-2", {"seed": 1})


def test_form_text_is_read_as_the_type_the_server_takes_and_empty_fields_are_left_out() -> None:
    checked = validate_parameters(
        "Wan-AI/Wan2.2-T2V-A14B",
        {"seed": "42", "guidance_scale": "5.5", "negative_prompt": "", "fps": 24},
    )
    assert checked == {"seed": 42, "guidance_scale": 5.5, "fps": 24}
    assert validate_parameters("seedance-1-0-pro", {"camera_fixed": "true"}) == {
        "camera_fixed": True
    }


def test_the_raw_json_field_must_be_an_object_without_the_forms_own_fields() -> None:
    assert parse_raw_parameters(' {"seed": 7, "x": [1]} ') == {"seed": 7, "x": [1]}
    assert parse_raw_parameters("") == {}
    for raw, words in (
        ("[1, 2]", "must be a JSON object"),
        ("{seed: 7}", "not valid JSON"),
        ('{"prompt": "x"}', "has its own field in the form"),
    ):
        with pytest.raises(InvalidRequestError, match=words) as refused:
            parse_raw_parameters(raw)
        assert refused.value.param == "raw_parameters"


# ---- the create body each route takes ----------------------------------------------------------

FIELDS = {"prompt": "a harbour", "size": "64x64", "seconds": "4"}


def body_for(model: str, **options):
    return build_create_body({**FIELDS, "model": model}, size="64x64", **options)


def test_the_openai_shape_sends_the_first_frame_as_a_file_and_the_rest_as_text() -> None:
    body = body_for(
        "Wan-AI/Wan2.2-T2V-A14B",
        input_reference=png_bytes(64, 64),
        parameters={"seed": 42, "negative_prompt": "rain"},
        extra={"seed": 7, "last_frame": "data:image/png;base64,AAAA"},
    )
    assert not body.as_json
    parts = dict(body.form_parts())
    assert parts["input_reference"][2] == "image/png"  # a file part
    assert parts["seed"] == (None, "7")  # the raw JSON wins over the named field
    assert parts["negative_prompt"] == (None, "rain")
    assert parts["last_frame"] == (None, "data:image/png;base64,AAAA")


def test_json_routes_take_their_images_inline_each_in_its_own_form() -> None:
    first, last = png_bytes(64, 64), png_bytes(64, 64, (0, 0, 255))
    runway = body_for("gen4_turbo", input_reference=first, last_frame=last).fields
    assert [item["position"] for item in runway["promptImage"]] == ["first", "last"]
    assert runway["promptImage"][0]["uri"].startswith("data:image/png;base64,")
    veo = body_for("veo-3.1-generate-preview", last_frame=last, reference_images=[first]).fields
    assert veo["lastFrame"] == {
        "bytesBase64Encoded": base64.b64encode(last).decode(),
        "mimeType": "image/png",
    }
    assert veo["referenceImages"][0]["referenceType"] == "asset"
    kling = body_for("kling-v2.1", last_frame=last, parameters={"camera_control": "forward_up"})
    assert kling.as_json and kling.fields["tail_image_url"].startswith("data:image/png")
    assert kling.fields["camera_control"] == {"type": "forward_up"}
    with pytest.raises(InvalidRequestError, match="last_frame: 'sora-2' takes no such image"):
        body_for("sora-2", last_frame=last)


# ---- what the simulator honours and reports ----------------------------------------------------


def test_the_seed_moves_the_scene_deterministically_and_a_negative_prompt_takes_words_away() -> (
    None
):
    prompt = "a fox and a tree in the rain"
    assert describe(prompt, seed=1) == describe(prompt, seed=1)
    assert describe(prompt, seed=1).subjects != describe(prompt, seed=2).subjects
    assert describe(prompt).look.weather == frozenset({"rain"})
    assert describe(prompt, negative="rain").look.weather == frozenset()
    assert describe("a stormy night", negative="rainy").look.weather == frozenset()


def last_frame_rgb(path) -> np.ndarray:
    with av.open(str(path)) as container:
        frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    return frames[-1]


def test_a_last_frame_becomes_the_final_frame_and_references_appear(tmp_path) -> None:
    base = RenderRequest(prompt="a meadow at noon", width=96, height=64, seconds=1)
    blue = png_bytes(96, 64, (20, 40, 230))
    ending = render(RenderRequest(**{**base.__dict__, "last_frame": blue}), tmp_path / "a")
    red = last_frame_rgb(ending.video).reshape(-1, 3).mean(axis=0)
    assert red[2] > 180 and red[0] < 60  # the clip ends on the blue image
    plain = last_frame_rgb(render(base, tmp_path / "b").video)
    pictured = render(
        RenderRequest(**{**base.__dict__, "reference_images": (png_bytes(32, 32, (255, 0, 255)),)}),
        tmp_path / "c",
    )
    assert np.abs(last_frame_rgb(pictured.video).astype(int) - plain).max() > 100


@pytest.fixture
def sim_client(make_app):
    app = make_app(api_key=TEST_KEY)
    return SoraClient(
        api_key=TEST_KEY,
        base_url="http://simulator.test/v1",
        transport=httpx.ASGITransport(app=app),
    )


async def received(client: SoraClient, video_id: str) -> dict:
    async with httpx.AsyncClient(
        transport=client._http._transport, base_url="http://simulator.test"
    ) as raw:
        answer = await raw.get(
            f"/simulator/videos/{video_id}/received",
            headers={"Authorization": f"Bearer {TEST_KEY}"},
        )
    return answer.json()["received"]


@pytest.mark.parametrize("model", ["Wan-AI/Wan2.2-T2V-A14B", "gen4_turbo"])
async def test_the_simulator_reports_what_it_received_by_form_and_by_json(sim_client, model):
    async with sim_client:
        video = await sim_client.create(
            "a harbour in the rain",
            model=model,
            size="64x64",
            seconds="2",
            last_frame=png_bytes(64, 64) if model == "gen4_turbo" else None,
            parameters={"seed": "42"},
            extra={"negative_prompt": "rain"},
        )
        report = await received(sim_client, video.id)
    assert str(report["seed"]) == "42" and report["negative_prompt"] == "rain"
    if model == "gen4_turbo":
        assert report["promptImage"][0]["position"] == "last"


# ---- the widget's Advanced section, for three families -----------------------------------------


@pytest.mark.parametrize(
    ("model", "field", "refused"),
    [
        ("veo-3.1-generate-preview", "resolution", "4k"),
        ("kling-v2.1", "cfg_scale", "2"),
        ("Wan-AI/Wan2.2-T2V-A14B", "seed", "-1"),
    ],
)
async def test_the_advanced_section_shows_the_models_parameters_and_names_a_refusal(
    make_widget, model, field, refused
):
    widget = make_widget(prompt="a harbour", model=model)
    assert widget.advanced == advanced_payload(model)
    assert [p["name"] for p in widget.advanced["parameters"]] == [
        p.name for p in parameters_of(model)
    ]
    widget.parameters = {field: refused}
    assert widget.problems[field].startswith(f"{field}: must be")
    widget._handle_message(widget, {"action": "generate"}, [])
    assert widget.error["field"] == field and widget.job["status"] == "idle"
    widget.parameters = {}
    assert field not in widget.problems


async def test_changing_the_model_rebuilds_the_section_and_drops_what_it_does_not_take(
    make_widget,
):
    widget = make_widget(prompt="a harbour", model="veo-3.1-generate-preview")
    assert widget.advanced["images"]["slots"] == [
        "last_frame",
        "reference_1",
        "reference_2",
        "reference_3",
    ]
    widget.parameters = {"negativePrompt": "rain", "seed": "3"}
    widget.images = {"last_frame": png_bytes(1280, 720)}
    widget.model = "Wan-AI/Wan2.2-T2V-A14B"  # served: negative_prompt, seed, ...; no last frame
    assert widget.parameters == {"seed": "3"} and widget.images == {}
    assert widget.advanced["images"]["slots"] == []
    widget.raw_parameters = "[1]"
    assert "must be a JSON object" in widget.problems["raw_parameters"]


async def test_a_saved_videos_settings_fill_the_form_again(make_widget):
    widget = make_widget(prompt="a harbour at dawn", model="Wan-AI/Wan2.2-T2V-A14B")
    widget.size, widget.seconds = "64x64", "2"
    widget.parameters = {"seed": "42", "negative_prompt": "rain"}
    widget.raw_parameters = json.dumps({"flow_shift": 12})
    job = widget.generate()
    await asyncio.wait_for(widget.wait(), 60)
    assert widget.library.get(job.video_id).settings == {
        "parameters": {"seed": 42, "negative_prompt": "rain"},
        "extra": {"flow_shift": 12},
    }
    assert (await received(widget.client, job.video_id))["flow_shift"] == "12"  # a form field
    widget.prompt, widget.model, widget.parameters, widget.raw_parameters = "x", "sora-2", {}, ""
    widget._handle_message(widget, {"action": "use_settings", "id": job.video_id}, [])
    assert (widget.prompt, widget.model, widget.size, widget.seconds) == (
        "a harbour at dawn",
        "Wan-AI/Wan2.2-T2V-A14B",
        "64x64",
        "2",
    )
    assert widget.parameters == {"seed": 42, "negative_prompt": "rain"}
    assert json.loads(widget.raw_parameters) == {"flow_shift": 12}
