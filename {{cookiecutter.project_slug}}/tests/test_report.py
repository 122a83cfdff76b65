import json
import re

from {{ cookiecutter.module_name }}.report import END, START, TABLE_METRICS, fmt, update_readme

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


def test_readme_table_shows_exactly_the_metrics(trained):
    readme = trained.settings.paths.readme.read_text()
    section = readme[readme.index(START) : readme.index(END)]
    summary = metrics(trained)
    rows = table_rows(section)
    columns = TABLE_METRICS[summary["task"]]
    for name, scores in summary["models"].items():
        expected = [fmt(scores["test"][m]) for m in columns]
        interval = f"{fmt(scores['interval']['low'])} to {fmt(scores['interval']['high'])}"
        assert rows[name] == [*expected, interval]
    if summary["task"] == "regression":
        floor = [fmt(summary["mean_predictor"][m]) for m in columns]
        assert rows["mean predictor"][: len(columns)] == floor
    else:
        assert rows["majority class"][0] == fmt(summary["majority_rate"])
    for link in re.findall(r"\((reports/figures/[^)]+)\)", section):
        assert (trained.settings.paths.reports.parent / link).is_file(), link


def test_model_card_holds_the_metrics_slices_and_runs(trained):
    card = (trained.settings.paths.reports / "model_card.md").read_text()
    summary = metrics(trained)
    rows = table_rows(card[card.index("## Metrics") :])
    columns = TABLE_METRICS[summary["task"]]
    for name, scores in summary["models"].items():
        assert rows[name][: len(columns)] == [fmt(scores["test"][m]) for m in columns]
        for column, result in scores["slices"].items():
            assert f"{name}, `{column}`" in card
            assert f"largest gap {fmt(result['gap'])}" in card
            for group, values in result["groups"].items():
                assert f"{group} {fmt(values['value'])} (n={values['n']}" in card
    for candidate in trained.promotion.candidates:
        assert candidate.run_id in card
    for heading in ("Intended use", "Data", "Slices", "Limitations", "How to reproduce"):
        assert f"## {heading}" in card


def test_readme_without_markers_is_left_alone(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Mine\n")
    assert not update_readme(readme, "table")
    assert readme.read_text() == "# Mine\n"
