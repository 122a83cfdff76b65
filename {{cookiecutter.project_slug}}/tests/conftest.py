"""Shared fixtures: the project's own params.yaml, redirected into temporary folders."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
import pytest
import yaml

from {{ cookiecutter.module_name }}.bundle import MODEL_FILE, Manifest, write_bundle
from {{ cookiecutter.module_name }}.config import Settings, load_settings
from {{ cookiecutter.module_name }}.data.sources import load_source
from {{ cookiecutter.module_name }}.data.splits import load_splits
from {{ cookiecutter.module_name }}.features import feature_frame, targets
from {{ cookiecutter.module_name }}.schema import FeatureSchema
from {{ cookiecutter.module_name }}.sections import Paths
from {{ cookiecutter.module_name }}.stages.data import prepare
from {{ cookiecutter.module_name }}.stages.promote import Promotion
from {{ cookiecutter.module_name }}.stages.train_all import train_all

ROOT = Path(__file__).resolve().parents[1]


def rooted(settings: Settings) -> Settings:
    """Make `paths.raw` and a relative file in `data.source` absolute: tests run elsewhere."""
    paths = settings.paths.model_copy(update={"raw": ROOT / settings.paths.raw})
    settings = settings.model_copy(update={"paths": paths})
    source = ROOT / settings.data.source
    if Path(settings.data.source).is_absolute() or not source.is_file():
        return settings
    data = settings.data.model_copy(update={"source": str(source)})
    return settings.model_copy(update={"data": data})


def settings_in(base: Settings, workdir: Path) -> Settings:
    """The same settings, with every file, the tracking store and the studies under `workdir`."""
    mlflow = base.mlflow.model_copy(update={"tracking_uri": f"sqlite:///{workdir}/mlflow.db"})
    tune = base.tune.model_copy(update={"storage": f"sqlite:///{workdir}/optuna.db"})
    paths = Paths(
        raw=base.paths.raw,  # where the project's own tables are
        processed=workdir / "data" / "processed",
        models=workdir / "models",
        onnx=workdir / "models" / "onnx",
        serving=workdir / "models" / "serving",
        reports=workdir / "reports",
        readme=workdir / "README.md",
        tuned=workdir / "tuned.yaml",
    )
    return base.model_copy(update={"mlflow": mlflow, "tune": tune, "paths": paths})


class Trained(NamedTuple):
    settings: Settings
    promotion: Promotion


@pytest.fixture(scope="session", autouse=True)
def _isolated_tracking() -> Iterator[None]:
    """Keep a user's MLFLOW_TRACKING_URI from sending test runs to their real server."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        yield


@pytest.fixture(scope="session")
def base_settings() -> Settings:
    return rooted(load_settings(ROOT / "params.yaml"))


@pytest.fixture(scope="session")
def make_settings(base_settings: Settings) -> Callable[..., Settings]:
    """Return a function that puts settings (the project's by default) under a folder."""
    return lambda workdir, base=None: settings_in(base or base_settings, workdir)


@pytest.fixture
def settings(base_settings: Settings, tmp_path: Path) -> Settings:
    return settings_in(base_settings, tmp_path)


@pytest.fixture(scope="session")
def raw(base_settings: Settings) -> pd.DataFrame:
    return load_source(base_settings.data.source)


@pytest.fixture(scope="session")
def trained(base_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    """Run the real data step and training once, into a temporary project folder."""
    workdir = tmp_path_factory.mktemp("project")
    settings = settings_in(base_settings, workdir)
    settings.paths.readme.write_text((ROOT / "README.md").read_text())
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)  # MLflow keeps artifacts of a new experiment in ./mlruns
        prepare(settings)
        promotion = train_all(settings, progress=False)
    return Trained(settings, promotion)


# The Palmer penguins, for tests that need a known classification table whatever this
# project's own data is.
PENGUINS: dict[str, Any] = {
    "data": {"source": "penguins", "target": "species"},
    "evaluation": {"slices": ["island", "sex"]},
}


def params_in(workdir: Path, changes: dict[str, Any]) -> Settings:
    """Write a copy of params.yaml with some sections changed into `workdir`, and load it.

    A new `data.source` starts with `task: auto` and without the column roles (drop,
    categorical, numeric, slices, sensitive) of the project's table and without a bound on
    disparity, unless `changes` sets them too.
    """
    params = yaml.safe_load((ROOT / "params.yaml").read_text())
    if "source" in changes.get("data", {}):
        params["task"] = "auto"
        params["data"].update(drop=[], categorical=[], numeric=[])
        params["evaluation"]["slices"] = []
        params["fairness"].update(sensitive=[], max_disparity=None)
    for section, values in changes.items():
        if isinstance(values, dict):
            params[section].update(values)
        else:  # a top-level key, such as task
            params[section] = values
    (workdir / "params.yaml").write_text(yaml.safe_dump(params))
    return rooted(load_settings(workdir / "params.yaml"))


@pytest.fixture(scope="session")
def params_copy() -> Callable[[Path, dict[str, Any]], Settings]:
    """Return `params_in`, for tests that write their own params.yaml copy."""
    return params_in


@pytest.fixture
def penguin_settings(tmp_path: Path) -> Settings:
    """Settings for the penguins under a temporary folder, whatever the project's data."""
    return settings_in(params_in(tmp_path, PENGUINS), tmp_path)


@pytest.fixture(scope="session")
def train_with_params(
    make_settings: Callable[..., Settings],
) -> Callable[[Path, dict[str, Any]], Settings]:
    """Return a function that runs the pipeline on a params.yaml copy with some sections changed."""

    def run(workdir: Path, changes: dict[str, Any]) -> Settings:
        settings = make_settings(workdir, params_in(workdir, changes))
        with pytest.MonkeyPatch.context() as patch:
            patch.chdir(workdir)  # MLflow keeps artifacts of a new experiment in ./mlruns
            prepare(settings)
            train_all(settings, progress=False)
        return settings

    return run


class Prepared(NamedTuple):
    X: dict[str, pd.DataFrame]
    y: dict[str, Any]
    schema: FeatureSchema


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """The penguins' processed splits as model inputs, written once by the real data step."""
    workdir = tmp_path_factory.mktemp("data")
    settings = settings_in(params_in(workdir, PENGUINS), workdir)
    prepare(settings)
    splits, schema = load_splits(settings.paths.processed)
    X = {name: feature_frame(schema, frame) for name, frame in splits.items()}
    y = {name: frame[schema.target].to_numpy(dtype=str) for name, frame in splits.items()}
    return Prepared(X, y, schema)


@pytest.fixture
def own_bundle(trained, tmp_path):
    """Settings that serve a private copy of the bundle, which a test may alter."""
    bundle = tmp_path / "serving"
    shutil.copytree(trained.settings.paths.serving, bundle)
    paths = trained.settings.paths.model_copy(update={"serving": bundle})
    return trained.settings.model_copy(update={"paths": paths})


@pytest.fixture(scope="module")
def test_split(trained):
    splits, schema = load_splits(trained.settings.paths.processed)
    test = splits["test"]
    return feature_frame(schema, test), targets(test, schema), schema


@pytest.fixture(scope="session")
def rewrite_bundle() -> Callable[[Path, Manifest], None]:
    """Return a function that writes a bundle again under a changed manifest, files as they were."""

    def rewrite(folder: Path, manifest: Manifest) -> None:
        files = {name: (folder / name).read_bytes() for name in manifest.files}
        write_bundle(folder, (folder / MODEL_FILE).read_bytes(), manifest, files)

    return rewrite
