"""The served graph's decision: which class each row gets, computed inside the graph.

The likeliest class (ArgMax), or for a binary target with a threshold, the positive class
when its probability reaches it; the probabilities stay as they are. The server answers
the class this output names, so the served label is the one evaluated.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ..onnx_model import DECISION


def add_decision(
    graph: onnx.ModelProto, probabilities: str, threshold: float | None
) -> onnx.ModelProto:
    """Append the `DECISION` output (int64 class index per row) to a classifier's graph."""
    body = graph.graph
    if threshold is None:
        nodes = [helper.make_node("ArgMax", [probabilities], [DECISION], axis=1, keepdims=0)]
    else:
        cut = numpy_helper.from_array(np.array(threshold, dtype=np.float32), "decision_threshold")
        second = numpy_helper.from_array(np.array(1, dtype=np.int64), "decision_positive")
        body.initializer.extend([cut, second])
        nodes = [
            helper.make_node("Gather", [probabilities, second.name], ["decision_p"], axis=1),
            # Not(p < t) rather than GreaterOrEqual, which opsets before 12 lack: the
            # converter may pick opset 11 for a scikit-learn graph.
            helper.make_node("Less", ["decision_p", cut.name], ["decision_below"]),
            helper.make_node("Not", ["decision_below"], ["decision_hit"]),
            helper.make_node("Cast", ["decision_hit"], [DECISION], to=TensorProto.INT64),
        ]
    body.node.extend(nodes)
    body.output.append(helper.make_tensor_value_info(DECISION, TensorProto.INT64, [None]))
    onnx.checker.check_model(graph)
    return graph
