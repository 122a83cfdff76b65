"""The fairness stage on the trained project: each candidate across a sensitive column."""

import json

import mlflow
import pytest

from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.fairness.logged import MITIGATED
from {{ cookiecutter.module_name }}.fairness.summary import FairnessReport
from {{ cookiecutter.module_name }}.records import CANDIDATES, StageError, load_candidate
from {{ cookiecutter.module_name }}.stages.fairness import assess_fairness


@pytest.fixture(scope="module")
def assessed(trained, tmp_path_factory):
    """The stage run with the first categorical feature as sensitive, reports elsewhere."""
    _, schema = load_splits(trained.settings.paths.processed)
    if not schema.categorical:
        pytest.skip("no categorical feature to assess")
    settings = trained.settings
    paths = settings.paths.model_copy(update={"reports": tmp_path_factory.mktemp("reports")})
    fairness = settings.fairness.model_copy(update={"sensitive": schema.categorical[:1]})
    settings = settings.model_copy(update={"paths": paths, "fairness": fairness})
    return settings, schema, assess_fairness(settings)


def test_every_candidate_is_measured_on_every_test_row(assessed):
    settings, _, report = assessed
    column = settings.fairness.sensitive[0]
    test_rows = len(load_splits(settings.paths.processed)[0]["test"])
    assert set(CANDIDATES) <= set(report.models)
    for model in report.models.values():
        groups = model.columns[column].groups
        assert sum(g.n for g in groups.values()) == test_rows
    written = FairnessReport.read(settings.paths.reports / "fairness" / "fairness.json")
    assert written == report
    assert (settings.paths.reports / "fairness" / "tradeoff.png").stat().st_size > 0


def test_two_classes_get_disparities_and_a_mitigated_candidate(assessed):
    settings, schema, report = assessed
    column = settings.fairness.sensitive[0]
    if len(schema.classes) != 2:
        assert MITIGATED not in report.models
        assert "two classes" in report.not_mitigated
        assert all(not m.columns[column].disparities for m in report.models.values())
        return
    found = report.models["baseline"].columns[column].disparities
    assert set(found) == {"demographic_parity", "equalized_odds"}
    if report.mitigation is None:  # fairlearn refused these held-out rows, and said why
        assert report.not_mitigated
        return
    assert MITIGATED in report.models
    assert report.mitigation.base in CANDIDATES
    assert set(report.mitigation.rules) <= set(report.models[MITIGATED].columns[column].groups)


def test_fairness_metrics_are_logged_on_each_run(assessed):
    settings, _, report = assessed
    client = mlflow.MlflowClient(settings.mlflow.tracking_uri)
    for name in CANDIDATES:
        logged = client.get_run(load_candidate(settings.paths.models, name).run_id).data.metrics
        fair = {key for key in logged if key.startswith("fair_")}
        assert any(key.endswith(f"{report.main_metric}_difference") for key in fair), fair


def test_no_sensitive_column_writes_an_empty_report(trained, tmp_path):
    paths = trained.settings.paths.model_copy(update={"reports": tmp_path})
    fairness = trained.settings.fairness.model_copy(update={"sensitive": []})
    settings = trained.settings.model_copy(update={"paths": paths, "fairness": fairness})
    assert assess_fairness(settings).sensitive == []
    written = json.loads((tmp_path / "fairness" / "fairness.json").read_text())
    assert written["sensitive"] == []
    assert written["models"] == {}


def test_a_sensitive_column_that_is_no_category_is_refused(trained, tmp_path):
    paths = trained.settings.paths.model_copy(update={"reports": tmp_path})
    fairness = trained.settings.fairness.model_copy(update={"sensitive": ["no such column"]})
    settings = trained.settings.model_copy(update={"paths": paths, "fairness": fairness})
    with pytest.raises(StageError, match=r"fairness\.sensitive: 'no such column' is no feature"):
        assess_fairness(settings)
    assert not (tmp_path / "fairness").exists()
