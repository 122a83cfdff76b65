import json
import math

import numpy as np
import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.bundle import MODEL_FILE
from {{ cookiecutter.module_name }}.column_check import RANGE_MARGIN
from {{ cookiecutter.module_name }}.decision import Decision
from {{ cookiecutter.module_name }}.evaluation.metrics import metric_value
from {{ cookiecutter.module_name }}.files import sha256
from {{ cookiecutter.module_name }}.serving import create_app
from {{ cookiecutter.module_name }}.serving.bodies import CHUNK_RECORDS, MAX_ERRORS


def field_errors(response):
    assert response.status_code == 422, response.text
    return [tuple(error["loc"][1:]) for error in response.json()["detail"]]


def test_health_is_liveness_and_ready_names_the_model(client, trained):
    assert client.get("/health").json() == {"status": "ok"}
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json()["model"] == {
        "name": trained.settings.mlflow.registered_model,
        "version": trained.promotion.champion.version,
    }


def test_predict_one_record(client, record, trained, test_rows):
    response = client.post("/predict", json=record)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"]["version"] == trained.promotion.champion.version
    if test_rows[2].spec.answer == "value":  # a number, and nothing else
        assert set(body) == {"prediction", "model"}
        assert isinstance(body["prediction"], float)
        return
    assert body["prediction"] in body["probabilities"]
    # The class the champion's decision picks: the likeliest, or past its threshold.
    classes, probabilities = list(body["probabilities"]), [list(body["probabilities"].values())]
    decision = Decision(tuple(classes), trained.promotion.champion.threshold)
    assert body["prediction"] == decision.labels(np.array(probabilities))[0]
    assert math.isclose(sum(body["probabilities"].values()), 1, rel_tol=1e-6)


def test_served_answers_score_what_the_report_says(client, test_rows, trained):
    """The API answers the test split as the evaluated champion did: same main metric."""
    records, truth, schema = test_rows
    response = client.post("/predict/batch", json={"records": records})
    assert response.status_code == 200, response.text
    predictions = [p["prediction"] for p in response.json()["predictions"]]
    assert len(predictions) == len(truth)
    summary = json.loads((trained.settings.paths.reports / "metrics.json").read_text())
    main, champion = summary["main_metric"], summary["champion"]
    classes = tuple(schema.classes)
    if schema.spec.answer == "value":
        output = np.array(predictions, dtype=np.float64)
    else:  # each answer as certain: the label metrics read the answered class
        output = np.eye(len(classes))[[classes.index(p) for p in predictions]]
    served = metric_value(main, schema.spec.targets(truth), output, Decision(classes))
    reported = summary["models"][champion]["test"][main]
    # float32 in the graph: a value's last digits, or a class at a tie, may differ.
    assert served == pytest.approx(reported, rel=1e-4, abs=1.5 / len(truth))


def test_batch_keeps_order(client, test_rows):
    records, _, schema = test_rows
    singles = [client.post("/predict", json=r).json()["prediction"] for r in records[:5]]
    batch = client.post("/predict/batch", json={"records": records[:5]}).json()
    answers = [p["prediction"] for p in batch["predictions"]]
    if schema.spec.answer == "value":  # float32 may differ in the last digit, batched or not
        assert answers == pytest.approx(singles, rel=1e-6)
    else:
        assert answers == singles


def test_null_means_missing_and_is_imputed(client, record):
    response = client.post("/predict", json={name: None for name in record})
    assert response.status_code == 200, response.text


def test_missing_field_is_named(client, record):
    name = next(iter(record))
    del record[name]
    assert field_errors(client.post("/predict", json=record)) == [(name,)]


def test_extra_field_is_named(client, record):
    assert field_errors(client.post("/predict", json={**record, "colour": "blue"})) == [("colour",)]


@pytest.mark.parametrize("value", ["heavy", "45.1", True, [1.0], {"g": 1}])
def test_wrong_type_is_named(client, record, test_rows, value):
    name = test_rows[2].numeric[0]
    assert field_errors(client.post("/predict", json={**record, name: value})) == [(name,)]


def test_unknown_category_is_named(client, record, test_rows):
    if not test_rows[2].categorical:
        pytest.skip("this table has no categorical feature")
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
    assert (body["candidate"], body["quantized"]) == (champion.name, False)
    assert body["sha256"] == sha256((trained.settings.paths.serving / MODEL_FILE).read_bytes())
    assert body["metrics"][metric] == pytest.approx(champion.metrics[metric])
    assert [f["name"] for f in body["feature_schema"]["features"]] == test_rows[2].names


def test_openapi_lists_every_feature(client, test_rows):
    spec = client.get("/openapi.json").json()
    record = spec["components"]["schemas"]["Record"]
    schema = test_rows[2]
    assert set(record["properties"]) == set(schema.names) | set(schema.ignored)
    assert set(record["required"]) == set(schema.names)


def test_openapi_documents_predict_though_it_is_a_plain_route(client):
    post = client.get("/openapi.json").json()["paths"]["/predict"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("Record")
    ok = post["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("Prediction")
    assert {"400", "413", "415", "422", "503"} <= set(post["responses"])


def test_without_an_export_the_server_is_live_not_ready(trained, record, tmp_path):
    paths = trained.settings.paths.model_copy(update={"serving": tmp_path / "nothing"})
    settings = trained.settings.model_copy(update={"paths": paths})
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").status_code == 200
        for response in (client.get("/ready"), client.post("/predict", json=record)):
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


def test_a_bad_record_deep_in_a_long_batch_is_named_by_its_index(client, record):
    batch = [record] * (CHUNK_RECORDS * 2 + 10)  # checked a chunk at a time
    batch[CHUNK_RECORDS + 7] = {**record, "colour": "blue"}
    response = client.post("/predict/batch", json={"records": batch})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "records", CHUNK_RECORDS + 7, "colour"]


def test_a_batch_of_bad_records_names_the_first_errors_and_counts_the_rest(client):
    response = client.post("/predict/batch", json={"records": [{"colour": 1}] * 200})
    assert response.status_code == 422
    *named, rest = response.json()["detail"]
    assert len(named) == MAX_ERRORS
    assert rest["type"] == "too_many_errors"
    assert int(rest["msg"].split()[0]) > 200 - MAX_ERRORS


def test_numbers_far_outside_the_training_range_are_named(client, record, test_rows):
    feature = next(f for f in test_rows[2].features if f.kind == "numeric")
    span = feature.max - feature.min
    near = {**record, feature.name: feature.max + span}  # extrapolation, but plausible
    assert client.post("/predict", json=near).status_code == 200
    # Past the margin, whose unit is the span or the size of the values, whichever is larger.
    beyond = feature.max + (RANGE_MARGIN + 1) * max(span, abs(feature.max), 1.0)
    for value in (1e300, -1e300, beyond):
        body = {**record, feature.name: value}
        assert field_errors(client.post("/predict", json=body)) == [(feature.name,)]
