"""The promotion stage: the best validation metric becomes @champion."""

import mlflow
import pytest

from {{ cookiecutter.module_name }}.records import CANDIDATES, CHAMPION, StageError
from {{ cookiecutter.module_name }}.stages.promote import promote_champion
from {{ cookiecutter.module_name }}.tasks import greater_is_better


@pytest.fixture
def client(trained):
    return mlflow.MlflowClient(trained.settings.mlflow.tracking_uri)


def test_both_versions_registered_and_champion_is_the_best(trained, client):
    settings, promotion = trained.settings, trained.promotion
    versions = client.search_model_versions(f"name='{settings.mlflow.registered_model}'")
    assert len(versions) == len(CANDIDATES)
    scores = {c.version: c.metrics[promotion.metric] for c in promotion.candidates}
    best = (max if greater_is_better(promotion.metric) else min)(scores, key=scores.__getitem__)
    champion = client.get_model_version_by_alias(settings.mlflow.registered_model, CHAMPION)
    assert str(champion.version) == best == promotion.champion.version


def test_promote_before_training_says_what_to_do(settings):
    with pytest.raises(StageError, match="make train"):
        promote_champion(settings)
