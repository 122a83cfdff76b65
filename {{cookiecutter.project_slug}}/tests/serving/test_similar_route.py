"""`POST /similar`: the nearest training records, refused as `/predict` refuses."""

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.bundle import NEIGHBOURS_FILE, VECTORS_FILE, BundleError
from {{ cookiecutter.module_name }}.serving import create_app
from {{ cookiecutter.module_name }}.serving.similar_route import MOST
from {{ cookiecutter.module_name }}.similar.neighbours import INDEXED


@pytest.fixture(scope="module")
def indexed(trained):
    return INDEXED.validate_json((trained.settings.paths.serving / NEIGHBOURS_FILE).read_bytes())


def test_a_training_record_comes_back_first_with_its_target(client, indexed):
    for item in indexed[:20]:
        answer = client.post("/similar", json=item.record)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        [first, *rest] = body["neighbours"]
        assert len(rest) == min(5, len(indexed)) - 1
        assert first["similarity"] == pytest.approx(1.0, abs=1e-5)
        # Real tables repeat records, sometimes with other targets (arrests does): any copy of
        # the record may come first, and this one's target is among the copies returned,
        # unless every neighbour is a copy. A record the model can't tell from it may come
        # first instead.
        copies = [n for n in body["neighbours"] if n["record"] == item.record]
        if first in copies and len(copies) < len(body["neighbours"]):
            assert item.target in {n["target"] for n in copies}
        assert body["model"]["version"]


def test_k_sets_how_many_and_is_bounded(client, record, indexed):
    found = client.post("/similar", params={"k": 2}, json=record).json()["neighbours"]
    assert len(found) == min(2, len(indexed))
    assert found[0]["similarity"] >= found[-1]["similarity"]
    for bad in (0, MOST + 1, "many"):
        refused = client.post("/similar", params={"k": bad}, json=record)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["query", "k"]


def test_similar_refuses_what_predict_refuses(client, record):
    name = next(iter(record))
    for body in ({**record, name: [1, 2]}, {**record, "no_such_field": 1}):
        similar, predicted = client.post("/similar", json=body), client.post("/predict", json=body)
        assert similar.status_code == predicted.status_code == 422
        assert similar.json() == predicted.json()
    assert client.post("/similar", content=b"{}").status_code == 415  # not declared as JSON


def test_without_the_endpoint_there_is_no_similar(own_bundle, record, page_data):
    similar = own_bundle.similar.model_copy(update={"endpoint": False})
    with TestClient(create_app(own_bundle.model_copy(update={"similar": similar}))) as client:
        assert client.post("/similar", json=record).status_code == 404
        assert client.post("/predict", json=record).status_code == 200
        assert not page_data(client.get("/").text)["similar"]


def test_the_demo_page_shows_similar_records_when_served(client, page_data):
    assert page_data(client.get("/").text)["similar"]


@pytest.mark.parametrize("name", [VECTORS_FILE, NEIGHBOURS_FILE])
def test_an_altered_index_is_refused_naming_it(own_bundle, name):
    path = own_bundle.paths.serving / name
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(BundleError, match=f"{name}.*SHA-256.*make train"):
        create_app(own_bundle)
