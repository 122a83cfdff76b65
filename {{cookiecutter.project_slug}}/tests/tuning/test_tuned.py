"""tuned.yaml: read back as written, refused when it can't be used, naming file and key."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.fits import Fit
from {{ cookiecutter.module_name }}.tuning.tuned import (
    Tuned,
    TunedCandidate,
    TunedFit,
    TuningError,
    read_tuned,
    rows_key,
    with_values,
    write_tuned,
)

FOUND = TunedCandidate(
    metric="val_log_loss",
    rows="abc",
    space={"lr": "0.0003 to 0.03 (log scale)", "hidden_sizes": "[32] or [64, 32]"},
    fits={
        "fold1": TunedFit(params={"lr": 0.01, "hidden_sizes": [32]}, score=0.2, trials=4),
        "all": TunedFit(params={"lr": 0.002, "hidden_sizes": [64, 32]}, score=0.1, trials=4),
    },
)


def test_no_file_and_an_empty_one_mean_nothing_tuned(tmp_path):
    assert read_tuned(tmp_path / "tuned.yaml") == Tuned()
    (tmp_path / "tuned.yaml").write_text("# a comment only\n{}\n")
    assert read_tuned(tmp_path / "tuned.yaml").of("mlp") is None


def test_what_is_written_reads_back_the_same(tmp_path):
    path = tmp_path / "tuned.yaml"
    write_tuned(path, Tuned(mlp=FOUND))
    assert path.read_text().startswith("# Written by `make tune`")
    found = read_tuned(path)
    assert found.of("mlp") == FOUND
    assert found.of("baseline") is None
    assert FOUND.registered.params == {"lr": 0.002, "hidden_sizes": [64, 32]}  # the last fit


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("mlp: [unclosed", ["tuned.yaml", "not valid YAML"]),
        ("forest: {}", ["tuned.yaml", "forest"]),
        ("mlp: {metric: m, rows: r, space: {}, fits: {all: {score: 1}}}", ["mlp.fits.all"]),
    ],
)
def test_a_broken_file_is_refused_naming_it(tmp_path, text, names):
    (tmp_path / "tuned.yaml").write_text(text)
    with pytest.raises(TuningError) as error:
        read_tuned(tmp_path / "tuned.yaml")
    for name in names:
        assert name in str(error.value)


def test_each_fit_trains_with_its_own_values(settings):
    fold = FOUND.settings_for(settings, "mlp", "fold1")
    final = FOUND.settings_for(settings, "mlp", "all")
    assert (fold.torch.lr, fold.torch.hidden_sizes) == (0.01, [32])
    assert (final.torch.lr, final.torch.hidden_sizes) == (0.002, [64, 32])
    assert final.torch.epochs == settings.torch.epochs  # what the search left alone
    assert final.baseline == settings.baseline


def test_values_for_another_selection_or_other_rows_are_refused(settings):
    with pytest.raises(TuningError, match=r"fit 'fold3'.*make tune"):
        FOUND.settings_for(settings, "mlp", "fold3")
    FOUND.check_rows("mlp", "abc")
    with pytest.raises(TuningError, match=r"tuned.yaml: mlp was tuned on other rows"):
        FOUND.check_rows("mlp", "abd")


def test_a_tuned_value_that_params_would_refuse_is_refused(settings):
    with pytest.raises(TuningError, match=r"tuned.yaml: mlp"):
        with_values(settings, "mlp", {"dropout": 2.0})


def test_the_rows_key_changes_with_any_row_or_fold():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": ["x", "y", "x", "y"]})
    y = np.array(["p", "q", "p", "q"])
    fits = [
        Fit("fold1", np.array([0, 1]), np.array([2, 3])),
        Fit("all", np.arange(4), np.arange(0)),
    ]
    key = rows_key(X, y, fits)
    assert rows_key(X.copy(), y.copy(), fits) == key
    assert rows_key(X.assign(a=[1.0, 2.0, 3.0, 5.0]), y, fits) != key
    assert rows_key(X, y[::-1], fits) != key
    other = [Fit("fold1", np.array([0, 2]), np.array([1, 3])), fits[1]]
    assert rows_key(X, y, other) != key
