"""The data step's library: sources, column checks, the split; the stage is `stages.data`."""


class DataError(ValueError):
    """Raised when the data can't be used; the message names the file or column at fault."""
