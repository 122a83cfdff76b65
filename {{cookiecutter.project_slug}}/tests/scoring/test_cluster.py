import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.scoring.cluster import score_on_cluster
from {{ cookiecutter.module_name }}.scoring.files import score_file
from {{ cookiecutter.module_name }}.scoring.scorer import ScoreError


@pytest.mark.slow
def test_a_local_cluster_scores_as_one_process_does(scorer, table, trained, tmp_path):
    parts = tmp_path / "parts"
    parts.mkdir()
    for i, start in enumerate(range(0, len(table), 20)):
        table.iloc[start : start + 20].to_parquet(parts / f"{i:03}.parquet", index=False)
    single = tmp_path / "single.parquet"
    table.to_parquet(tmp_path / "all.parquet", index=False)
    score_file(scorer, tmp_path / "all.parquet", single, chunk_rows=1000)
    bundle = trained.settings.paths.serving
    rows = score_on_cluster(scorer, bundle, parts, tmp_path / "scored", "local", workers=2)
    assert rows == len(table)
    found = pd.read_parquet(tmp_path / "scored").sort_values("row_id", ignore_index=True)
    pd.testing.assert_frame_equal(found, pd.read_parquet(single), check_dtype=False)
    with pytest.raises(ScoreError, match="already exists"):
        score_on_cluster(scorer, bundle, parts, tmp_path / "scored", "local", workers=2)
