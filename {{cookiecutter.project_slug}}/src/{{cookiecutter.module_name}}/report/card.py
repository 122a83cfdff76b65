"""The model card, in Markdown: every figure in it comes from the summary or the facts."""

from __future__ import annotations

from pydantic import BaseModel

from ..evaluation.summary import Summary
from ..fairness.summary import FairnessReport
from ..schema import FeatureSchema
from .fairness_section import fairness_section
from .tables import fmt, metrics_table


class RunFacts(BaseModel):
    """A candidate's MLflow run, as the card's reproduction section lists it."""

    run_id: str
    version: str
    train_rows: int
    params: dict[str, str]
    score: float | None  # its score on the champion metric, where the champion was chosen
    spread: float | None = None  # its standard deviation over the folds, if there were folds


class CardFacts(BaseModel):
    """What the card says beyond the test scores: the data, the settings, the runs."""

    registered_model: str
    champion_metric: str
    selection: str  # how its score was made: "the 69 rows of the validation split"
    decision: str = ""  # how it answers: the likeliest class, or a threshold (`report.decision`)
    source: str
    rows: dict[str, int]  # by split
    class_balance: dict[str, int]  # training rows per class; empty for values
    missing: dict[str, int]  # missing values per feature, over all splits
    bootstrap: int
    min_slice_size: int
    seed: int
    git_commit: str | None
    runs: dict[str, RunFacts]


def _data(schema: FeatureSchema, facts: CardFacts) -> list[str]:
    """Write the card's data section: sources, rows, the target, missing values."""
    sample = "a stratified sample" if schema.spec.stratified else "a random sample"
    stats = schema.target_stats
    if stats is not None:
        target = (
            f"- Target (train): mean {stats.mean:.4g}, standard deviation {stats.std:.4g}, "
            f"range {stats.min:g} to {stats.max:g}"
        )
    else:
        target = "- Class balance (train): " + ", ".join(
            f"{label} {n}" for label, n in facts.class_balance.items()
        )
    return [
        f"- Source: `{facts.source}`",
        "- Rows: " + ", ".join(f"{split} {n}" for split, n in facts.rows.items()),
        "- Trained on: "
        + ", ".join(_fitted_on(name, run, sample) for name, run in facts.runs.items()),
        target,
        "- Missing values: "
        + (", ".join(f"`{col}` {n}" for col, n in facts.missing.items() if n) or "none"),
        "- Left out: "
        + (", ".join(f"`{col}` ({why})" for col, why in schema.ignored.items()) or "no column")
        + "".join(f"; class {c!r} ({n} rows, too few)" for c, n in schema.rare_classes.items()),
    ]


def _scores(facts: CardFacts) -> str:
    """Each candidate's score on the champion metric, with its spread over folds."""
    return ", ".join(
        f"{name} {fmt(run.score)}" + (f" ± {fmt(run.spread)}" if run.spread is not None else "")
        for name, run in facts.runs.items()
    )


def _fitted_on(name: str, run: RunFacts, sample: str) -> str:
    """How many rows a candidate fitted on, and why not all of them."""
    found = f"{name} {run.train_rows} rows"
    if run.params.get("max_rows", "None") != "None":
        found += f" ({sample}: `baseline.max_rows`)"
    if "stop_rows" in run.params:
        found += f" (and {run.params['stop_rows']} more held out to stop it early)"
    return found


def _drivers(summary: Summary, measure: str) -> list[str]:
    """List the three columns whose shuffling hurts each model most (only those that hurt it)."""
    lines = []
    for name, scores in summary.models.items():
        top = [(col, value) for col, value in scores.importance.items() if value > 0][:3]
        found = ", ".join(f"`{col}` {fmt(value)}" for col, value in top)
        lines.append(
            f"- {name}: {found} ({measure} when the column is shuffled)"
            if top
            else f"- {name}: shuffling no single column hurts it on the test split"
        )
    return lines


def _slices(summary: Summary) -> list[str]:
    lines = []
    for name, scores in summary.models.items():
        for column, result in scores.slices.items():
            groups = ", ".join(
                f"{group} {fmt(g.value)} (n={g.n}{', too small to trust' * g.small})"
                for group, g in result.groups.items()
            )
            lines.append(f"- {name}, `{column}`: {groups}; largest gap {fmt(result.gap)}")
    return lines or ["No slices configured (`evaluation.slices` in params.yaml)."]


def _warnings(summary: Summary) -> list[str]:
    return [f"- {warning}" for warning in summary.warnings] or ["None for these results."]


def model_card(
    summary: Summary,
    schema: FeatureSchema,
    facts: CardFacts,
    fairness: FairnessReport | None = None,
) -> str:
    """Write the model card in Markdown; `fairness` adds its section after the slices."""
    main, champion, spec = summary.main_metric, summary.champion, schema.spec
    best = summary.models[champion]
    stats = schema.target_stats
    what = spec.describe(schema.classes)
    decision = f" {facts.decision}" if facts.decision else ""
    if stats is not None:
        what += f"; {stats.min:g} to {stats.max:g} in training"
    lines = [
        f"# Model card: {facts.registered_model}",
        "",
        "## Intended use",
        "",
        f"Predicts `{schema.target}` ({what}) from "
        f"{len(schema.features)} features of one record. The served model is the "
        f"`champion` version of `{facts.registered_model}` in MLflow: the **{champion}**, "
        f"chosen on `{facts.champion_metric}` by {facts.selection} that no candidate fitted "
        f"or stopped on ({_scores(facts)}).{decision} It is a demonstration trained "
        f"on {sum(facts.rows.values())} rows; check the limitations below before "
        "relying on it for decisions.",
        "",
        "## Warnings",
        "",
        *_warnings(summary),
        "",
        "## Data",
        "",
        *_data(schema, facts),
        "",
        "## Metrics (test split)",
        "",
        metrics_table(summary),
        "",
        f"Intervals are 95% bootstrap percentile intervals of `{main}` over "
        f"{facts.bootstrap} resamples of the test rows; {spec.floor_words}.",
        "",
        "## Slices",
        "",
        *_slices(summary),
        "",
        *fairness_section(fairness),
        "## What drives predictions",
        "",
        *_drivers(summary, spec.importance_measure),
        "",
        "## Limitations",
        "",
        f"- The test split has {summary.test_rows} rows: the interval of `{main}` for the "
        f"champion spans {fmt(best.interval.low)} to {fmt(best.interval.high)}.",
        *(
            [
                f"- Groups with fewer than {facts.min_slice_size} test rows are flagged above; "
                "their scores say little."
            ]
            if any(scores.slices for scores in summary.models.values())
            else []
        ),
        "- Only values seen in training are accepted for categorical fields; the API refuses "
        "others rather than guess.",
        "- The data is a snapshot: retrain and compare before trusting it on new data.",
        "",
        "## How to reproduce",
        "",
        "```bash",
        "make train    # dvc repro: data, both models, promotion, this card",
        "```",
        "",
        f"- Git commit: `{facts.git_commit or 'none (not committed yet)'}`",
        f"- Seed: {facts.seed}",
    ]
    for name, run in facts.runs.items():
        params = ", ".join(f"{k}={v}" for k, v in sorted(run.params.items()))
        lines.append(
            f"- {name}: MLflow run `{run.run_id}`, registered version {run.version}; "
            f"params {params}"
        )
    return "\n".join(lines) + "\n"
