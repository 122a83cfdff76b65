"""DDP under torchrun: the shards of torch's sampler, summed validation, one registration."""

import mlflow
import pandas as pd
import pytest
import torch
from torch import nn
from torch.utils.data import DistributedSampler, TensorDataset
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli import app
from {{ cookiecutter.module_name }}.training import distributed, loop


@pytest.mark.parametrize(("n", "world"), [(10, 1), (10, 2), (11, 3), (1000, 4)])
def test_epoch_order_is_torchs_distributed_sampler(monkeypatch, n, world):
    monkeypatch.setattr(distributed, "world_size", lambda: world)
    shards = []
    for rank in range(world):
        monkeypatch.setattr(distributed, "rank", lambda rank=rank: rank)
        rows = TensorDataset(torch.arange(n))
        sampler: DistributedSampler[int] = DistributedSampler(rows, world, rank, seed=7)
        sampler.set_epoch(3)
        shard = distributed.epoch_order(n, epoch=3, seed=7)
        assert shard.tolist() == list(sampler)
        shards.append(shard)
    assert len({len(shard) for shard in shards}) == 1  # every process takes as many steps
    assert set(torch.cat(shards).tolist()) == set(range(n))
    assert not torch.equal(shards[0], distributed.epoch_order(n, epoch=4, seed=7)[: len(shards[0])])


def test_outside_torchrun_the_world_is_one_process():
    assert (distributed.rank(), distributed.world_size(), distributed.is_main()) == (0, 1, True)
    assert distributed.share(5) == slice(0, 5, 1)
    assert distributed.all_sum(torch.tensor([2.0])).item() == 2.0


def test_a_global_batch_that_does_not_split_over_the_processes_is_refused(monkeypatch):
    monkeypatch.setattr(loop, "world_size", lambda: 4)
    X, y = torch.randn(8, 2), torch.zeros(8, dtype=torch.long)
    with pytest.raises(loop.TrainingError, match=r"torch.batch_size: 30 .* 4 processes"):
        loop.fit(
            nn.Linear(2, 2),
            (X, y),
            (X, y),
            epochs=1,
            batch_size=30,
            lr=0.1,
            weight_decay=0.0,
            patience=1,
            seed=0,
            progress=False,
        )


def test_torchrun_trains_the_mlp_only(monkeypatch):
    monkeypatch.setenv("TORCHELASTIC_RUN_ID", "test")  # what torchrun sets in each process
    result = CliRunner().invoke(app, ["train", "--model", "baseline", "--params", "params.yaml"])
    assert result.exit_code == 2
    assert "--model" in result.output
    assert "torchrun" in result.output


def _runs(tracking_uri):
    mlflow.set_tracking_uri(tracking_uri)
    return mlflow.search_runs(search_all_experiments=True, output_format="pandas")


@pytest.mark.slow
def test_two_processes_train_as_one_with_the_same_global_batch(two_processes):
    runs = two_processes()
    assert runs.stderr.count("registered as version") == 1  # rank 1 neither logs nor registers
    alone = pd.read_csv(runs.single.paths.reports / "mlp_history.csv")
    together = pd.read_csv(runs.together.paths.reports / "mlp_history.csv")
    assert len(alone) == len(together) == 6
    pd.testing.assert_frame_equal(together, alone, rtol=1e-4)
    assert together["val_accuracy"].iloc[-1] > 0.5  # it learned something

    runs_logged = _runs(runs.together.mlflow.tracking_uri)
    assert len(runs_logged) == 1
    run = runs_logged.iloc[0]
    assert (run["params.processes"], run["params.strategy"]) == ("2", "ddp")
    reference = _runs(runs.single.mlflow.tracking_uri).iloc[0]
    assert reference["params.processes"] == "1"
    kinds = ("params.", "metrics.")
    logged = sorted(key for key in run.index if key.startswith(kinds))
    assert logged == sorted(key for key in reference.index if key.startswith(kinds))
    assert run["metrics.val_log_loss"] == pytest.approx(reference["metrics.val_log_loss"], 1e-4)
    client = mlflow.MlflowClient(runs.together.mlflow.tracking_uri)
    history = client.get_metric_history(run["run_id"], "samples_per_second")
    assert [point.step for point in history] == list(range(1, 7))
    assert all(point.value > 0 for point in history)

    version = client.get_model_version(runs.together.mlflow.registered_model, "1")
    assert version.run_id == run["run_id"]
    checkpoint = torch.load(runs.together.paths.models / "mlp.pt", weights_only=True)
    assert checkpoint["config"]["n_features"] > 0
    assert (runs.together.paths.models / "mlp.skops").is_file()
