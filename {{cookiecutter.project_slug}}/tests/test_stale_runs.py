"""Runs a killed step left running: ended as FAILED, their unused versions deleted."""

import os
import subprocess
import sys

import mlflow
import pytest
from mlflow.tracking import MlflowClient

from {{ cookiecutter.module_name }}.stale_runs import PID_TAG, end_stale_runs, owner_tags

EXPERIMENT, MODEL = "exp", "stale-check"


@pytest.fixture
def client(tmp_path):
    """A tracking store of its own, with the experiment and the registered model."""
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    client = MlflowClient()
    client.create_experiment(EXPERIMENT)
    client.create_registered_model(MODEL)
    yield client
    mlflow.set_tracking_uri(previous)


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The id of a process that has exited."""
    code = "import os; print(os.getpid())"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(found.stdout)


def run_of(client: MlflowClient, pid: int) -> str:
    """A run left RUNNING, as a process with `pid` would have left it, with a version."""
    found = client.get_experiment_by_name(EXPERIMENT)
    assert found is not None
    run = client.create_run(found.experiment_id, tags={**owner_tags(), PID_TAG: str(pid)})
    run_id: str = run.info.run_id
    client.create_model_version(MODEL, f"runs:/{run_id}/model", run_id)
    return run_id


def test_a_dead_process_run_fails_and_its_version_is_deleted(client, dead_pid):
    dead = run_of(client, dead_pid)
    alive = run_of(client, os.getpid())  # this test: still running
    assert end_stale_runs(EXPERIMENT) == [dead]
    assert client.get_run(dead).info.status == "FAILED"
    assert client.get_run(alive).info.status == "RUNNING"
    versions = client.search_model_versions(f"name = '{MODEL}'")
    assert [v.run_id for v in versions] == [alive]


def test_a_version_an_alias_points_to_is_kept(client, dead_pid):
    dead = run_of(client, dead_pid)
    client.set_registered_model_alias(MODEL, "champion", "1")
    assert end_stale_runs(EXPERIMENT) == [dead]
    assert [str(v.version) for v in client.search_model_versions(f"name = '{MODEL}'")] == ["1"]
