"""SHAP contributions of the served graph's answers: they add up, and they follow shap."""

import numpy as np
import pytest

from {{ cookiecutter.module_name }}.bundle import load_bundle
from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.explain.shapley import Explainer, read_background

# Enough rows to hold every test row of a small table, few enough to keep the test quick.
MOST_ROWS = 300


@pytest.fixture(scope="module")
def served(trained):
    bundle = load_bundle(trained.settings.paths.serving)
    return bundle.model, read_background(bundle), trained.settings.explain


@pytest.fixture(scope="module")
def test_rows(trained):
    """Test rows in feature order, as the server passes them to the graph."""
    splits, schema = load_splits(trained.settings.paths.processed)
    test = splits["test"]
    test = test.sample(min(MOST_ROWS, len(test)), random_state=0)
    rows = test[schema.names].astype(object)
    return rows.where(rows.notna(), None).to_numpy().tolist()


def answered(model, row):
    """The class the graph answers for `row` (its column index), or None for a value."""
    output, chosen = model.decide([row])
    if not model.classes:
        return None
    return int(output[0].argmax() if chosen is None else chosen[0])


def graph_output(model, row, index):
    output = model.predict([row])[0]
    return float(output if index is None else output[index])


def test_the_bundle_ships_the_background(served, trained):
    _, background, cfg = served
    train_rows = len(load_splits(trained.settings.paths.processed)[0]["train"])
    assert len(background) == min(cfg.background_rows, train_rows)


def test_contributions_add_up_to_each_test_rows_answer(served, test_rows):
    model, background, cfg = served
    explainer = Explainer(model, background, cfg)
    for row in test_rows:
        index = answered(model, row)
        found = explainer.explain_answer(row)
        assert found.output == index
        assert found.value == pytest.approx(graph_output(model, row, index), abs=1e-5)
        assert found.base_value + found.contributions.sum() == pytest.approx(found.value, abs=1e-3)


def test_the_base_value_is_the_mean_answer_over_the_background(served, test_rows):
    model, background, cfg = served
    index = answered(model, test_rows[0])
    found = Explainer(model, background, cfg).explain_answer(test_rows[0])
    assert found.output == index
    mean = model.predict(background).mean(axis=0)
    assert found.base_value == pytest.approx(float(mean if index is None else mean[index]), 1e-4)


def test_an_input_that_matches_every_background_row_moves_nothing(served, test_rows):
    model, background, cfg = served
    row = test_rows[0]
    same = [[row[0], *b[1:]] for b in background]  # the background takes the row's first input
    found = Explainer(model, same, cfg).explain_answer(row)
    assert found.contributions[0] == pytest.approx(0.0, abs=1e-6)


def test_the_sampling_explainer_adds_up_too_and_agrees_with_the_exact_one(served, test_rows):
    model, background, cfg = served
    if len(model.schema.features) > cfg.exact_up_to:
        pytest.skip("too many features to enumerate every coalition: nothing exact to compare")
    exact = Explainer(model, background, cfg)
    sampled = Explainer(model, background, cfg.model_copy(update={"exact_up_to": 1}))
    assert exact.exact
    assert not sampled.exact
    for row in test_rows[:5]:
        one, other = exact.explain_answer(row), sampled.explain_answer(row)
        assert other.base_value + other.contributions.sum() == pytest.approx(other.value, abs=1e-3)
        # Permutations estimate the split; with this budget they land near the exact values.
        spread = np.abs(one.contributions).sum() + 1e-9
        assert np.abs(one.contributions - other.contributions).sum() / spread < 0.5


def test_an_unknown_category_is_named(served):
    model, background, cfg = served
    schema = model.schema
    categorical = [i for i, f in enumerate(schema.features) if f.kind == "categorical"]
    if not categorical:
        pytest.skip("no categorical feature")
    row = list(background[0])
    row[categorical[0]] = "no such category"
    explainer = Explainer(model, background, cfg)
    assert explainer.knows(background[0])
    assert not explainer.knows(row)  # the explain stage leaves such test rows out
    with pytest.raises(ValueError, match=schema.names[categorical[0]]):
        explainer.explain_answer(row)
