"""What the stages write: JSON that any parser reads, without NaN or Infinity."""

import json
from pathlib import Path


def strict(path: Path) -> object:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{path}: {constant} is not JSON")

    return json.loads(path.read_text(), parse_constant=refuse)


def test_every_json_file_the_pipeline_writes_is_strict_json(trained):
    paths = trained.settings.paths
    files = [
        *paths.processed.glob("*.json"),
        *paths.models.glob("*.json"),
        *paths.serving.glob("*.json"),
        *paths.reports.glob("*.json"),
    ]
    assert {f.name for f in files} >= {"schema.json", "champion.json", "manifest.json"}
    assert "metrics.json" in {f.name for f in files}
    for file in files:
        strict(file)
