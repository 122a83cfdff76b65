"""The README's results table: exactly the metrics, the floor, links that exist."""

import json
import re

from {{ cookiecutter.module_name }}.report.tables import END, START, fmt, update_readme
from {{ cookiecutter.module_name }}.tasks import TASKS


def metrics(trained):
    return json.loads((trained.settings.paths.reports / "metrics.json").read_text())


def table_rows(text):
    """The model rows of the first Markdown table in `text`, as lists of cells."""
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    return {
        re.sub(r"[*]|\s*\(champion\)", "", cells[0]): cells[1:]
        for cells in ([c.strip() for c in row.strip("|").split("|")] for row in rows[1:])
    }


def test_readme_table_shows_exactly_the_metrics(trained):
    readme = trained.settings.paths.readme.read_text()
    section = readme[readme.index(START) : readme.index(END)]
    summary = metrics(trained)
    rows = table_rows(section)
    columns = TASKS[summary["task"]].metrics
    for name, scores in summary["models"].items():
        expected = [fmt(scores["test"][m]) for m in columns]
        interval = f"{fmt(scores['interval']['low'])} to {fmt(scores['interval']['high'])}"
        assert rows[name] == [*expected, interval]
    floor_row = rows[TASKS[summary["task"]].floor_name]
    assert floor_row == [*(fmt(summary["floor"][m]) for m in columns), ""]
    for link in re.findall(r"\((reports/figures/[^)]+)\)", section):
        assert (trained.settings.paths.reports.parent / link).is_file(), link


def test_readme_without_markers_is_left_alone(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Mine\n")
    assert not update_readme(readme, "table")
    assert readme.read_text() == "# Mine\n"
