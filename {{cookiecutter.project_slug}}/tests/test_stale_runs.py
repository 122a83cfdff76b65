"""Runs a killed step left running: ended as FAILED, their unused versions deleted."""

import os
import subprocess
import sys

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from {{ cookiecutter.module_name }}.stale_runs import PID_TAG, end_stale_runs, owner_tags

MODEL = "stale-check"


@pytest.fixture
def client(tmp_path):
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    yield MlflowClient()
    mlflow.set_tracking_uri(previous)


def run_of(client: MlflowClient, experiment: str, pid: int) -> str:
    """A run left RUNNING, as a process with `pid` would have left it, with a version."""
    tags = {**owner_tags(), PID_TAG: str(pid)}
    found = client.get_experiment_by_name(experiment)
    assert found is not None
    run = client.create_run(found.experiment_id, tags=tags)
    run_id: str = run.info.run_id
    client.create_model_version(MODEL, f"runs:/{run_id}/model", run_id)
    return run_id


def test_a_dead_process_run_is_killed_and_its_version_deleted(client):
    client.create_experiment("exp")
    client.create_registered_model(MODEL)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = run_of(client, "exp", int(gone.stdout))
    alive = run_of(client, "exp", os.getpid())  # this test: still running
    assert end_stale_runs("exp") == [dead]
    assert client.get_run(dead).info.status == "FAILED"
    assert client.get_run(alive).info.status == "RUNNING"
    versions = client.search_model_versions(f"name = '{MODEL}'")
    assert [v.run_id for v in versions] == [alive]


def test_a_version_an_alias_points_to_is_kept(client):
    client.create_experiment("exp")
    client.create_registered_model(MODEL)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = run_of(client, "exp", int(gone.stdout))
    client.set_registered_model_alias(MODEL, "champion", "1")
    assert end_stale_runs("exp") == [dead]
    assert [str(v.version) for v in client.search_model_versions(f"name = '{MODEL}'")] == ["1"]
