import mlflow
import numpy as np
import pytest

from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.evaluation.metrics import model_output
from {{ cookiecutter.module_name }}.features import feature_frame
from {{ cookiecutter.module_name }}.tracking import (
    best_version,
    configure,
    git_commit,
    log_provenance,
)
from {{ cookiecutter.module_name }}.training.saved import load_pipeline


def test_runs_are_tagged_with_the_git_commit(trained, monkeypatch):
    monkeypatch.setattr("{{ cookiecutter.module_name }}.tracking.git_commit", lambda: "abc123")
    configure(trained.settings.mlflow.model_copy(update={"experiment": "provenance"}))
    with mlflow.start_run() as run:
        log_provenance({}, "target", trained.settings.paths.processed)
    assert mlflow.get_run(run.info.run_id).data.tags["mlflow.source.git.commit"] == "abc123"


def test_git_commit_is_none_outside_a_repository(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert git_commit() is None


@pytest.mark.parametrize(
    ("scores", "greater", "expected"),
    [
        ({"1": 0.2, "2": 0.1}, False, "2"),
        ({"1": 0.2, "2": 0.1}, True, "1"),
        ({"1": 0.5, "2": 0.5}, True, "1"),  # a tie goes to the first, simpler model
    ],
)
def test_best_version(scores, greater, expected):
    assert best_version(scores, greater) == expected


def test_the_registered_champion_takes_the_raw_table_as_it_is(trained, raw):
    """MLflow's own loading, on the table as read (integer columns, codes as numbers)."""
    mlflow.set_tracking_uri(trained.settings.mlflow.tracking_uri)
    name = trained.settings.mlflow.registered_model
    model = mlflow.pyfunc.load_model(f"models:/{name}@champion")
    _, schema = load_splits(trained.settings.paths.processed)
    rows = raw.drop(columns=schema.target).head(50)
    output = np.asarray(model.predict(rows))
    champion = load_pipeline(trained.settings.paths.models, trained.promotion.champion.name)
    expected = model_output(champion, feature_frame(schema, rows), schema.spec)
    assert output.shape == expected.shape
    assert np.allclose(output, expected)
