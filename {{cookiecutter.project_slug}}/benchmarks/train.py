"""Train at scale: this project's training loop against a plain tensor loop, and `make train`.

End to end first: copies the project's code and params to a temporary folder, points
params.yaml at the synthetic table (`--rows`, a million by default, and the `SCALE` settings
below), runs `make train` there and prints its wall time and the peak resident memory of its
largest process. Targets at a million rows on 2 cores: at most 3 minutes and 4 GiB.

Then the loop, on that run's training split: the same MLP (same initial weights, AdamW,
global batch) trains for `--epochs` epochs with `training.loop.fit` (shuffled shards, validation
every epoch, best-epoch checkpoint) and with a plain loop over the same in-memory tensors
(randperm, slice, step). Prints samples/s of both and the ratio; the target is 0.8.
Each is timed twice, alternately, and the better time is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from torch import nn

from {{ cookiecutter.module_name }}.config import load_settings
from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.features import build_preprocessor, feature_frame
from {{ cookiecutter.module_name }}.models.mlp import MLP
from {{ cookiecutter.module_name }}.training.loop import fit

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = MLP.__module__.split(".")[0]
COPIED = ("src", "params.yaml", "dvc.yaml", "Makefile", "pyproject.toml", "README.md")
# What changes from params.yaml for the synthetic table (classes): its target, no column roles
# of the project's own table, a slice column, and a global batch that keeps an epoch of 600k
# training rows near a second (batch 32: ~11 s).
SCALE: dict[str, Any] = {
    "task": "auto",
    "data.source": "synthetic",
    "data.target": "label",
    "data.drop": [],
    "data.categorical": [],
    "data.numeric": [],
    "evaluation.slices": ["cat_00"],
    "torch.batch_size": 1024,
}


def set_key(params: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `section.key` (any depth) in a params dict, refusing keys that don't exist."""
    *sections, key = dotted.split(".")
    node = params
    for section in sections:
        node = node[section]
    if key not in node:
        sys.exit(f"--set: {dotted} is not a key of params.yaml")
    node[key] = value


