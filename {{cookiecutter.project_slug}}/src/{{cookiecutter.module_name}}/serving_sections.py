"""The sections of params.yaml that the server reads: its limits, /explain and /similar."""

from __future__ import annotations

from pydantic import NonNegativeInt, PositiveFloat, PositiveInt

from .sections import Section


class ServingSettings(Section):
    """What the server runs and the limits of its API."""

    int8: bool = False  # serve the MLP's dynamically quantized graph when the MLP is champion
    # Larger request bodies get a 413. None: room for `max_batch` records (at least 1 MiB).
    max_body_bytes: PositiveInt | None = None
    max_batch: PositiveInt = 10_000  # longer `records` lists get a 422
    examples: NonNegativeInt = 20  # test rows shipped with the model for the demo page
    # What a client may take of a connection (`serving/http_limits.py`): uvicorn bounds none.
    max_header_bytes: PositiveInt = 65_536  # request line and headers; more: 431, closed
    header_timeout: PositiveFloat = 10.0  # seconds to send the request line and headers
    body_timeout: PositiveFloat = 30.0  # seconds to send the body once the headers are in
    keep_alive: PositiveInt = 5  # seconds an idle connection stays open between requests
    max_connections: PositiveInt = 256  # open at once; more are answered 503 and closed


class ExplainSettings(Section):
    """`POST /explain`: SHAP contributions of each input to one answer."""

    endpoint: bool = True  # false: no /explain, and the bundle ships no background
    background_rows: PositiveInt = 32  # training rows that stand for a feature left out
    exact_up_to: PositiveInt = 15  # features; beyond: shap's sampling (permutation) explainer
    max_evals: PositiveInt = 500  # model calls per answer for the permutation explainer
    report_rows: PositiveInt = 200  # test rows behind the card's SHAP summary, at most
    threads: PositiveInt = 2  # per explanation: it runs the graph on thousands of rows


class SimilarSettings(Section):
    """`POST /similar`: the training records nearest to one record in the model's embedding."""

    endpoint: bool = True  # false: no /similar, and the bundle ships no index
    index_rows: PositiveInt = 20_000  # training rows in the index, at most (a seeded sample)
