"""Command line: `python -m <package> COMMAND`, one command per pipeline stage, plus serving."""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.logging import RichHandler

# Only light imports up here: the serving image runs `serve` without pandas, sklearn or torch.
from .config import DEFAULT_PARAMS, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from .pipeline import Promotion

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
console = Console(stderr=True, soft_wrap=True)  # logs and errors
results = Console(soft_wrap=True)  # what a command produced, on stdout
Params = Annotated[Path, typer.Option("--params", help="The params file to read.")]


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """Train a baseline and a PyTorch model, track them in MLflow, serve the champion."""
    # Under torchrun, rank 0 speaks for all processes; the others report only problems.
    quiet = os.environ.get("RANK", "0") != "0"
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
    )


@contextmanager
def _clean_errors(*more: type[Exception]) -> Iterator[None]:
    """Print errors caused by input (or `more` kinds) as one line and exit 1, no traceback."""
    kinds: tuple[type[Exception], ...] = (SettingsError, *more)
    try:
        yield
    except kinds as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None


def _settings(params: Path) -> Settings:
    with _clean_errors():
        return load_settings(params)


@app.command()
def data(params: Params = DEFAULT_PARAMS) -> None:
    """Ingest, validate and split the data; infer the feature schema."""
    from .data import DataError, prepare

    settings = _settings(params)
    with _clean_errors(DataError):
        schema = prepare(settings)
    answer = "values" if schema.regression else f"classes {', '.join(schema.classes)}"
    results.print(
        f"{schema.task}: {len(schema.features)} features, {schema.target} {answer} "
        f"-> {settings.paths.processed}"
    )


@app.command()
def train(
    params: Params = DEFAULT_PARAMS,
    model: Annotated[
        str, typer.Option(help="baseline or mlp: train that one only, without promoting.")
    ] = "all",
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Train both models, log them to MLflow and make the better one the champion.

    Under torchrun (`make train-ddp`), `--model mlp` trains with DistributedDataParallel.
    """
    from . import pipeline  # imports MLflow and torch: slow
    from .distributed import launched, process_group
    from .export import ExportError
    from .training import TrainingError, pick_device

    settings = _settings(params)
    if model not in (*pipeline.CANDIDATES, "all"):
        console.print(f"[bold red]error:[/] --model: {model!r} is not baseline, mlp or all")
        raise typer.Exit(2)
    if launched() and model != "mlp":
        console.print("[bold red]error:[/] --model: torchrun trains the MLP only: use --model mlp")
        raise typer.Exit(2)
    with _clean_errors(pipeline.StageError, ExportError, TrainingError):
        if model == "all":
            _report(pipeline.train(settings, progress=progress))
            return
        with process_group(pick_device(settings.torch.device)):
            candidate = pipeline.train_candidate(settings, model, progress=progress)  # type: ignore[arg-type]
        if candidate is not None:
            results.print(f"{candidate.name}: version {candidate.version}")


@app.command()
def promote(params: Params = DEFAULT_PARAMS) -> None:
    """Give the champion alias to the candidate with the best validation metric."""
    from . import pipeline

    settings = _settings(params)
    with _clean_errors(pipeline.StageError):
        _report(pipeline.promote_champion(settings))


@app.command()
def export(params: Params = DEFAULT_PARAMS) -> None:
    """Export both models to ONNX and bundle the champion's graph for the server."""
    from . import pipeline
    from .export import ExportError

    settings = _settings(params)
    with _clean_errors(pipeline.StageError, ExportError):
        manifest = pipeline.export_models(settings)
    kind = "INT8" if manifest.quantized else "FP32"
    results.print(
        f"serving {manifest.candidate} (version {manifest.version}, {kind}) "
        f"sha256 {manifest.sha256[:12]} -> {settings.paths.serving}"
    )


@app.command()
def evaluate(params: Params = DEFAULT_PARAMS) -> None:
    """Score both models on the test split: metrics, figures, model card, README table."""
    from . import pipeline

    settings = _settings(params)
    with _clean_errors(pipeline.StageError):
        summary = pipeline.evaluate_candidates(settings)
    main = summary["main_metric"]
    for name, scores in summary["models"].items():
        low, high = scores["interval"]["low"], scores["interval"]["high"]
        results.print(f"{name:>8}: test {main} {scores['test'][main]:.4f} [{low:.4f}, {high:.4f}]")
    results.print(f"report: {settings.paths.reports / 'model_card.md'}")


def _report(promotion: Promotion) -> None:
    for candidate in promotion.candidates:
        # The champion's metric, and the one anybody reads first: accuracy or RMSE.
        shown = dict.fromkeys([promotion.metric, "val_accuracy", "val_rmse"])
        scores = "  ".join(
            f"{m} {candidate.metrics[m]:.4f}" for m in shown if m in candidate.metrics
        )
        results.print(f"{candidate.name:>8}: version {candidate.version}  {scores}")
    champion = promotion.champion
    results.print(f"champion: {champion.name} (version {champion.version})")


@app.command()
def serve(
    params: Params = DEFAULT_PARAMS,
    host: Annotated[str, typer.Option(envvar="HOST")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT")] = 8000,
    bundle: Annotated[
        Path | None, typer.Option(help="An exported bundle; default: paths.serving.")
    ] = None,
) -> None:
    """Serve the exported champion over HTTP."""
    import uvicorn

    from .serving import BundleError, create_app

    settings = _settings(params)
    if bundle is not None:
        settings = settings.model_copy(
            update={"paths": settings.paths.model_copy(update={"serving": bundle})}
        )
    # An altered bundle stops here with one line; without any bundle the server starts
    # anyway and /ready says what to run.
    with _clean_errors(BundleError):
        app = create_app(settings)
    # The app logs one JSON line per request itself: no uvicorn access log on top.
    uvicorn.run(app, host=host, port=port, access_log=False)


@app.command()
def predict(
    params: Params = DEFAULT_PARAMS,
    url: Annotated[str, typer.Option(help="The running server.")] = "http://127.0.0.1:8000",
    record: Annotated[
        Path | None, typer.Option(help="A JSON file with one record; default: a test row.")
    ] = None,
) -> None:
    """Send one record to a running server and print its answer."""
    if record is not None:
        body = record.read_bytes()
    else:
        from .data import DataError, load_splits
        from .features import api_records

        settings = _settings(params)
        with _clean_errors(DataError):
            splits, schema = load_splits(settings.paths.processed)
        [row] = api_records(schema, splits["test"].head(1))
        body = json.dumps(row).encode()
    request = urllib.request.Request(
        f"{url.rstrip('/')}/predict", data=body, headers={"Content-Type": "application/json"}
    )
    console.print(f"POST {request.full_url} {body.decode()}", highlight=False)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            results.print_json(data=json.load(response))
    except urllib.error.HTTPError as exc:
        console.print(f"[bold red]error:[/] HTTP {exc.code}: {exc.read().decode()}")
        raise typer.Exit(1) from None
    except urllib.error.URLError as exc:
        console.print(
            f"[bold red]error:[/] cannot reach {url}: {exc.reason}; is `make serve` running?"
        )
        raise typer.Exit(1) from None
