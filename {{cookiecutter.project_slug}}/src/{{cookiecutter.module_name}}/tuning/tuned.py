"""What `make tune` found, in tuned.yaml: each candidate's values for each of its fits.

The training stages read it: each fit (`fits.Fit.key`) trains with the values searched on
its own rows, in place of params.yaml's. The file also says which rows were searched, so
that values found on other data are refused rather than used; `{}` means nothing is tuned.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ..config import Settings
from ..files import write_atomic
from ..fits import Fit
from ..records import CandidateName
from ..search_space import SECTIONS

HEADER = """\
# Written by `make tune`: the values its searches found, which `make train` uses in place
# of params.yaml's, fit by fit (the training split's; or each fold's, then all rows').
# Replace everything below with {} to train with params.yaml's values again.
"""


class TuningError(ValueError):
    """Raised when tuned.yaml can't be used, or a search finds nothing; names file or key."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TunedFit(_Record):
    """The best trial of one search: its values, its score, and the trials behind it."""

    params: dict[str, Any]  # the best trial's: keys of the candidate's section of params.yaml
    score: float  # on the rows the fit held out to stop early, which no trial fitted on
    trials: int  # finished, over every `make tune` so far
    pruned: int = 0  # of those, stopped early by the pruner


class TunedCandidate(_Record):
    """One candidate's searches: what they scored, on which rows, over what, and the best."""

    metric: str  # the champion metric, as each trial scored it
    rows: str  # `rows_key` of the train + validation rows searched
    space: dict[str, str]  # each key searched, and over what, in words
    fits: dict[str, TunedFit]  # by `fits.Fit.key`, the registered fit last

    @property
    def registered(self) -> TunedFit:
        """The search of the fit that is registered: the training split's, or all rows'."""
        return list(self.fits.values())[-1]

    def settings_for(self, settings: Settings, name: CandidateName, key: str) -> Settings:
        """Return `settings` with the values that fit `key` was tuned to."""
        if key not in self.fits:
            raise TuningError(
                f"tuned.yaml: {name} has no values for fit {key!r} (tuned for "
                f"{', '.join(self.fits)}): `selection` changed since; run `make tune` again"
            )
        return with_values(settings, name, self.fits[key].params)

    def check_rows(self, name: CandidateName, rows: str) -> None:
        """Refuse values searched on other training and validation rows than these."""
        if rows != self.rows:
            raise TuningError(
                f"tuned.yaml: {name} was tuned on other rows than data/processed holds now: "
                "run `make tune` again, or replace the file's contents with {} to train "
                "with params.yaml's values"
            )

    def words(self) -> str:
        """Say what was searched and how, for the card and MLflow."""
        final = self.registered
        space = "; ".join(f"`{key}` over {over}" for key, over in self.space.items())
        nested = len(self.fits) > 1
        how = (
            f"the best of {final.trials} trials on all rows, and each of the "
            f"{len(self.fits) - 1} folds' values searched on its own training rows (nested)"
            if nested
            else f"the best of {final.trials} trials on the training split"
        )
        return f"tuned with Optuna, {how}, by `{self.metric}` on held-out stop rows: {space}"


class Tuned(_Record):
    """The contents of tuned.yaml: a section per candidate that `make tune` searched."""

    baseline: TunedCandidate | None = None
    mlp: TunedCandidate | None = None

    def of(self, name: CandidateName) -> TunedCandidate | None:
        """Return the candidate's searches, or None where it is not tuned."""
        found: TunedCandidate | None = getattr(self, name)
        return found


def with_values(settings: Settings, name: CandidateName, values: dict[str, Any]) -> Settings:
    """Return `settings` with some keys of the candidate's section set; each one checked."""
    section, model = SECTIONS[name]
    try:
        changed = model.model_validate({**getattr(settings, section).model_dump(), **values})
    except ValidationError as exc:
        raise TuningError(f"tuned.yaml: {name}: {exc.errors()[0]['msg']}") from None
    return settings.model_copy(update={section: changed})


def rows_key(X: pd.DataFrame, y: npt.ArrayLike, fits: list[Fit]) -> str:
    """Fingerprint the rows searched: train + validation, in order, and each fit's share."""
    digest = hashlib.sha256(pd.util.hash_pandas_object(X, index=False).to_numpy().tobytes())
    digest.update(np.asarray(y).astype(str).tobytes())
    for fit in fits:
        digest.update(fit.key.encode() + np.asarray(fit.rows, dtype=np.int64).tobytes())
    return digest.hexdigest()[:16]


def read_tuned(path: Path) -> Tuned:
    """Read tuned.yaml; a missing file is nothing tuned, a broken one an error naming it."""
    if not path.is_file():
        return Tuned()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return Tuned.model_validate(raw)
    except yaml.YAMLError as exc:
        raise TuningError(f"{path}: not valid YAML: {exc}") from None
    except ValidationError as exc:
        where = ".".join(str(part) for part in exc.errors()[0]["loc"])
        raise TuningError(f"{path}: {where}: {exc.errors()[0]['msg']}") from None


def write_tuned(path: Path, tuned: Tuned) -> None:
    """Write tuned.yaml whole, or not at all."""
    body = yaml.safe_dump(tuned.model_dump(exclude_none=True), sort_keys=False) or "{}\n"
    write_atomic(path, HEADER + body)
