"""`score`: a file in, the answers out; bad input is one line and exit 1."""

import pandas as pd
from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli import app
from {{ cookiecutter.module_name }}.data.splits import load_splits

runner = CliRunner()


def test_score_writes_the_answers_and_says_how_many(trained, tmp_path):
    splits, schema = load_splits(trained.settings.paths.processed)
    source, target = tmp_path / "rows.csv", tmp_path / "scored.parquet"
    splits["test"][schema.names].to_csv(source, index=False)
    bundle = str(trained.settings.paths.serving)
    result = runner.invoke(
        app, ["score", str(source), str(target), "--bundle", bundle, "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert f"scored {len(splits['test']):,} rows" in result.output
    assert len(pd.read_parquet(target)) == len(splits["test"])


def test_score_refuses_bad_input_in_one_line(trained, tmp_path):
    source = tmp_path / "rows.csv"
    source.write_text("not,the,columns\n1,2,3\n")
    bundle = str(trained.settings.paths.serving)
    out = str(tmp_path / "scored.parquet")
    result = runner.invoke(app, ["score", str(source), out, "--bundle", bundle, "--no-progress"])
    assert result.exit_code == 1
    assert "missing" in result.output
    assert "Traceback" not in result.output
