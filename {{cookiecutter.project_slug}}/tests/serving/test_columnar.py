import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }}.serving import create_app


def columns_of(records):
    return {name: [r[name] for r in records] for name in records[0]}


def errors(response):
    assert response.status_code == 422, response.text
    return [tuple(error["loc"][1:]) for error in response.json()["detail"]]


def test_columns_answer_as_the_records_do(client, test_rows):
    records, _, schema = test_rows
    by_records = client.post("/predict/batch", json={"records": records}).json()
    response = client.post("/predict/batch", json={"columns": columns_of(records)})
    assert response.status_code == 200, response.text
    by_columns = response.json()
    assert by_columns["model"] == by_records["model"]
    expected = [p["prediction"] for p in by_records["predictions"]]
    if schema.spec.answer == "value":
        np.testing.assert_array_equal(
            np.asarray(by_columns["predictions"], np.float32), np.asarray(expected, np.float32)
        )
        return
    assert by_columns["predictions"] == expected
    for name in schema.classes:
        found = [p["probabilities"][name] for p in by_records["predictions"]]
        np.testing.assert_array_equal(
            np.asarray(by_columns["probabilities"][name], np.float32), np.asarray(found, np.float32)
        )


def test_each_bad_column_is_named_with_its_first_bad_row(client, test_rows, record):
    _, _, schema = test_rows
    columns = columns_of([record] * 4)
    numeric = schema.numeric[0]
    bad = {**columns, numeric: [*columns[numeric][:2], "45", None]}
    assert errors(client.post("/predict/batch", json={"columns": bad})) == [("columns", numeric, 2)]
    far = {**columns, numeric: [*columns[numeric][:3], 1e300]}
    assert errors(client.post("/predict/batch", json={"columns": far})) == [("columns", numeric, 3)]
    # JSON's NaN, which Python's json reads: refused, not taken for a missing value.
    marked = {**columns, numeric: [columns[numeric][0], 123456.789, None, None]}
    text = json.dumps({"columns": marked}).replace("123456.789", "NaN")
    sent = client.post("/predict/batch", content=text, headers={"Content-Type": "application/json"})
    assert errors(sent) == [("columns", numeric, 1)]


def test_an_unknown_category_is_named(client, test_rows, record):
    _, _, schema = test_rows
    if not schema.categorical:
        pytest.skip("this table has no categorical feature")
    name = schema.categorical[0]
    columns = columns_of([record] * 3)
    bad = {**columns, name: [columns[name][0], "no such category", None]}
    assert errors(client.post("/predict/batch", json={"columns": bad})) == [("columns", name, 1)]


def test_missing_extra_and_uneven_columns_are_named(client, test_rows, record):
    _, _, schema = test_rows
    columns = columns_of([record] * 3)
    first, last = schema.names[0], schema.names[-1]
    missing = {k: v for k, v in columns.items() if k != first}
    assert errors(client.post("/predict/batch", json={"columns": missing})) == [("columns", first)]
    extra = {**columns, "not a column": [1, 2, 3]}
    assert errors(client.post("/predict/batch", json={"columns": extra})) == [
        ("columns", "not a column")
    ]
    short = {**columns, last: columns[last][:2]}
    assert errors(client.post("/predict/batch", json={"columns": short})) == [("columns", last)]


def test_empty_oversized_and_shapeless_bodies_are_refused(trained, record):
    serving = trained.settings.serving.model_copy(update={"max_batch": 3})
    settings = trained.settings.model_copy(update={"serving": serving})
    first = next(iter(record))
    with TestClient(create_app(settings)) as small:
        over = columns_of([record] * 4)
        assert errors(small.post("/predict/batch", json={"columns": over}))[0] == (
            "columns",
            first,
        )
        empty: dict[str, list[object]] = {name: [] for name in record}
        assert errors(small.post("/predict/batch", json={"columns": empty}))[0] == (
            "columns",
            first,
        )
        assert errors(small.post("/predict/batch", json={"columns": [1, 2]})) == [("columns",)]
        both = {"columns": columns_of([record]), "records": [record]}
        assert errors(small.post("/predict/batch", json=both)) == [("records",)]


def test_columnar_answers_are_counted(client, test_rows, record):
    _, _, schema = test_rows
    if not schema.classes:
        pytest.skip("values are not counted by class")
    before = client.get("/metrics").text
    answer = client.post("/predict/batch", json={"columns": columns_of([record] * 7)}).json()
    label = answer["predictions"][0]
    after = client.get("/metrics").text
    assert _count(after, label) - _count(before, label) == 7


def _count(metrics, label):
    for line in metrics.splitlines():
        if line.startswith("predictions_total{") and f'label="{label}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_openapi_offers_both_forms(client):
    doc = client.get("/openapi.json").json()
    post = doc["paths"]["/predict/batch"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert [ref["$ref"].rsplit("/", 1)[1] for ref in body["oneOf"]] == [
        "BatchRequest",
        "ColumnarBatchRequest",
    ]
    columns = doc["components"]["schemas"]["Columns"]
    assert set(columns["required"]) == set(doc["components"]["schemas"]["Record"]["required"])