def scaled_copy(workdir: Path, rows: int, overrides: list[str]) -> Path:
    """Copy the project into `workdir` with params.yaml set for the synthetic table."""
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, workdir / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, workdir / name)  # keeps mtimes: make sees nothing to reinstall
    raw = workdir / "data" / "raw"  # the data stage watches it; the synthetic table needs none
    raw.mkdir(parents=True)
    (raw / ".gitkeep").touch()
    # Nothing tuned: values tuned on this project's table don't carry over to the synthetic one.
    (workdir / "tuned.yaml").write_text("{}\n")
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    for key, value in {**SCALE, "data.synthetic.rows": rows}.items():
        set_key(params, key, value)
    for override in overrides:
        key, _, value = override.partition("=")
        set_key(params, key, yaml.safe_load(value))
    (workdir / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    return workdir / "params.yaml"


def make_train(workdir: Path) -> tuple[float, float]:
    """Run `make train` in `workdir` with this venv; return seconds and peak MiB of one process."""
    venv = Path(sys.prefix)
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    # -o: the venv is installed already; never let make reinstall it from the copy.
    command = ["make", "-o", f"{venv}/.installed", f"VENV={venv}", "train"]
    began = time.perf_counter()
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"make train failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    # Linux reports the largest descendant's peak in KiB.
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


Split = tuple[torch.Tensor, torch.Tensor]


def tensors(params: Path) -> tuple[Split, Split, int]:
    """Return the train and val splits preprocessed as the pipeline does, and the class count."""
    settings = load_settings(params)
    splits, schema = load_splits(params.parent / settings.paths.processed)
    X = {name: feature_frame(schema, splits[name]) for name in ("train", "val")}
    preprocess = build_preprocessor(schema).fit(X["train"])
    out = []
    for name in ("train", "val"):
        features = np.asarray(preprocess.transform(X[name]), dtype=np.float32)
        labels = np.searchsorted(schema.classes, splits[name][schema.target].astype(str))
        out.append((torch.from_numpy(features), torch.from_numpy(labels)))
    return out[0], out[1], len(schema.classes)


def plain_loop(
    model: nn.Module, X: torch.Tensor, y: torch.Tensor, epochs: int, batch_size: int, lr: float
) -> None:
    """Train with the fewest steps over in-memory tensors: the reference loop."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(X))
        for start in range(0, len(X), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss_fn(model(X[batch]), y[batch]).backward()
            optimizer.step()


def compare_loops(params: Path, epochs: int, batch_sizes: list[int]) -> None:
    """Print samples/s of `training.loop.fit` and of the plain loop, per batch size."""
    settings = load_settings(params)
    cfg = settings.torch
    train, val, classes = tensors(params)
    rows = len(train[0])
    print(f"\ntraining loop: {rows:,} rows x {train[0].shape[1]} inputs, {epochs} epochs")
    print(f"{'batch':>6} {'ours/s':>10} {'plain/s':>10} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for batch_size in batch_sizes:
            best = {"ours": float("inf"), "plain": float("inf")}
            for _ in range(2):
                for way in best:
                    torch.manual_seed(settings.seed)
                    model = MLP(train[0].shape[1], cfg.hidden_sizes, classes, cfg.dropout)
                    began = time.perf_counter()
                    if way == "plain":
                        plain_loop(model, *train, epochs, batch_size, cfg.lr)
                    else:
                        fit(
                            model,
                            train,
                            val,
                            epochs=epochs,
                            batch_size=batch_size,
                            lr=cfg.lr,
                            weight_decay=cfg.weight_decay,
                            patience=epochs + 1,  # time every epoch: no early stop
                            seed=settings.seed,
                            checkpoint=Path(tmp) / "mlp.pt",
                            progress=False,
                        )
                    best[way] = min(best[way], time.perf_counter() - began)
            ours, plain = (rows * epochs / best[way] for way in ("ours", "plain"))
            verdict = "met" if ours / plain >= 0.8 else "MISSED"
            print(f"{batch_size:>6} {ours:>10,.0f} {plain:>10,.0f} {ours / plain:>6.2f}  {verdict}")


def main() -> None:
    """Run `make train` on the synthetic table, then compare the training loops."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic table size")
    parser.add_argument("--epochs", type=int, default=3, help="per loop timing")
    parser.add_argument("--batch-sizes", default="256,1024,4096", help="comma-separated")
    parser.add_argument("--set", action="append", default=[], help="more params: key=value")
    parser.add_argument("--no-make", action="store_true", help="only the data step, no training")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        params = scaled_copy(Path(tmp), args.rows, args.set)
        changed = {**SCALE, "data.synthetic.rows": args.rows}
        changed |= dict(s.partition("=")[::2] for s in args.set)
        print("params.yaml changes: " + ", ".join(f"{k}={v}" for k, v in changed.items()))
        if args.no_make:
            command = [sys.executable, "-m", PACKAGE, "data"]
            subprocess.run(command, cwd=tmp, check=True, capture_output=True)
        else:
            seconds, peak = make_train(Path(tmp))
            metrics = json.loads((Path(tmp) / "reports" / "metrics.json").read_text())
            print(f"make train: {seconds:.0f} s wall, peak {peak:,.0f} MiB (largest process)")
            print(
                f"  targets: 180 s, 4096 MiB -> {'met' if seconds <= 180 else 'MISSED'}, "
                f"{'met' if peak <= 4096 else 'MISSED'}"
            )
            for name, scores in metrics["models"].items():
                test = scores["test"]
                print(
                    f"  {name}: test accuracy {test['accuracy']:.4f}, "
                    f"log loss {test['log_loss']:.4f}"
                )
            floor = metrics["floor"]["accuracy"]
            print(f"  champion: {metrics['champion']}, floor accuracy {floor:.4f}")
        compare_loops(params, args.epochs, [int(b) for b in args.batch_sizes.split(",")])


if __name__ == "__main__":
    main()
