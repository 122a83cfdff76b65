import json
import math

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.data import load_splits
from {{ cookiecutter.module_name }}.serving import create_app


@pytest.fixture(scope="module")
def client(trained):
    with TestClient(create_app(trained.settings)) as client:
        yield client


@pytest.fixture(scope="module")
def test_rows(trained):
    splits, schema = load_splits(trained.settings.paths.processed)
    rows = splits["test"][schema.names].astype(object)
    records = rows.where(rows.notna(), None).to_dict(orient="records")
    return records, splits["test"][schema.target].tolist(), schema


@pytest.fixture
def record(test_rows):
    records, _, _ = test_rows
    # A complete row, so that each test can break one field of it.
    return next(dict(r) for r in records if all(v is not None for v in r.values()))


def field_errors(response):
    assert response.status_code == 422, response.text
    return [tuple(error["loc"][1:]) for error in response.json()["detail"]]


def test_health_names_the_model(client, trained):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["model"]["name"] == trained.settings.mlflow.registered_model


def test_predict_one_record(client, record, trained):
    response = client.post("/predict", json=record)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["prediction"] in body["probabilities"]
    assert body["prediction"] == max(body["probabilities"], key=body["probabilities"].get)
    assert math.isclose(sum(body["probabilities"].values()), 1, rel_tol=1e-6)
    assert body["model"]["version"] == trained.promotion.champion.version


def test_predictions_are_mostly_right(client, test_rows):
    records, labels, _ = test_rows
    response = client.post("/predict/batch", json={"records": records})
    assert response.status_code == 200, response.text
    predictions = [p["prediction"] for p in response.json()["predictions"]]
    assert len(predictions) == len(labels)
    accuracy = sum(p == t for p, t in zip(predictions, labels, strict=True)) / len(labels)
    assert accuracy > 0.8


def test_batch_keeps_order(client, test_rows):
    records, _, _ = test_rows
    singles = [client.post("/predict", json=r).json()["prediction"] for r in records[:5]]
    batch = client.post("/predict/batch", json={"records": records[:5]}).json()
    assert [p["prediction"] for p in batch["predictions"]] == singles


def test_null_means_missing_and_is_imputed(client, record):
    response = client.post("/predict", json={name: None for name in record})
    assert response.status_code == 200, response.text


def test_missing_field_is_named(client, record):
    name = next(iter(record))
    del record[name]
    assert field_errors(client.post("/predict", json=record)) == [(name,)]


def test_extra_field_is_named(client, record):
    assert field_errors(client.post("/predict", json={**record, "colour": "blue"})) == [("colour",)]


def test_wrong_type_is_named(client, record, test_rows):
    name = test_rows[2].numeric[0]
    assert field_errors(client.post("/predict", json={**record, name: "heavy"})) == [(name,)]


def test_unknown_category_is_named(client, record, test_rows):
    name = test_rows[2].categorical[0]
    response = client.post("/predict", json={**record, name: "Atlantis"})
    assert field_errors(response) == [(name,)]


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_non_finite_number_is_named(client, record, test_rows, value):
    name = test_rows[2].numeric[0]
    # json.dumps writes NaN and Infinity as the bare words Python's parser accepts.
    body = json.dumps({**record, name: float(value)})
    response = client.post("/predict", content=body, headers={"Content-Type": "application/json"})
    assert field_errors(response) == [(name,)]


def test_empty_batch_is_refused(client):
    assert field_errors(client.post("/predict/batch", json={"records": []})) == [("records",)]


def test_bad_record_in_batch_is_located(client, record, test_rows):
    name = test_rows[2].numeric[0]
    body = {"records": [record, {**record, name: "x"}]}
    assert field_errors(client.post("/predict/batch", json=body)) == [("records", 1, name)]


def test_model_describes_the_champion(client, trained, test_rows):
    body = client.get("/model").json()
    champion, metric = trained.promotion.champion, trained.promotion.metric
    assert (body["version"], body["alias"]) == (champion.version, "champion")
    assert body["metrics"][metric] == pytest.approx(champion.metrics[metric])
    assert [f["name"] for f in body["feature_schema"]["features"]] == test_rows[2].names


def test_openapi_lists_every_feature(client, test_rows):
    spec = client.get("/openapi.json").json()
    record = spec["components"]["schemas"]["Record"]
    assert set(record["properties"]) == set(test_rows[2].names)
    assert set(record["required"]) == set(test_rows[2].names)


def test_without_a_champion_every_route_says_train_first(trained, record):
    mlflow = trained.settings.mlflow.model_copy(update={"registered_model": "never-trained"})
    settings = trained.settings.model_copy(update={"mlflow": mlflow})
    with TestClient(create_app(settings)) as client:
        for response in (client.get("/health"), client.post("/predict", json=record)):
            assert response.status_code == 503
            assert "make train" in response.json()["detail"]


def test_wrong_content_type_is_415(client, record):
    response = client.post(
        "/predict", content=json.dumps(record), headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert "application/json" in response.json()["detail"]


def test_malformed_json_is_422(client):
    response = client.post(
        "/predict", content=b'{"island": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422


def test_body_over_the_limit_is_413(trained, record):
    serving = trained.settings.serving.model_copy(update={"max_body_bytes": 100})
    settings = trained.settings.model_copy(update={"serving": serving})
    with TestClient(create_app(settings)) as small:
        assert small.post("/predict/batch", json={"records": [record] * 5}).status_code == 413
        assert small.get("/health").status_code == 200


def test_batch_over_the_limit_is_named(trained, record):
    serving = trained.settings.serving.model_copy(update={"max_batch": 3})
    settings = trained.settings.model_copy(update={"serving": serving})
    with TestClient(create_app(settings)) as small:
        response = small.post("/predict/batch", json={"records": [record] * 4})
    assert field_errors(response) == [("records",)]


def test_one_json_log_line_per_request_without_values(client, record, caplog, trained):
    with caplog.at_level("INFO", logger="{{ cookiecutter.module_name }}.serving.app.access"):
        client.post("/predict", json=record)
    [line] = [r.getMessage() for r in caplog.records if r.name.endswith(".access")]
    entry = json.loads(line)
    assert entry["path"] == "/predict"
    assert entry["status"] == 200
    assert entry["latency_ms"] > 0
    assert entry["model_version"] == trained.promotion.champion.version
    assert all(str(value) not in line for value in record.values() if isinstance(value, str))
