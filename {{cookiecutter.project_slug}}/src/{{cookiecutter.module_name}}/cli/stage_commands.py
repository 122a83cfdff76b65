"""The pipeline's commands, one per DVC stage: each imports only the code its stage runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .common import DEFAULT_PARAMS, Params, clean_errors, console, results, settings_from

if TYPE_CHECKING:
    from ..stages.promote import Promotion


def data(params: Params = DEFAULT_PARAMS) -> None:
    """Ingest, validate and split the data; infer the feature schema."""
    from ..data import DataError
    from ..stages.data import prepare

    settings = settings_from(params)
    with clean_errors(DataError):
        schema = prepare(settings)
    results.print(
        f"{schema.task}: {len(schema.features)} features, {schema.target}: "
        f"{schema.spec.describe(schema.classes)} -> {settings.paths.processed}"
    )


def train(
    params: Params = DEFAULT_PARAMS,
    model: Annotated[
        str, typer.Option(help="baseline or mlp: train that one only, without promoting.")
    ] = "all",
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
    strategy: Annotated[
        str | None, typer.Option(help="Under torchrun: ddp or fsdp (default: torch.strategy).")
    ] = None,
) -> None:
    """Train both models, log them to MLflow and make the better one the champion.

    Under torchrun (`make train-ddp`), `--model mlp` trains with DistributedDataParallel,
    or with FSDP's shards (`--strategy fsdp`).
    """
    # Imported per branch: `train --model baseline` must not import what `train` alone runs.
    from ..data import DataError
    from ..records import CANDIDATES, StageError
    from ..training.distributed import launched, process_group
    from ..training.loop import TrainingError, pick_device
    from ..tuning.tuned import TuningError

    settings = settings_from(params)
    if model not in (*CANDIDATES, "all"):
        console.print(f"[bold red]error:[/] --model: {model!r} is not baseline, mlp or all")
        raise typer.Exit(2)
    if strategy is not None:
        if strategy not in ("ddp", "fsdp"):
            console.print(f"[bold red]error:[/] --strategy: {strategy!r} is not ddp or fsdp")
            raise typer.Exit(2)
        net = settings.torch.model_copy(update={"strategy": strategy})
        settings = settings.model_copy(update={"torch": net})
    if launched() and model != "mlp":
        console.print("[bold red]error:[/] --model: torchrun trains the MLP only: use --model mlp")
        raise typer.Exit(2)
    if model == "all":
        from ..export import ExportError
        from ..stages.train_all import train_all

        with clean_errors(DataError, StageError, TrainingError, TuningError, ExportError):
            _report(train_all(settings, progress=progress))
        return
    from ..stages.train import train_candidate

    device = pick_device(settings.torch.device)
    with clean_errors(DataError, StageError, TrainingError, TuningError), process_group(device):
        candidate = train_candidate(settings, model, progress=progress)  # type: ignore[arg-type]
    if candidate is not None:
        results.print(f"{candidate.name}: version {candidate.version}")


def promote(params: Params = DEFAULT_PARAMS) -> None:
    """Give the champion alias to the candidate with the best validation metric."""
    from ..records import StageError
    from ..stages.promote import promote_champion

    settings = settings_from(params)
    with clean_errors(StageError):
        _report(promote_champion(settings))


def export(params: Params = DEFAULT_PARAMS) -> None:
    """Export both models to ONNX and bundle the champion's graph for the server."""
    from ..data import DataError
    from ..export import ExportError
    from ..records import StageError
    from ..stages.export import export_models

    settings = settings_from(params)
    with clean_errors(DataError, StageError, ExportError):
        manifest = export_models(settings)
    kind = "INT8" if manifest.quantized else "FP32"
    results.print(
        f"serving {manifest.candidate} (version {manifest.version}, {kind}) "
        f"sha256 {manifest.sha256[:12]} -> {settings.paths.serving}"
    )


def fairness(params: Params = DEFAULT_PARAMS) -> None:
    """Measure both models across `fairness.sensitive`, and a mitigated candidate."""
    from ..data import DataError
    from ..records import StageError
    from ..stages.fairness import assess_fairness

    settings = settings_from(params)
    with clean_errors(DataError, StageError):
        report = assess_fairness(settings)
    if not report.sensitive:
        results.print("fairness: no sensitive column set (fairness.sensitive)")
    for name, model in report.models.items():
        found = model.columns[report.sensitive[0]]
        shown = found.disparities.get(report.constraint)
        gap = shown.value if shown else found.difference.get(report.main_metric)
        results.print(
            f"{name:>9}: test {report.main_metric} {_number(model.main)}  "
            f"{report.constraint or 'gap'} across {report.sensitive[0]} {_number(gap)}"
        )


def explain(params: Params = DEFAULT_PARAMS) -> None:
    """Explain the served model's answers on test rows with SHAP: the card's summary."""
    from ..bundle import BundleError
    from ..data import DataError
    from ..stages.explain import explain_served

    settings = settings_from(params)
    with clean_errors(DataError, BundleError):
        summary = explain_served(settings)
    if not summary.rows:
        results.print("explain: no background in the bundle (explain.endpoint is false)")
        return
    top = ", ".join(f"{name} {value:.3g}" for name, value in list(summary.mean_abs.items())[:3])
    results.print(f"{summary.model}: mean |SHAP| over {summary.rows} test rows: {top}")


def evaluate(params: Params = DEFAULT_PARAMS) -> None:
    """Score both models on the test split: metrics, figures, model card, README table."""
    from ..data import DataError
    from ..records import StageError
    from ..stages.evaluate import evaluate_candidates

    settings = settings_from(params)
    with clean_errors(DataError, StageError):
        summary = evaluate_candidates(settings)
    main = summary.main_metric
    for name, scores in summary.models.items():
        low, high = scores.interval.low, scores.interval.high
        results.print(f"{name:>8}: test {main} {scores.test[main]:.4f} [{low:.4f}, {high:.4f}]")
    results.print(f"report: {settings.paths.reports / 'model_card.md'}")


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _report(promotion: Promotion) -> None:
    from ..metric_names import VALIDATION
    from ..tasks import TASKS

    # The champion's metric, and the one anybody reads first: accuracy or RMSE.
    first = VALIDATION + TASKS[promotion.champion.task].metrics[0]
    for candidate in promotion.candidates:
        shown = dict.fromkeys([promotion.metric, first])
        scores = "  ".join(f"{m} {_number(candidate.metrics[m])}" for m in shown)
        results.print(f"{candidate.name:>8}: version {candidate.version}  {scores}")
    champion = promotion.champion
    label = "champion" if champion.promoted else "best, not promoted"
    results.print(f"{label}: {champion.name} (version {champion.version})")
    if champion.reason:
        results.print(f"warning: {champion.reason}")
