"""The value types of params.yaml's sections: a column of the user's table, a metric, limits."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, PositiveFloat


def _column_name(value: object) -> object:
    """Read a YAML number as the column of that name (`target: 2011` is the column "2011")."""
    if isinstance(value, bool):  # yes/no/on/off: YAML 1.1 reads them as booleans
        raise ValueError(f"{value!r} is a YAML boolean: quote the column name")
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


# A column of the user's table, as params.yaml names it.
Column = Annotated[str, BeforeValidator(_column_name)]


def one_of(names: Iterable[str]) -> AfterValidator:
    """Accept auto or a metric that `tasks` names; the stages check it against the task."""
    choices = ["auto", *names]

    def check(value: str) -> str:
        if value not in choices:
            raise ValueError(f"{value!r} is not a metric here; choose one of {', '.join(choices)}")
        return value

    return AfterValidator(check)


class DownloadLimits(BaseModel):
    """`data.download`: what an http(s) `data.source` may take before the data step gives up.

    A server that never answers or streams without end would otherwise hang `make train`
    or fill the memory and the disk.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    connect_timeout: PositiveFloat = 10.0  # seconds to connect
    read_timeout: PositiveFloat = 60.0  # seconds without a byte
    total_timeout: PositiveFloat = 1800.0  # seconds for the whole download
    max_mb: PositiveFloat = 500.0  # megabytes (10^6 bytes), counted as they arrive
