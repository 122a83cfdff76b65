"""The generated DVC pipeline: reruns only what changed, runs experiments, pushes, repeats."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from conftest import bake, make_args, run

STAGES = {
    "data",
    "train_baseline",
    "train_mlp",
    "promote",
    "export",
    "fairness",
    "explain",
    "evaluate",
}
TORCH_BRANCH = {"train_mlp", "promote", "export", "fairness", "explain", "evaluate"}
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}

pytestmark = pytest.mark.slow


def ran(output: str) -> set[str]:
    return set(re.findall(r"Running stage '(\w+)'", output))


def train(project: Path, remote: Path) -> str:
    return run(make_args("train", f"DVC_REMOTE={remote}"), cwd=project)


def first_ran(bench: str) -> set[str]:
    """The stages that the benchmark's first `make train` ran."""
    found = re.search(r"^make train ran (.*)$", bench, re.M)
    assert found, bench
    return set(found[1].split(", "))


@pytest.fixture(scope="module")
def trained(tmp_path_factory, project_env):
    """A fresh project's first `make train`, as `make bench-pipeline` runs it in a clean copy.

    The benchmark keeps both copies: make/, where `make train` ran (then again with nothing
    changed, then after a torch change), and warm/, where the same stages ran in one process.
    Returns make/, its DVC remote, the benchmark's output and warm/'s metrics.
    """
    root = tmp_path_factory.mktemp("dvc")
    baked, runs = bake(root), root / "runs"
    args = make_args("bench-pipeline", f"BENCH_PIPELINE_ARGS=--keep {runs}")
    bench = run(args, cwd=baked, timeout=1200)  # three trainings, on a busy machine
    remote = runs / f"{baked.name}-dvc-remote"  # the Makefile's default: ../<slug>-dvc-remote
    return runs / "make", remote, bench, (runs / "warm" / "reports" / "metrics.json").read_text()


def test_first_train_sets_up_git_and_dvc_and_runs_every_stage(trained):
    project, _, bench, _ = trained
    assert (project / ".git").is_dir()
    assert (project / ".dvc" / "config").is_file()
    assert first_ran(bench) == STAGES
    assert (project / "dvc.lock").is_file()


def test_first_train_writes_the_report(trained):
    project, _, _, _ = trained
    assert len(list((project / "reports" / "figures").glob("*.png"))) >= 6
    assert "## Slices" in (project / "reports" / "model_card.md").read_text()
    readme = (project / "README.md").read_text()
    assert "| **" in readme  # the results table, with the champion in bold


def test_second_repro_runs_no_stage(trained):
    project, remote, _, _ = trained
    assert ran(train(project, remote)) == set()


def test_pipeline_benchmark_times_each_stage_and_the_reruns(trained):
    """`make bench-pipeline`: cold against warm per stage, then a no-op and a torch change."""
    bench = trained[2]
    rows = re.findall(r"^(\w+)\s+[\d.]+\s+[\d.]+\s+[\d.]+x$", bench, re.M)
    assert sorted(rows) == sorted(STAGES), bench
    assert re.search(r"^all\s+[\d.]+\s+[\d.]+\s+[\d.]+x  (met|MISSED)", bench, re.M), bench
    assert re.search(r"^make train, nothing changed: [\d.]+ s", bench, re.M), bench
    reran = re.search(r"^make train after torch\.lr .*: [\d.]+ s, reran (.*)$", bench, re.M)
    assert reran, bench
    assert set(reran[1].split(", ")) == TORCH_BRANCH, bench


def stale(project: Path) -> set[str]:
    """The stages that `dvc status` reports as changed."""
    out = run([f"{sys.prefix}/bin/dvc", "status"], cwd=project)
    return set(re.findall(r"^(\w+):$", out, re.M))


