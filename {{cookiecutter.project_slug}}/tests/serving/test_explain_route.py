"""`POST /explain`: the answer of `/predict`, and contributions that add up to it."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.bundle import BACKGROUND_FILE, BundleError
from {{ cookiecutter.module_name }}.serving import create_app


def test_explain_gives_predicts_answer_and_contributions_that_add_up(client, test_rows):
    records, _, schema = test_rows
    for record in records[:10]:
        explained = client.post("/explain", json=record)
        assert explained.status_code == 200, explained.text
        body = explained.json()
        predicted = client.post("/predict", json=record).json()
        assert body["prediction"] == predicted["prediction"]
        if schema.classes:
            assert body["explained"] == f"probability of {body['prediction']}"
            assert body["output"] == pytest.approx(
                predicted["probabilities"][body["prediction"]], abs=1e-5
            )
        parts = body["contributions"]
        assert sorted(p["feature"] for p in parts) == sorted(schema.names)
        total = body["base_value"] + sum(p["contribution"] for p in parts)
        assert total == pytest.approx(body["output"], abs=1e-3)
        sizes = [abs(p["contribution"]) for p in parts]
        assert sizes == sorted(sizes, reverse=True)


def test_explain_refuses_what_predict_refuses(client, record):
    name = next(iter(record))
    for body in ({**record, name: [1, 2]}, {**record, "no_such_field": 1}):
        explained, predicted = (
            client.post("/explain", json=body),
            client.post("/predict", json=body),
        )
        assert explained.status_code == predicted.status_code == 422
        assert explained.json() == predicted.json()
    broken = {"content": b"{", "headers": {"Content-Type": "application/json"}}
    explained, predicted = client.post("/explain", **broken), client.post("/predict", **broken)
    assert explained.status_code == predicted.status_code
    assert client.post("/explain", content=b"{}").status_code == 415  # not declared as JSON


def test_without_the_endpoint_there_is_no_explain(own_bundle, record, page_data):
    settings = own_bundle.model_copy(
        update={"explain": own_bundle.explain.model_copy(update={"endpoint": False})}
    )
    with TestClient(create_app(settings)) as client:
        assert client.post("/explain", json=record).status_code == 404
        assert client.post("/predict", json=record).status_code == 200
        assert not page_data(client.get("/").text)["explain"]


def test_the_demo_page_asks_why_when_the_endpoint_is_served(client, page_data):
    assert page_data(client.get("/").text)["explain"]


def test_an_altered_background_is_refused_naming_it(own_bundle):
    background = own_bundle.paths.serving / BACKGROUND_FILE
    background.write_text(background.read_text().replace("[", "[ ", 1))
    with pytest.raises(BundleError, match=f"{BACKGROUND_FILE}.*SHA-256.*make train"):
        create_app(own_bundle)  # before the port opens, as for an altered graph


def test_explanations_asked_at_once_each_get_their_own_answer(client, test_rows):
    records = test_rows[0][:8]
    alone = [client.post("/explain", json=record).json() for record in records]
    with ThreadPoolExecutor(max_workers=8) as pool:  # they queue for one worker, in turn
        together = list(pool.map(lambda r: client.post("/explain", json=r).json(), records))
    assert together == alone
