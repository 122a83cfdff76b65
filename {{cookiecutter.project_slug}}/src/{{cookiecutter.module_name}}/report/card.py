"""The model card, in Markdown: every figure in it comes from the summary or the facts."""

from __future__ import annotations

from ..evaluation.summary import Summary
from ..explain.summary import ShapSummary
from ..fairness.summary import FairnessReport
from ..schema import FeatureSchema
from .facts import CardFacts, RunFacts
from .fairness_section import fairness_section
from .tables import code, fmt, metrics_table
from .tuning_section import tuning_section


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
            f"{code(label)} {n}" for label, n in facts.class_balance.items()
        )
    return [
        f"- Source: {code(facts.source)}",
        "- Rows: " + ", ".join(f"{split} {n}" for split, n in facts.rows.items()),
        "- Trained on: "
        + ", ".join(_fitted_on(name, run, sample) for name, run in facts.runs.items()),
        target,
        "- Missing values: "
        + (", ".join(f"{code(col)} {n}" for col, n in facts.missing.items() if n) or "none"),
        "- Left out: "
        + (", ".join(f"{code(col)} ({why})" for col, why in schema.ignored.items()) or "no column")
        + "".join(f"; class {code(c)} ({n} rows, too few)" for c, n in schema.rare_classes.items()),
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
        found = ", ".join(f"{code(col)} {fmt(value)}" for col, value in top)
        lines.append(
            f"- {name}: {found} ({measure} when the column is shuffled)"
            if top
            else f"- {name}: shuffling no single column hurts it on the test split"
        )
    return lines


def _shap(shap: ShapSummary | None, explained: str) -> list[str]:
    """List the served model's mean absolute SHAP values; say how they differ from shuffling."""
    if shap is None or not shap.rows:
        return []
    top = ", ".join(f"{code(col)} {fmt(value)}" for col, value in list(shap.mean_abs.items())[:3])
    how = "every coalition of features" if shap.exact else "sampled permutations"
    left = f", leaving out {shap.unseen} with a category unseen in training" * bool(shap.unseen)
    return [
        f"- SHAP, the {shap.model} as served: {top} (mean absolute change in {explained} over "
        f"{shap.rows} test rows{left}, from {how}; [figure](explain/shap_summary.png))",
        "",
        "Shuffling a column measures how much the model needs it to score well on the test "
        "split. SHAP values split each single answer among the features, starting from the mean "
        "answer over training rows: their size says how much a feature moves answers, right or "
        "wrong, and `POST /explain` gives them for any record.",
    ]


def _slices(summary: Summary) -> list[str]:
    lines = []
    for name, scores in summary.models.items():
        for column, result in scores.slices.items():
            groups = ", ".join(
                f"{group} {fmt(g.value)} (n={g.n}{', too small to trust' * g.small})"
                for group, g in result.groups.items()
            )
            lines.append(f"- {name}, {code(column)}: {groups}; largest gap {fmt(result.gap)}")
    return lines or ["No slices configured (`evaluation.slices` in params.yaml)."]


def _warnings(summary: Summary) -> list[str]:
    return [f"- {warning}" for warning in summary.warnings] or ["None for these results."]


def model_card(
    summary: Summary,
    schema: FeatureSchema,
    facts: CardFacts,
    fairness: FairnessReport | None = None,
    shap: ShapSummary | None = None,
) -> str:
    """Write the model card in Markdown.

    `fairness` adds its section after the slices; `shap`, the served model's SHAP values to
    what drives predictions.
    """
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
        f"Predicts {code(schema.target)} ({what}) from "
        f"{len(schema.features)} features of one record. The served model is the "
        f"`champion` version of {code(facts.registered_model)} in MLflow: the **{champion}**, "
        f"chosen on {code(facts.champion_metric)} by {facts.selection} that no candidate fitted "
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
        f"Intervals are 95% bootstrap percentile intervals of {code(main)} over "
        f"{facts.bootstrap} resamples of the test rows; {spec.floor_words}.",
        "",
        "## Slices",
        "",
        *_slices(summary),
        "",
        *fairness_section(fairness),
        *tuning_section(facts.runs),
        "## What drives predictions",
        "",
        *_drivers(summary, spec.importance_measure),
        *_shap(shap, spec.explained_words),
        "",
        "## Limitations",
        "",
        f"- The test split has {summary.test_rows} rows: the interval of {code(main)} for the "
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
        f"- Git commit: {code(facts.git_commit or 'none (not committed yet)')}",
        f"- Seed: {facts.seed}",
    ]
    for name, run in facts.runs.items():
        params = ", ".join(f"{k}={v}" for k, v in sorted(run.params.items()))
        lines.append(
            f"- {name}: MLflow run {code(run.run_id)}, registered version {run.version}; "
            f"params {params}"
        )
    return "\n".join(lines) + "\n"