@pytest.mark.parametrize(
    ("module", "stages"),
    [
        ("tasks.py", STAGES),  # every stage asks the task
        ("export/int8.py", {"export", "evaluate"}),
        ("report/card.py", {"evaluate"}),
        ("training/loop.py", {"train_baseline", "train_mlp", "export", "fairness", "evaluate"}),
        ("fairness/mitigation.py", {"fairness"}),
        ("fairness/rule.py", {"promote"}),  # the champion rule, `fairness.max_disparity`
        ("fairness/summary.py", {"promote", "fairness", "evaluate"}),
        ("data/columns.py", {"data"}),
        ("explain/background.py", {"export"}),
        ("explain/shapley.py", {"explain"}),  # and the server, which DVC doesn't run
        ("explain/summary.py", {"explain", "evaluate"}),
        ("similar/neighbours.py", {"export"}),  # and the server
    ],
)
def test_editing_a_module_reruns_exactly_the_stages_that_import_it(trained, module, stages):
    project = trained[0]
    path = project / "src" / "penguin_classifier" / module
    text = path.read_text()
    path.write_text(text + "\n# an edit\n")
    try:
        assert stale(project) == stages
    finally:
        path.write_text(text)
    assert stale(project) == set()


def without_timings(metrics: str) -> dict:
    """The metrics file less its wall-clock figures (INT8 against FP32 latency)."""
    found = json.loads(metrics)
    int8 = found["serving"]["int8"]
    timings = [key for key in int8 if key.startswith("latency")]
    assert timings, int8
    for key in timings:
        del int8[key]
    return found


def test_two_clean_runs_write_the_same_metrics(trained, trained_default):
    """The benchmark's run of every stage in one process against test_e2e's `make train`."""
    _, _, _, metrics = trained
    assert without_timings(trained_default.metrics) == without_timings(metrics)


def test_torch_param_change_reruns_only_the_torch_branch(trained):
    project, remote, _, _ = trained
    params = project / "params.yaml"
    text = params.read_text()
    params.write_text(re.sub(r"(?m)^(  epochs:) \d+", r"\1 25", text, count=1))
    assert params.read_text() != text
    assert ran(train(project, remote)) == TORCH_BRANCH


def test_experiment_with_an_override(trained):
    project, remote, _, _ = trained
    env = {**os.environ, **GIT_IDENTITY}
    run(["git", "add", "-A"], cwd=project, env=env)
    run(["git", "commit", "--quiet", "-m", "Initial commit"], cwd=project, env=env)
    output = run(
        make_args("exp", "SET=torch.lr=0.01", f"DVC_REMOTE={remote}"), cwd=project, env=env
    )
    assert "0.01" in output  # the override shows in the experiments table
    assert ran(output) == TORCH_BRANCH


def test_push_then_pull_restores_outputs(trained):
    project, remote, _, _ = trained
    run(make_args("push", f"DVC_REMOTE={remote}"), cwd=project)
    assert any(remote.rglob("*"))
    model = project / "models" / "mlp.skops"
    saved = model.read_bytes()
    model.unlink()
    run(["rm", "-rf", str(project / ".dvc" / "cache")], cwd=project)
    run(make_args("pull", f"DVC_REMOTE={remote}"), cwd=project)
    assert model.read_bytes() == saved


# Last in this module: it changes tuned.yaml, which the training stages depend on.
def test_make_tune_records_its_stage_and_makes_training_stale(trained):
    """`make train` never tunes; `make tune` does, and then the training stages are stale."""
    project, _, bench, _ = trained
    assert "tune" not in first_ran(bench)
    params = project / "params.yaml"
    text = params.read_text()
    params.write_text(re.sub(r"(?m)^(  trials:) \d+", r"\1 2", text, count=1))
    output = run(make_args("tune"), cwd=project)
    assert "tuned values: tuned.yaml" in output, output
    tuned = (project / "tuned.yaml").read_text()
    assert "trials: 2" in tuned
    assert "tune:" in (project / "dvc.lock").read_text()  # recorded by `dvc commit`
    assert stale(project) == {"train_baseline", "train_mlp"}
    assert (project / "optuna.db").is_file()
    assert "optuna.db" in (project / ".gitignore").read_text()
