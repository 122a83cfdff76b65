"""The `tune` section: a search space that can't work is refused at load, naming the key."""

import pytest

from {{ cookiecutter.module_name }}.config import SettingsError
from {{ cookiecutter.module_name }}.search_space import Choices, Range, TuneSettings


def test_the_default_space_searches_both_candidates(base_settings):
    tune = base_settings.tune
    assert {"C", "alpha"} <= set(tune.space("baseline"))
    assert {"lr", "hidden_sizes", "dropout"} <= set(tune.space("mlp"))
    assert tune.trials > 0


@pytest.mark.parametrize(
    ("space", "names"),
    [
        ({"mlp": {"dropuot": {"low": 0.0, "high": 0.5}}}, ["mlp.dropuot", "dropout"]),
        ({"mlp": {"dropout": {"low": 0.0, "high": 1.5}}}, ["mlp.dropout", "1.5"]),
        ({"mlp": {"lr": {"low": 0.01, "high": 0.001}}}, ["tune.mlp.lr", "below high"]),
        ({"mlp": {"lr": {"low": 0.0, "high": 0.1, "log": True}}}, ["tune.mlp.lr", "log scale"]),
        ({"mlp": {"batch_size": {"low": 16.5, "high": 64}}}, ["mlp.batch_size", "16.5"]),
        ({"mlp": {"batch_size": {"choices": []}}}, ["tune.mlp.batch_size", "choices"]),
        ({"mlp": {"hidden_sizes": {"low": 8, "high": 64}}}, ["mlp.hidden_sizes", "list"]),
        ({"baseline": {"C": {"choices": [1.0, -1.0]}}}, ["baseline.C", "-1.0"]),
        ({"trials": 0}, ["tune.trials"]),
    ],
)
def test_a_bad_search_space_is_refused_naming_the_key(tmp_path, params_copy, space, names):
    with pytest.raises(SettingsError) as error:
        params_copy(tmp_path, {"tune": space})
    for name in names:
        assert name in str(error.value)


def test_dimensions_say_what_they_search():
    assert Range(low=0.001, high=100, log=True).words() == "0.001 to 100 (log scale)"
    assert Choices(choices=[[32], [64, 32]]).words() == "[32] or [64, 32]"


def test_a_space_may_be_narrowed_to_one_key():
    tune = TuneSettings.model_validate({"mlp": {"lr": {"low": 0.001, "high": 0.01}}})
    assert list(tune.space("mlp")) == ["lr"]
    assert tune.space("baseline")  # the default's, untouched
