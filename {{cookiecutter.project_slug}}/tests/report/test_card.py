"""The model card: the metrics, slices and runs of this training, and real figures."""

import json
import re

from {{ cookiecutter.module_name }}.report.tables import fmt
from {{ cookiecutter.module_name }}.tasks import TASKS

PNG = b"\x89PNG\r\n\x1a\n"


def metrics(trained):
    return json.loads((trained.settings.paths.reports / "metrics.json").read_text())


def table_rows(text):
    """The model rows of the first Markdown table in `text`, as lists of cells."""
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    return {
        re.sub(r"[*]|\s*\(champion\)", "", cells[0]): cells[1:]
        for cells in ([c.strip() for c in row.strip("|").split("|")] for row in rows[1:])
    }


def test_every_figure_is_a_real_png(trained):
    figures = sorted((trained.settings.paths.reports / "figures").glob("*.png"))
    assert len(figures) >= 6
    for figure in figures:
        data = figure.read_bytes()
        assert data.startswith(PNG), figure
        assert len(data) > 5_000, figure


def test_model_card_holds_the_metrics_slices_and_runs(trained):
    card = (trained.settings.paths.reports / "model_card.md").read_text()
    summary = metrics(trained)
    rows = table_rows(card[card.index("## Metrics") :])
    columns = TASKS[summary["task"]].metrics
    for name, scores in summary["models"].items():
        assert rows[name][: len(columns)] == [fmt(scores["test"][m]) for m in columns]
        for column, result in scores["slices"].items():
            assert f"{name}, `{column}`" in card
            assert f"largest gap {fmt(result['gap'])}" in card
            for group, values in result["groups"].items():
                assert f"{group} {fmt(values['value'])} (n={values['n']}" in card
    for candidate in trained.promotion.candidates:
        assert candidate.run_id in card
    for heading in (
        "Intended use",
        "Warnings",
        "Data",
        "Slices",
        "Limitations",
        "How to reproduce",
    ):
        assert f"## {heading}" in card
    warnings = card[card.index("## Warnings") : card.index("## Data")]
    for warning in summary["warnings"]:
        assert f"- {warning}" in warnings
    assert summary["warnings"] or "None for these results." in warnings
