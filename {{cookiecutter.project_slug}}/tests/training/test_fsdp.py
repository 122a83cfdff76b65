"""FSDP under torchrun: shards of each parameter, the same epochs as one process, one model."""

import re

import mlflow
import pandas as pd
import pytest
import torch
from torch import nn
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli import app
from {{ cookiecutter.module_name }}.models.mlp import MLP
from {{ cookiecutter.module_name }}.training.fsdp import full_state


def test_outside_torchrun_the_full_state_is_the_models_own():
    model = nn.Linear(3, 2)
    state = full_state(model)
    assert state.keys() == model.state_dict().keys()
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())


def test_an_unknown_strategy_is_refused_naming_the_option():
    result = CliRunner().invoke(app, ["train", "--model", "mlp", "--strategy", "zero"])
    assert result.exit_code == 2
    assert "--strategy" in result.output
    assert "'zero'" in result.output


@pytest.mark.slow
def test_two_sharded_processes_train_as_one_and_register_a_whole_model(two_processes):
    runs = two_processes("--strategy", "fsdp")
    # Each process holds half of every parameter's first dimension, as the log shows.
    logged = " ".join(runs.stderr.split())  # as one line, however the console wrapped it
    shards = re.search(r"layers\.0\.weight \[(\d+), (\d+)\] of \[(\d+), (\d+)\]", logged)
    assert shards, runs.stderr
    local, features, whole, features_whole = map(int, shards.groups())
    assert (local, whole, features) == (32, 64, features_whole)
    assert runs.stderr.count("registered as version") == 1

    alone = pd.read_csv(runs.single.paths.reports / "mlp_history.csv")
    together = pd.read_csv(runs.together.paths.reports / "mlp_history.csv")
    pd.testing.assert_frame_equal(together, alone, rtol=1e-4)

    mlflow.set_tracking_uri(runs.together.mlflow.tracking_uri)
    run = mlflow.search_runs(search_all_experiments=True, output_format="pandas").iloc[0]
    assert (run["params.processes"], run["params.strategy"]) == ("2", "fsdp")
    client = mlflow.MlflowClient(runs.together.mlflow.tracking_uri)
    assert client.get_model_version(runs.together.mlflow.registered_model, "1").run_id == run.run_id

    # The checkpoint holds whole parameters, gathered from the shards: a plain MLP loads it.
    checkpoint = torch.load(runs.together.paths.models / "mlp.pt", weights_only=True)
    config = checkpoint["config"]
    assert checkpoint["state_dict"]["layers.0.weight"].shape == (64, features)
    network = MLP(config["n_features"], config["hidden_sizes"], config["n_outputs"])
    network.load_state_dict(checkpoint["state_dict"])
