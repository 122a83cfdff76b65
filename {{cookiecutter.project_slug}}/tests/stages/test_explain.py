"""The explain stage: SHAP values of the served model's answers on test rows, for the card."""

import mlflow
import numpy as np
import pytest

from {{ cookiecutter.module_name }}.bundle import load_bundle
from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.explain.shapley import Explainer, read_background
from {{ cookiecutter.module_name }}.explain.summary import ShapSummary
from {{ cookiecutter.module_name }}.features import feature_frame, rows_of
from {{ cookiecutter.module_name }}.stages.explain import FIGURE, REPORT, explain_served

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def written(trained):
    """What `make train` wrote: the summary, and the test rows it covers."""
    settings = trained.settings
    summary = ShapSummary.read(settings.paths.reports / "explain" / REPORT)
    assert summary is not None
    test = load_splits(settings.paths.processed)[0]["test"]
    return settings, summary, test


def test_the_summary_covers_every_feature_of_the_served_model(written):
    settings, summary, test = written
    manifest = load_bundle(settings.paths.serving).manifest
    assert summary.model == manifest.candidate
    assert summary.rows + summary.unseen == min(settings.explain.report_rows, len(test))
    assert summary.rows > 0
    assert sorted(summary.mean_abs) == sorted(manifest.feature_schema.names)
    sizes = list(summary.mean_abs.values())
    assert sizes == sorted(sizes, reverse=True)
    assert min(sizes) >= 0
    figure = (settings.paths.reports / "explain" / FIGURE).read_bytes()
    assert figure.startswith(PNG)
    assert len(figure) > 5_000


def test_the_means_bound_how_far_answers_move_from_the_base(written):
    """|output - base| is at most the sum of |contributions| row by row, so also on average."""
    settings, summary, test = written
    bundle = load_bundle(settings.paths.serving)
    model = bundle.model
    explainer = Explainer(model, read_background(bundle), settings.explain)
    sample = test.sample(min(settings.explain.report_rows, len(test)), random_state=settings.seed)
    rows = [row for row in rows_of(feature_frame(model.schema, sample)) if explainer.knows(row)]
    assert len(rows) == summary.rows
    moved = [abs(found.value - found.base_value) for found in map(explainer.explain_answer, rows)]
    assert float(np.mean(moved)) <= sum(summary.mean_abs.values()) + 1e-6
    assert sum(summary.mean_abs.values()) > 0  # the model answers rows differently


def test_the_figure_is_logged_to_the_served_run(written):
    settings, _, _ = written
    manifest = load_bundle(settings.paths.serving).manifest
    client = mlflow.MlflowClient(settings.mlflow.tracking_uri)
    logged = {a.path for a in client.list_artifacts(manifest.run_id, "figures")}
    assert f"figures/{FIGURE}" in logged


def test_without_the_endpoint_nothing_is_explained(trained, tmp_path):
    settings = trained.settings
    explain = settings.explain.model_copy(update={"endpoint": False})
    paths = settings.paths.model_copy(update={"reports": tmp_path})
    summary = explain_served(settings.model_copy(update={"explain": explain, "paths": paths}))
    assert summary.rows == 0
    assert not summary.mean_abs
    assert sorted(p.name for p in (tmp_path / "explain").iterdir()) == [REPORT]
