"""The README's results table: exactly the metrics, the floor, links that exist."""

import re

import pytest
from markdown_it import MarkdownIt  # rich's Markdown parser

from {{ cookiecutter.module_name }}.report.tables import END, START, _row, code, fmt, update_readme
from {{ cookiecutter.module_name }}.tasks import TASKS


def test_readme_table_shows_exactly_the_metrics(trained, summary, table_rows):
    readme = trained.settings.paths.readme.read_text()
    section = readme[readme.index(START) : readme.index(END)]
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


@pytest.mark.parametrize(
    "name", ["<img src=x onerror=alert(1)>", "a`b", "`x`", "**bold** [link](http://x)", " ", " a "]
)
def test_a_name_from_the_table_renders_as_itself(name):
    rendered = MarkdownIt("commonmark").render(f"class {code(name)} here")
    [inside] = re.findall(r"<code>(.*?)</code>", rendered)
    assert inside.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"') == name
    assert "<img" not in rendered


def test_a_pipe_in_a_cell_stays_in_its_cell():
    table = "\n".join([_row(["model", "group"]), "| --- | --- |", _row(["x", code("a|b")])])
    rendered = MarkdownIt("commonmark").enable("table").render(table)
    assert rendered.count("<td>") == 2
    assert "<code>a|b</code>" in rendered
