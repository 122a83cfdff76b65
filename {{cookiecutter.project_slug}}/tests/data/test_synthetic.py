"""The synthetic source: deterministic, shaped by params.yaml, learnable, runs the pipeline."""

import hashlib
import json
from pathlib import Path

import mlflow
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from {{ cookiecutter.module_name }}.config import SettingsError, load_settings
from {{ cookiecutter.module_name }}.data import synthetic
from {{ cookiecutter.module_name }}.data.synthetic import TARGET, column_names, generate
from {{ cookiecutter.module_name }}.sections import SyntheticSettings

ROOT = Path(__file__).resolve().parents[2]


SMALL = SyntheticSettings(rows=3000, numeric_features=5, categorical_features=2, classes=3)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_settings_same_bytes_other_seed_other_table(tmp_path):
    first = generate(SMALL, tmp_path / "a.parquet")
    again = generate(SMALL, tmp_path / "b.parquet")
    other = generate(SMALL.model_copy(update={"seed": 1}), tmp_path / "c.parquet")
    assert digest(first) == digest(again)
    assert digest(first) != digest(other)


def test_columns_types_classes_and_missing_values_follow_the_settings(tmp_path, monkeypatch):
    monkeypatch.setattr(synthetic, "CHUNK_ROWS", 1000)  # several chunks, the last one short
    cfg = SMALL.model_copy(update={"rows": 2500, "classes": 4})
    table = pq.read_table(generate(cfg, tmp_path / "t.parquet"))
    df = table.to_pandas()
    numeric, categorical = column_names(cfg)
    assert list(df.columns) == [*numeric, *categorical, TARGET]
    assert len(df) == 2500
    assert all(str(table.schema.field(name).type) == "float" for name in numeric)
    assert set(df[categorical[0]].dropna()) == {f"v{i}" for i in range(synthetic.LEVELS)}
    assert set(df[TARGET]) == {f"class_{i}" for i in range(4)}
    missing = df[[*numeric, *categorical]].isna().mean()
    assert missing.between(0.005, 0.05).all()
    assert df[TARGET].notna().all()


def test_a_table_without_features_is_refused_naming_the_key(tmp_path):
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    params["data"]["synthetic"] = {"numeric_features": 0, "categorical_features": 0}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    with pytest.raises(SettingsError, match=r"data\.synthetic"):
        load_settings(tmp_path / "params.yaml")


@pytest.fixture(scope="module")
def trained_on_synthetic(train_with_params, tmp_path_factory):
    """The whole pipeline on a small synthetic table, chosen in a params.yaml copy only."""
    return train_with_params(
        tmp_path_factory.mktemp("synthetic"),
        {
            "data": {"source": "synthetic", "target": TARGET, "synthetic": SMALL.model_dump()},
            "evaluation": {"slices": ["cat_00"], "bootstrap": 100, "importance_repeats": 1},
            "torch": {"epochs": 10},
            "baseline": {"max_rows": 1000},
        },
    )


@pytest.mark.slow
def test_both_models_learn_the_signal(trained_on_synthetic):
    summary = json.loads((trained_on_synthetic.paths.reports / "metrics.json").read_text())
    for model in summary["models"].values():
        # Learnable but noisy: clearly above the floor, clearly below perfect.
        assert summary["floor"]["accuracy"] + 0.1 < model["test"]["accuracy"] < 0.95
        assert set(model["slices"]) == {"cat_00"}


@pytest.mark.slow
def test_baseline_max_rows_fits_a_stratified_sample_and_says_so(trained_on_synthetic):
    settings = trained_on_synthetic
    train = pd.read_parquet(settings.paths.processed / "train.parquet")
    records = {
        name: json.loads((settings.paths.models / f"{name}.json").read_text())
        for name in ("baseline", "mlp")
    }
    assert records["baseline"]["train_rows"] == 1000 < len(train)
    client = mlflow.MlflowClient(settings.mlflow.tracking_uri)
    assert client.get_run(records["baseline"]["run_id"]).data.params["train_rows"] == "1000"
    # The MLP fits on the training split less the rows that stop it early.
    stop_rows = int(client.get_run(records["mlp"]["run_id"]).data.params["stop_rows"])
    assert records["mlp"]["train_rows"] + stop_rows == len(train)
    card = (settings.paths.reports / "model_card.md").read_text()
    assert "baseline 1000 rows (a stratified sample: `baseline.max_rows`)" in card
    fitted = records["mlp"]["train_rows"]
    assert f"mlp {fitted} rows (and {stop_rows} more held out to stop it early)" in card
