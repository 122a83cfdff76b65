"""Property-based: requests generated from the API's own OpenAPI schema, valid and invalid."""

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

# Schemathesis' default list for invalid data, plus 413: a batch over the record limit can
# also be over the body limit, and the body limit answers first.
REJECTED = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]
CONFIG = {"checks": {"negative_data_rejection": {"expected-statuses": REJECTED}}}


@pytest.fixture(scope="module")
def operations(client):
    # The client fixture has run the lifespan: the app serves the trained model.
    config = schemathesis.config.SchemathesisConfig.from_dict(CONFIG)
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app, config=config)
    found = (result.ok() for result in schema.get_all_operations())  # type: ignore[union-attr]
    return {operation.label: operation for operation in found}


def test_every_route_is_covered(operations):
    posts = {"POST /predict", "POST /predict/batch", "POST /explain", "POST /similar"}
    assert posts | {"GET /ready", "GET /metrics"} <= set(operations)


# Hypothesis drives the examples itself: schemathesis' pytest plugin isn't needed here.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_error_and_every_answer_fits_the_schema(operations, mode):
    for operation in operations.values():
        if mode == GenerationMode.NEGATIVE and not operation.body:
            continue  # nothing to get wrong in a GET without parameters

        strategy = operation.as_strategy(generation_mode=mode)
        if mode == GenerationMode.POSITIVE:
            strategy = strategy.map(_even_columns)

        @given(case=strategy)
        @settings(
            max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate()

        check()


def _even_columns(case: schemathesis.Case[Any]) -> schemathesis.Case[Any]:
    """Cut a columnar batch's lists to one length: JSON Schema can't say they must match."""
    body: Any = case.body
    columns = body.get("columns") if isinstance(body, dict) else None
    if isinstance(columns, dict) and columns:
        lists = [v for v in columns.values() if isinstance(v, list) and v]
        rows = min((len(v) for v in lists), default=0)
        body["columns"] = {
            k: v[:rows] if isinstance(v, list) and v else v for k, v in columns.items()
        }
    return case
