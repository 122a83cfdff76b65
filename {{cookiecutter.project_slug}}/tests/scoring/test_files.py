import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.features import rows_of
from {{ cookiecutter.module_name }}.scoring.files import score_file
from {{ cookiecutter.module_name }}.scoring.scorer import ScoreError


def expected(scorer, table):
    """What the API answers for the same rows: the graph's decision on rows in feature order."""
    output, chosen = scorer.model.decide(rows_of(table[scorer.features]))
    return scorer.model.schema.spec.scored(output, chosen, scorer.model.classes)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_file_comes_back_with_its_answers_in_order(scorer, table, tmp_path, suffix):
    source = tmp_path / f"rows{suffix}"
    if suffix == ".csv":
        table.to_csv(source, index=False)
    else:
        table.to_parquet(source, index=False)
    target = tmp_path / "scored.parquet"
    assert score_file(scorer, source, target, chunk_rows=7) == len(table)
    scored = pd.read_parquet(target)
    assert scored.columns.tolist() == [*table.columns, *scorer.outputs()]
    assert scored["row_id"].tolist() == table["row_id"].tolist()  # passed through, in order
    for name, values in expected(scorer, table).items():
        if values.dtype == object:
            assert scored[name].tolist() == values.tolist()
        else:
            np.testing.assert_allclose(scored[name].to_numpy(), values, rtol=1e-6, atol=1e-6)


def test_chunks_do_not_change_the_answers(scorer, table, tmp_path):
    source = tmp_path / "rows.parquet"
    table.to_parquet(source, index=False)
    score_file(scorer, source, tmp_path / "small.parquet", chunk_rows=3)
    score_file(scorer, source, tmp_path / "whole.parquet", chunk_rows=len(table))
    small, whole = (pd.read_parquet(tmp_path / f"{n}.parquet") for n in ("small", "whole"))
    pd.testing.assert_frame_equal(small, whole)


def test_a_bad_row_refuses_the_file_naming_column_and_row(scorer, table, tmp_path):
    numeric = scorer.model.schema.numeric[0]
    bad = table.copy()
    bad[numeric] = bad[numeric].astype(float)
    bad.loc[len(bad) - 2, numeric] = 1e300  # the row before last, in the last chunk
    source, target = tmp_path / "bad.csv", tmp_path / "scored.parquet"
    bad.to_csv(source, index=False)
    target.write_bytes(b"an older result")
    with pytest.raises(ScoreError) as raised:
        score_file(scorer, source, target, chunk_rows=5)
    assert f"{numeric}, row {len(bad) - 1}:" in str(raised.value)
    assert "nothing written" in str(raised.value)
    assert target.read_bytes() == b"an older result"  # never half-written, nor lost
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "scored.parquet"]


def test_a_missing_feature_and_a_clashing_column_are_named(scorer, table, tmp_path):
    first = scorer.features[0]
    source = tmp_path / "rows.parquet"
    table.drop(columns=[first]).to_parquet(source, index=False)
    with pytest.raises(ScoreError, match=f"{first}: missing"):
        score_file(scorer, source, tmp_path / "out.parquet", chunk_rows=100)
    table.assign(prediction=1).to_parquet(source, index=False)
    with pytest.raises(ScoreError, match="'prediction'"):
        score_file(scorer, source, tmp_path / "out.parquet", chunk_rows=100)
    assert not (tmp_path / "out.parquet").exists()


@pytest.mark.parametrize(
    ("source", "target", "culprit", "says"),
    [
        ("rows.xlsx", "out.parquet", "rows.xlsx", "score reads .csv or .parquet files"),
        ("absent.csv", "out.parquet", "absent.csv", "file not found"),
        ("rows.csv", "out.csv", "out.csv", "the output is Parquet; name it *.parquet"),
    ],
)
def test_bad_paths_are_named(scorer, tmp_path, source, target, culprit, says):
    (tmp_path / "rows.csv").write_text("a\n1\n")
    (tmp_path / "rows.xlsx").write_text("")
    with pytest.raises(ScoreError) as raised:
        score_file(scorer, tmp_path / source, tmp_path / target, chunk_rows=10)
    assert str(raised.value) == f"{tmp_path / culprit}: {says}"
