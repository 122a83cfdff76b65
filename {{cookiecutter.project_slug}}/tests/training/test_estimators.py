"""The MLP behind scikit-learn's API: it learns, it is seeded, it stops early, it saves."""

import numpy as np
import pytest
import skops.io
import torch

from {{ cookiecutter.module_name }}.evaluation.metrics import majority_rate
from {{ cookiecutter.module_name }}.features import build_preprocessor
from {{ cookiecutter.module_name }}.models.mlp import MLP
from {{ cookiecutter.module_name }}.training.estimators import SKOPS_TRUSTED_TYPES, MLPClassifier


@pytest.fixture(scope="module")
def features(prepared):
    preprocess = build_preprocessor(prepared.schema).fit(prepared.X["train"])
    return {name: preprocess.transform(X) for name, X in prepared.X.items()}


def fit_mlp(base_settings, features, prepared, **overrides):
    mlp = MLPClassifier.from_settings(base_settings.torch, base_settings.seed)
    mlp.set_params(progress=False, **overrides)
    return mlp.fit(features["train"], prepared.y["train"], features["val"], prepared.y["val"])


@pytest.fixture(scope="module")
def mlp(base_settings, features, prepared):
    return fit_mlp(base_settings, features, prepared)


def test_mlp_loss_goes_down(mlp):
    losses = [epoch["train_loss"] for epoch in mlp.history_]
    assert losses[-1] < 0.5 * losses[0]


def test_mlp_beats_the_majority_class_clearly(mlp, features, prepared):
    floor = majority_rate(prepared.y["val"])
    assert mlp.score(features["val"], prepared.y["val"]) >= floor + 0.5 * (1 - floor)


def test_mlp_probabilities_are_distributions(mlp, features):
    proba = mlp.predict_proba(features["test"])
    assert proba.shape == (len(features["test"]), len(mlp.classes_))
    assert np.allclose(proba.sum(axis=1), 1)


def test_same_seed_same_model(base_settings, features, prepared, mlp):
    again = fit_mlp(base_settings, features, prepared)
    assert again.history_ == mlp.history_
    assert np.array_equal(
        again.predict_proba(features["test"]), mlp.predict_proba(features["test"])
    )


def test_other_seed_other_model(base_settings, features, prepared, mlp):
    other = fit_mlp(base_settings, features, prepared, seed=base_settings.seed + 1, epochs=3)
    assert not np.array_equal(
        other.predict_proba(features["test"]), mlp.predict_proba(features["test"])
    )


def test_early_stopping_keeps_the_best_epoch(base_settings, features, prepared):
    mlp = fit_mlp(base_settings, features, prepared, patience=2, epochs=500)
    assert len(mlp.history_) < 500
    best = min(mlp.history_, key=lambda epoch: epoch["val_loss"])
    assert mlp.best_epoch_ == best["epoch"]


def test_checkpoint_carries_its_config(base_settings, features, prepared, tmp_path):
    path = tmp_path / "mlp.pt"
    mlp = fit_mlp(base_settings, features, prepared, checkpoint=str(path), epochs=20)
    checkpoint = torch.load(path, weights_only=True)
    config = checkpoint["config"]
    assert config["classes"] == mlp.classes_.tolist()
    assert checkpoint["epoch"] == mlp.best_epoch_
    net = MLP(
        config["n_features"], config["hidden_sizes"], len(config["classes"]), config["dropout"]
    )
    net.load_state_dict(checkpoint["state_dict"])
    X = torch.as_tensor(features["test"], dtype=torch.float32)
    assert torch.allclose(net.eval()(X), mlp.network()(X))


def test_pipelines_save_with_skops_and_no_other_types(base_settings, prepared, mlp):
    from sklearn.pipeline import Pipeline

    preprocess = build_preprocessor(prepared.schema).fit(prepared.X["train"])
    pipeline = Pipeline([("preprocess", preprocess), ("model", mlp)])
    blob = skops.io.dumps(pipeline)
    assert set(skops.io.get_untrusted_types(data=blob)) <= set(SKOPS_TRUSTED_TYPES)
    loaded = skops.io.loads(blob, trusted=SKOPS_TRUSTED_TYPES)
    test = prepared.X["test"]
    assert np.array_equal(loaded.predict_proba(test), pipeline.predict_proba(test))


def test_balanced_class_weights_raise_the_rare_class_probability():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 3)).astype(np.float32)
    y = np.where(X[:, 0] + rng.normal(0, 1.5, 600) > 2.5, "rare", "common")
    rare_probability = {}
    for weights in (None, "balanced"):
        mlp = MLPClassifier(epochs=30, patience=30, progress=False, class_weight=weights)
        mlp.fit(X[:500], y[:500], X[500:], y[500:])
        rare = list(mlp.classes_).index("rare")
        rare_probability[weights] = mlp.predict_proba(X)[:, rare].mean()
    assert rare_probability["balanced"] > 2 * rare_probability[None]
