"""The metrics table of the card and the README, and the README's results section."""

from __future__ import annotations

import re
from pathlib import Path

from ..evaluation.summary import Summary
from ..files import write_atomic
from ..tasks import TASKS

START, END = "<!-- results:start -->", "<!-- results:end -->"


def fmt(value: float | None) -> str:
    """Format a metric the one way the card, the README and the tests expect."""
    return "n/a" if value is None else f"{value:.4f}"


def code(text: object) -> str:
    """Write `text` as a Markdown code span: HTML or Markdown in a name stays text.

    Class, column and group names come from the user's table; the fence is longer than any
    run of backticks in them.
    """
    text = str(text).replace("\n", " ")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    # CommonMark strips one space from each end when both ends have one, unless all are.
    ends = text[:1] + text[-1:]
    pad = " " if "`" in ends or (ends == "  " and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _row(cells: list[str]) -> str:
    # A pipe in a cell, even in a code span, would split it.
    return "|" + "|".join(f" {c.replace('|', chr(92) + '|')} " if c else " " for c in cells) + "|"


def metrics_table(summary: Summary) -> str:
    """Markdown table of both models' test metrics, the main metric's interval, the floor."""
    spec, main = TASKS[summary.task], summary.main_metric
    header = ["model", *spec.metrics, f"{main} 95% CI"]
    rows = [_row(header), "|" + " --- |" * len(header)]
    for name, scores in summary.models.items():
        label = f"**{name}** (champion)" if name == summary.champion else name
        cells = [fmt(scores.test[m]) for m in spec.metrics]
        interval = f"{fmt(scores.interval.low)} to {fmt(scores.interval.high)}"
        rows.append(_row([label, *cells, interval]))
    rows.append(_row([spec.floor_name, *(fmt(summary.floor[m]) for m in spec.metrics), ""]))
    return "\n".join(rows)


def results_table(summary: Summary, tuning: list[str]) -> str:
    """Write the README's results section: the metrics table, the hyperparameters, figures."""
    spec = TASKS[summary.task]
    links = ", ".join(
        f"[{kind} {name}](reports/figures/{kind}_{name}.png)"
        for name in summary.models
        for kind in spec.linked_figures
    )
    return "\n\n".join(
        [
            f"Test split, {summary.test_rows} rows; {spec.floor_words}.",
            metrics_table(summary),
            "Hyperparameters:\n\n" + "\n".join(tuning),
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
    write_atomic(readme, pattern.sub(lambda _: f"{START}\n{table}\n{END}", text))
    return True
