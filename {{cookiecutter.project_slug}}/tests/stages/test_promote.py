"""The promotion stage: the best validation metric becomes @champion, past its floor."""

import shutil
from dataclasses import replace

import mlflow
import pytest

from {{ cookiecutter.module_name }}.bundle import verify_bundle
from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.fairness.rule import selection_disparity
from {{ cookiecutter.module_name }}.held_out import held_out_rows, load_held_out
from {{ cookiecutter.module_name }}.metric_names import greater_is_better
from {{ cookiecutter.module_name }}.records import CANDIDATES, CHAMPION, StageError, save_candidate
from {{ cookiecutter.module_name }}.stages.export import export_models
from {{ cookiecutter.module_name }}.stages.promote import promote_champion
from {{ cookiecutter.module_name }}.tasks import TASKS


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


def with_copied_models(trained, tmp_path):
    """The trained project's settings, its models folder copied under `tmp_path`."""
    paths = trained.settings.paths
    shutil.copytree(paths.models, tmp_path / "models")
    models = tmp_path / "models"
    copied = paths.model_copy(
        update={"models": models, "onnx": models / "onnx", "serving": models / "serving"}
    )
    return trained.settings.model_copy(update={"paths": copied})


@pytest.fixture
def short_of_floor(trained, tmp_path):
    """The trained project's records, with the loser rigged to win but not beat its floor."""
    settings = with_copied_models(trained, tmp_path)
    models = settings.paths.models
    metric, main = trained.promotion.metric, f"val_{settings.evaluation.main_metric}"
    main = (
        main if main != "val_auto" else f"val_{TASKS[trained.promotion.champion.task].main_metric}"
    )
    loser = next(
        c for c in trained.promotion.candidates if c.version != trained.promotion.champion.version
    )
    best = 1e9 if greater_is_better(metric) else -1e9
    rigged = replace(loser, metrics={**loser.metrics, metric: best})
    score = rigged.metrics[main]
    rigged.floor = score + (0.5 if greater_is_better(main) else -0.5)  # not beaten
    save_candidate(models, rigged)
    return settings, loser


def test_a_winner_short_of_its_floor_leaves_the_previous_champion_served(
    short_of_floor, trained, client
):
    settings, loser = short_of_floor
    previous = trained.promotion.champion.version
    promotion = promote_champion(settings)
    champion = promotion.champion
    assert champion.version == loser.version
    assert not champion.promoted
    assert champion.served == previous
    assert "mlflow.floor_margin" in champion.reason
    alias = client.get_model_version_by_alias(settings.mlflow.registered_model, CHAMPION)
    assert str(alias.version) == previous  # @champion did not move
    assert client.get_run(loser.run_id).data.tags["promoted"] == "false"
    manifest = export_models(settings)
    assert manifest.version == previous  # its bundle, restored from its run
    assert verify_bundle(settings.paths.serving).version == previous


def test_a_winner_past_its_floor_by_the_margin_is_promoted(trained):
    promotion = trained.promotion
    assert promotion.champion.promoted
    assert promotion.champion.served == promotion.champion.version
    assert promotion.champion.floor is not None


@pytest.fixture
def bounded(trained, tmp_path):
    """A copy of the trained project with a bound on disparity across its first category.

    Promoting it may move @champion: the trained project's champion is promoted again after.
    """
    settings = with_copied_models(trained, tmp_path)
    schema = load_splits(settings.paths.processed)[1]
    fairness = settings.fairness.model_copy(
        update={"sensitive": schema.categorical[:1], "max_disparity": 1.0}
    )
    yield settings.model_copy(update={"fairness": fairness}), schema
    promote_champion(trained.settings)


def with_bound(settings, bound):
    return settings.model_copy(
        update={"fairness": settings.fairness.model_copy(update={"max_disparity": bound})}
    )


def test_a_bound_on_disparity_chooses_among_the_candidates_within_it(bounded, trained, client):
    settings, schema = bounded
    if len(schema.classes) != 2 or not schema.categorical:
        with pytest.raises(StageError, match=r"fairness\.max_disparity: "):
            promote_champion(settings)
        return
    splits = load_splits(settings.paths.processed)[0]
    measured = {}
    for c in trained.promotion.candidates:
        held = load_held_out(settings.paths.models, c.name)
        measured[c.name] = selection_disparity(
            held_out_rows(splits, held),
            held,
            schema,
            c.threshold,
            settings.fairness.sensitive,
            settings.fairness.constraint,
        )
    defined = {name: d for name, d in measured.items() if d is not None}
    if len(set(defined.values())) < 2:
        pytest.skip("the candidates' disparities are equal or undefined: nothing to choose")
    fairest = min(defined, key=defined.__getitem__)

    champion = promote_champion(with_bound(settings, defined[fairest])).champion
    assert champion.name == fairest  # the other is over the bound, whatever it scores
    assert f"the {fairest}'s {defined[fairest]:.3f}" in champion.rule
    alias = client.get_model_version_by_alias(settings.mlflow.registered_model, CHAMPION)
    assert str(alias.version) == champion.version

    if defined[fairest] > 0:
        champion = promote_champion(with_bound(settings, defined[fairest] / 2)).champion
        assert champion.name == fairest  # none within it: the smallest, with a warning
        assert champion.reason.startswith("no candidate's")
        assert "fairness.max_disparity" in champion.reason

    unbounded = promote_champion(with_bound(settings, 1.0)).champion
    assert unbounded.name == trained.promotion.champion.name
    assert not unbounded.reason.startswith("no candidate")
