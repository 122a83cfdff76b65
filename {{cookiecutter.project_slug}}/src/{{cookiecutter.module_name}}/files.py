"""Files written whole or not at all, and their checksums.

A reader (a stage, DVC, the server) never sees half a file: content goes to a temporary
name beside its target first, and one rename, which is atomic, puts it in place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path


def sha256(content: bytes) -> str:
    """Hex SHA-256 of some bytes (a file's: `sha256(path.read_bytes())`)."""
    return hashlib.sha256(content).hexdigest()


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write one file whole or not at all, creating its folder if needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content.encode() if isinstance(content, str) else content)
    tmp.replace(path)


def replace_folder(folder: Path, files: Mapping[str, str | bytes]) -> None:
    """Replace a folder with one that holds exactly `files` (name -> content), whole.

    Two renames: the old folder steps aside, the new one takes its place. Between them,
    briefly, there is none; there is never a mix of old and new files.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a server running as another user reads it
    retired = staging.with_name(f"{staging.name}.old")
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content.encode() if isinstance(content, str) else content)
        if folder.exists():
            os.replace(folder, retired)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
