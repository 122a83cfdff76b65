"""Export: a trained pipeline as one ONNX graph, its INT8 variant, and checks against both."""


class ExportError(RuntimeError):
    """Raised when a pipeline can't be expressed in ONNX or the graph disagrees with it."""
