"""Training under torchrun: two processes against one, on the same small synthetic table."""

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest

from {{ cookiecutter.module_name }}.config import Settings
from {{ cookiecutter.module_name }}.stages.data import prepare
from {{ cookiecutter.module_name }}.stages.train import train_candidate
from {{ cookiecutter.module_name }}.training import distributed

# Small and learnable; no dropout, so that each process's masks don't make the runs differ.
CHANGES = {
    "data": {
        "source": "synthetic",
        "target": "label",
        "synthetic": {"rows": 3000, "numeric_features": 6, "categorical_features": 2},
    },
    "torch": {"epochs": 6, "batch_size": 64, "dropout": 0.0, "patience": 50},
}


class Runs(NamedTuple):
    single: Settings  # trained in this process
    together: Settings  # trained by two processes under torchrun
    stderr: str  # what they logged


@pytest.fixture
def two_processes(tmp_path, monkeypatch, make_settings, params_copy) -> Callable[..., Runs]:
    """Return a function that trains the MLP alone, then under torchrun with `args` added."""

    def run(*args: str) -> Runs:
        single, ddp = tmp_path / "single", tmp_path / "ddp"
        single.mkdir(), ddp.mkdir()
        settings = make_settings(single, params_copy(single, CHANGES))
        monkeypatch.chdir(single)
        prepare(settings)
        train_candidate(settings, "mlp", progress=False)

        monkeypatch.chdir(ddp)
        together = make_settings(ddp, params_copy(ddp, CHANGES))
        prepare(together)
        # The processes import this package from where the tests do, installed or not.
        source = str(Path(distributed.__file__).parents[2])
        path = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
        uri = together.mlflow.tracking_uri
        env = {**os.environ, "MLFLOW_TRACKING_URI": uri, "PYTHONPATH": path}
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
        command += ["--nproc_per_node=2", "-m", "{{ cookiecutter.module_name }}", "train"]
        command += ["--model", "mlp", "--no-progress", *args]
        done = subprocess.run(
            command, cwd=ddp, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
        return Runs(settings, together, done.stderr)

    return run
