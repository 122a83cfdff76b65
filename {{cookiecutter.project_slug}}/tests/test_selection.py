"""The champion's scores come from rows that the candidate neither fitted nor stopped on."""

import numpy as np
import pytest

from {{ cookiecutter.module_name }} import selection
from {{ cookiecutter.module_name }}.evaluation.metrics import model_output
from {{ cookiecutter.module_name }}.training.candidates import fit_candidate


@pytest.fixture
def quick(penguin_settings):
    torch = penguin_settings.torch.model_copy(update={"epochs": 3})
    return penguin_settings.model_copy(update={"torch": torch})


def spy(monkeypatch):
    """Record the rows each fit sees and the rows each score reads: positions in train + val."""
    seen: dict[str, list[set[int]]] = {"fit": [], "scored": []}

    def fit_spy(name, settings, X, *args, **kwargs):
        seen["fit"].append(set(X.index))
        return fit_candidate(name, settings, X, *args, **kwargs)

    def score_spy(model, X, *args, **kwargs):
        seen["scored"].append(set(X.index))
        return model_output(model, X, *args, **kwargs)

    monkeypatch.setattr(f"{selection.__name__}.fit_candidate", fit_spy)
    monkeypatch.setattr(f"{selection.__name__}.model_output", score_spy)
    return seen


@pytest.mark.parametrize("name", ["baseline", "mlp"])
def test_a_large_table_is_scored_on_the_validation_split_alone(quick, prepared, monkeypatch, name):
    cfg = quick.selection.model_copy(update={"cv_below_rows": 1})
    settings = quick.model_copy(update={"selection": cfg})
    seen = spy(monkeypatch)
    chosen = selection.select(name, settings, prepared.X, prepared.y, prepared.schema, False)
    n_train, n_val = len(prepared.X["train"]), len(prepared.X["val"])
    assert seen["fit"] == [set(range(n_train))]
    assert seen["scored"] == [set(range(n_train, n_train + n_val))]
    assert chosen.method == f"the {len(prepared.X['val'])} rows of the validation split"
    assert set(chosen.scores) == {f"val_{m}" for m in prepared.schema.spec.metrics}


def test_a_small_table_is_cross_validated_on_the_same_folds_for_both(quick, prepared, monkeypatch):
    folds = {}
    for name in ("baseline", "mlp"):
        with monkeypatch.context() as patch:
            seen = spy(patch)
            chosen = selection.select(name, quick, prepared.X, prepared.y, prepared.schema, False)
            *fold_fits, refit = seen["fit"]
            for fit, held in zip(fold_fits, seen["scored"], strict=True):
                assert not fit & held  # scored on rows the fold never fitted on
            rows = len(prepared.X["train"]) + len(prepared.X["val"])
            assert set().union(*seen["scored"]) == set(range(rows))  # every row held out once
            assert len(refit) == rows  # then refit on all of them
            assert chosen.method.startswith(
                f"{quick.selection.folds}-fold cross-validation over the {rows} "
            )
            assert chosen.spread.keys() == chosen.scores.keys()
            folds[name] = seen["scored"]
    assert folds["baseline"] == folds["mlp"]


def test_the_mlp_stops_on_rows_held_out_of_its_fit(quick, prepared):
    X, y = prepared.X["train"], prepared.y["train"]
    fitted = fit_candidate("mlp", quick, X, y, prepared.schema, progress=False, checkpoint=False)
    assert fitted.params["train_rows"] + fitted.params["stop_rows"] == len(X)
    scaler = fitted.pipeline.named_steps["preprocess"].named_transformers_["numeric"][-1]
    assert scaler.n_samples_seen_ == fitted.params["train_rows"]  # fitted without them
    assert np.isclose(fitted.params["stop_rows"] / len(X), quick.selection.stop_share, atol=0.01)
