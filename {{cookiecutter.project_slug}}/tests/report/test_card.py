"""The model card: the metrics, slices and runs of this training, and real figures."""

from {{ cookiecutter.module_name }}.explain.summary import ShapSummary
from {{ cookiecutter.module_name }}.report.tables import fmt
from {{ cookiecutter.module_name }}.tasks import TASKS

PNG = b"\x89PNG\r\n\x1a\n"


def test_every_figure_is_a_real_png(trained):
    figures = sorted((trained.settings.paths.reports / "figures").glob("*.png"))
    assert len(figures) >= 6
    for figure in figures:
        data = figure.read_bytes()
        assert data.startswith(PNG), figure
        assert len(data) > 5_000, figure


def test_model_card_holds_the_metrics_slices_and_runs(trained, summary, table_rows):
    card = (trained.settings.paths.reports / "model_card.md").read_text()
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


def test_the_card_gives_the_served_models_shap_values_beside_shuffling(trained):
    reports = trained.settings.paths.reports
    card = (reports / "model_card.md").read_text()
    drivers = card[card.index("## What drives predictions") : card.index("## Limitations")]
    shap = ShapSummary.read(reports / "explain" / "shap.json")
    assert shap is not None
    [line] = [line for line in drivers.splitlines() if line.startswith("- SHAP")]
    assert f"the {shap.model} as served" in line
    for column, value in list(shap.mean_abs.items())[:3]:
        assert f"`{column}` {fmt(value)}" in line
    assert f"over {shap.rows} test rows" in line
    link = line[line.index("](") + 2 : line.index(")", line.index("]("))]
    assert (reports / link).is_file()
    assert "Shuffling a column measures" in drivers
