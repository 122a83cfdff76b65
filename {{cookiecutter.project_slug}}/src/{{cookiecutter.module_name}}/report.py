"""The model card and the README results table, written from metrics.json and the runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .evaluation import IMPORTANCE_MEASURE

START, END = "<!-- results:start -->", "<!-- results:end -->"
TABLE_METRICS = {
    "classification": ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "log_loss"),
    "regression": ("rmse", "mae", "r2"),
}
# The figures the README links to, per task (files reports/figures/<kind>_<model>.png).
FIGURE_LINKS = {
    "classification": ("confusion", "roc", "calibration", "importance"),
    "regression": ("predicted", "residuals", "importance"),
}
FLOOR = {
    "classification": "the majority-class row is the accuracy of always predicting the most "
    "frequent class",
    "regression": "the mean-predictor row scores always predicting the training mean",
}


def fmt(value: float) -> str:
    """Format a metric the one way the card, the README and the tests expect."""
    return f"{value:.4f}"


def metrics_table(summary: dict[str, Any]) -> str:
    """Markdown table of both models' test metrics, with the main metric's interval."""
    main, columns = summary["main_metric"], TABLE_METRICS[summary["task"]]
    header = ["model", *columns, f"{main} 95% CI"]
    rows = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for name, scores in summary["models"].items():
        label = f"**{name}** (champion)" if name == summary["champion"] else name
        cells = [fmt(scores["test"][m]) for m in columns]
        interval = f"{fmt(scores['interval']['low'])} to {fmt(scores['interval']['high'])}"
        rows.append("| " + " | ".join([label, *cells, interval]) + " |")
    if summary["task"] == "regression":
        cells = [fmt(summary["mean_predictor"][m]) for m in columns]
        rows.append("| " + " | ".join(["mean predictor", *cells]) + " | |")
    else:
        rows.append(f"| majority class | {fmt(summary['majority_rate'])} |" + " |" * 5)
    return "\n".join(rows)


def results_table(summary: dict[str, Any]) -> str:
    """Write the README's results section: the metrics table and links to the figures."""
    links = ", ".join(
        f"[{kind} {name}](reports/figures/{kind}_{name}.png)"
        for name in summary["models"]
        for kind in FIGURE_LINKS[summary["task"]]
    )
    return "\n\n".join(
        [
            f"Test split, {summary['test_rows']} rows; {FLOOR[summary['task']]}.",
            metrics_table(summary),
            f"Figures: {links}. Full report: [reports/model_card.md](reports/model_card.md).",
        ]
    )


def update_readme(readme: Path, table: str) -> bool:
    """Replace what stands between the results markers; False if there are none."""
    if not readme.is_file():
        return False
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        return False
    readme.write_text(pattern.sub(lambda _: f"{START}\n{table}\n{END}", text), encoding="utf-8")
    return True


def model_card(summary: dict[str, Any], context: dict[str, Any]) -> str:
    """Write the model card in Markdown; every figure comes from `summary` or `context`."""
    main, champion = summary["main_metric"], summary["champion"]
    best = summary["models"][champion]
    train_rows = context["rows"]["train"]
    regression = summary["task"] == "regression"
    if regression:
        stats = context["target_stats"]
        what = f"a number; {stats['min']:g} to {stats['max']:g} in training"
        balance = (
            f"- Target (train): mean {stats['mean']:.4g}, standard deviation {stats['std']:.4g}, "
            f"range {stats['min']:g} to {stats['max']:g}"
        )
        sample = "a random sample"
    else:
        what = ", ".join(context["classes"])
        balance = "- Class balance (train): " + ", ".join(
            f"{label} {n}" for label, n in context["class_balance"].items()
        )
        sample = "a stratified sample"
    lines = [
        f"# Model card: {context['registered_model']}",
        "",
        "## Intended use",
        "",
        f"Predicts `{context['target']}` ({what}) from "
        f"{len(context['features'])} features of one record. The served model is the "
        f"`champion` version of `{context['registered_model']}` in MLflow: the **{champion}**, "
        f"chosen on validation `{context['champion_metric']}`. It is a demonstration trained "
        f"on {sum(context['rows'].values())} rows; check the limitations below before "
        "relying on it for decisions.",
        "",
        "## Data",
        "",
        f"- Source: `{context['source']}`",
        "- Rows: " + ", ".join(f"{split} {n}" for split, n in context["rows"].items()),
        "- Trained on: "
        + ", ".join(
            f"{name} {run['train_rows']} rows"
            + f" ({sample}: `baseline.max_rows`)" * (run["train_rows"] < train_rows)
            for name, run in context["runs"].items()
        ),
        balance,
        "- Missing values: "
        + (", ".join(f"`{col}` {n}" for col, n in context["missing"].items() if n) or "none"),
        "",
        "## Metrics (test split)",
        "",
        metrics_table(summary),
        "",
        f"Intervals are 95% bootstrap percentile intervals of `{main}` over "
        f"{context['bootstrap']} resamples of the test rows.",
        "",
        "## Slices",
        "",
    ]
    for name, scores in summary["models"].items():
        for column, result in scores["slices"].items():
            groups = ", ".join(
                f"{group} {fmt(g['value'])} (n={g['n']}{', too small to trust' * g['small']})"
                for group, g in result["groups"].items()
            )
            lines.append(f"- {name}, `{column}`: {groups}; largest gap {fmt(result['gap'])}")
    if not any(scores["slices"] for scores in summary["models"].values()):
        lines.append("No slices configured (`evaluation.slices` in params.yaml).")
    lines += ["", "## What drives predictions", ""]
    for name, scores in summary["models"].items():
        top = list(scores["importance"].items())[:3]
        lines.append(
            f"- {name}: "
            + ", ".join(f"`{col}` {fmt(value)}" for col, value in top)
            + f" ({IMPORTANCE_MEASURE[summary['task']]} when the column is shuffled)"
        )
    lines += [
        "",
        "## Limitations",
        "",
        f"- The test split has {summary['test_rows']} rows: the interval of `{main}` for the "
        f"champion spans {fmt(best['interval']['low'])} to {fmt(best['interval']['high'])}.",
        f"- Groups with fewer than {context['min_slice_size']} test rows are flagged above; "
        "their scores say little.",
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
        f"- Git commit: `{context['git_commit'] or 'none (not committed yet)'}`",
        f"- Seed: {context['seed']}",
    ]
    for name, run in context["runs"].items():
        params = ", ".join(f"{k}={v}" for k, v in sorted(run["params"].items()))
        lines.append(
            f"- {name}: MLflow run `{run['run_id']}`, registered version {run['version']}; "
            f"params {params}"
        )
    return "\n".join(lines) + "\n"
