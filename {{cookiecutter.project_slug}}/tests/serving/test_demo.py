import html
import re
from datetime import datetime, timezone

from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.bundle import Manifest, read_manifest
from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.schema import Feature, FeatureSchema
from {{ cookiecutter.module_name }}.serving import create_app
from {{ cookiecutter.module_name }}.serving.demo import render


def test_the_page_has_a_labelled_control_per_feature(client, trained, page_data):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    schema = read_manifest(trained.settings.paths.serving).feature_schema
    for i, feature in enumerate(schema.features):
        assert f'<label for="field-{i}">{html.escape(feature.name)}</label>' in page
        if feature.kind == "numeric":
            assert f'<input id="field-{i}" type="number"' in page
        else:
            assert f'<select id="field-{i}"' in page
    fields = page_data(page)["fields"]
    assert [field["name"] for field in fields] == schema.names
    assert not re.search(r"(src|href)=\"https?:", page)  # no CDN: it works offline


def test_every_example_on_the_page_is_a_record_the_api_accepts(client, trained, page_data):
    examples = page_data(client.get("/").text)["examples"]
    manifest = read_manifest(trained.settings.paths.serving)
    splits, _ = load_splits(trained.settings.paths.processed)
    assert len(examples) == min(trained.settings.serving.examples, len(splits["test"]))
    assert examples == manifest.examples
    answer = client.post("/predict/batch", json={"records": examples})
    assert answer.status_code == 200, answer.text


def test_hostile_names_and_categories_cannot_break_out_of_the_page(page_data):
    hostile = '</script><script>alert("x")</script>'
    schema = FeatureSchema(
        target="<b>t</b>",
        classes=["a", "b"],
        features=[
            Feature(name=hostile, kind="categorical", categories=['"><img src=x>', "ok"]),
            Feature(name="size & <weight>", kind="numeric", min=0, max=1),
            Feature(name="flag", kind="categorical", categories=["False", "True"]),
        ],
    )
    manifest = Manifest(
        name="m<script>",
        version="1",
        alias="champion",
        candidate="baseline",
        run_id="r",
        trained_at=datetime.now(timezone.utc),
        metrics={},
        feature_schema=schema,
        quantized=False,
        sha256="0" * 64,
        examples=[{hostile: '"><img src=x>', "size & <weight>": 0.5, "flag": True}],
    )
    page = render(manifest)
    assert hostile not in page
    assert "<img src=x>" not in page
    assert page.count("<script") == 2  # the page's data and its code, nothing injected
    data = page_data(page)
    assert [f["name"] for f in data["fields"]] == [hostile, "size & <weight>", "flag"]
    assert [f["kind"] for f in data["fields"]] == ["category", "number", "boolean"]
    assert data["examples"] == manifest.examples
    assert "0 to 1 in training" in page


def test_without_a_model_the_page_says_what_to_run(settings):
    with TestClient(create_app(settings)) as client:
        response = client.get("/")
    assert response.status_code == 503
    assert "make train" in response.text
