"""The plain PyTorch loop: an epoch lowers the loss, early stopping keeps the best."""

import torch
from torch import nn

from {{ cookiecutter.module_name }}.training.loop import evaluate, fit, pick_device, train_one_epoch


def toy(n=200, seed=0):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 4, generator=generator)
    y = (X[:, 0] + X[:, 1] > 0).long()
    return X, y


def test_pick_device_defaults_to_an_available_device():
    device = pick_device("auto")
    assert device.type in {"cpu", "cuda", "mps"}
    assert pick_device("cpu") == torch.device("cpu")


def test_train_one_epoch_lowers_the_loss():
    torch.manual_seed(0)
    X, y = toy()
    model = nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    before = evaluate(model, X, y)["loss"]
    for _ in range(5):
        train_one_epoch(model, X, y, optimizer, 32, torch.randperm(len(X)))
    after = evaluate(model, X, y)
    assert after["loss"] < before
    assert after["accuracy"] > 0.9


def test_fit_stops_when_validation_stops_improving():
    torch.manual_seed(0)
    model = nn.Linear(4, 2)
    # Labels that don't depend on X: validation loss can't keep improving.
    X, _ = toy()
    y = torch.randint(0, 2, (len(X),), generator=torch.Generator().manual_seed(1))
    result = fit(
        model,
        (X, y),
        (X[:50], y[:50]),
        epochs=300,
        batch_size=32,
        lr=0.05,
        weight_decay=0.0,
        patience=3,
        seed=0,
        progress=False,
    )
    assert len(result.history) < 300
    assert result.best_val_loss == min(h["val_loss"] for h in result.history)
    assert evaluate(model, X[:50], y[:50])["loss"] == result.best_val_loss


def test_fit_reports_each_epoch():
    seen = []
    X, y = toy()
    fit(
        nn.Linear(4, 2),
        (X, y),
        (X, y),
        epochs=4,
        batch_size=64,
        lr=0.1,
        weight_decay=0.0,
        patience=10,
        seed=0,
        progress=False,
        on_epoch=lambda epoch, m: seen.append(epoch),
    )
    assert seen == [1, 2, 3, 4]
