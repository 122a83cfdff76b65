import json
import logging

from prometheus_client.parser import text_string_to_metric_families

from {{ cookiecutter.module_name }}.serving.app import ACCESS_LOG


def samples(client):
    found = {}
    for family in text_string_to_metric_families(client.get("/metrics").text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_count_requests_latency_and_predicted_classes(client, record, trained):
    version = trained.promotion.champion.version
    before = samples(client)
    answer = client.post("/predict", json=record).json()
    after = samples(client)

    def grew(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("http_requests_total", method="POST", route="/predict", status="200") == 1
    assert grew("http_request_duration_seconds_count", route="/predict") == 1
    if isinstance(answer["prediction"], str):  # classes are counted; values are not
        assert grew("predictions_total", model_version=version, label=answer["prediction"]) == 1
    else:
        assert not [key for key in after if key[0] == "predictions_total"]
    info = [key for key in after if key[0] == "model_info"]
    assert [dict(labels)["version"] for _, labels in info] == [version]


def test_refused_requests_are_counted_by_status(client):
    before = samples(client)
    client.post("/predict", json={})
    key = ("http_requests_total", (("method", "POST"), ("route", "/predict"), ("status", "422")))
    assert samples(client)[key] - before.get(key, 0) == 1


def test_one_json_log_line_per_request_without_values(client, record, caplog, trained):
    # `serve` shows this logger on stderr; here caplog's handler collects it.
    with caplog.at_level(logging.INFO, logger=ACCESS_LOG):
        client.post("/predict", json=record)
    [line] = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOG]
    entry = json.loads(line)
    assert entry["path"] == "/predict"
    assert entry["status"] == 200
    assert entry["latency_ms"] > 0
    assert entry["model_version"] == trained.promotion.champion.version
    # No field of the body: only these keys, none of which echoes the request.
    assert set(entry) == {"method", "path", "status", "latency_ms", "model_version"}
