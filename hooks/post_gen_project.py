"""Remove the LICENSE file when the user chose no license, the example table unless asked.

Nothing else happens here on purpose: `cruft update` re-runs hooks, so they must have no
side effects beyond the generated files (no `git init`, no installs, no network).
"""

from pathlib import Path

if "{{ cookiecutter.open_source_license }}" == "none":
    Path("LICENSE").unlink(missing_ok=True)

if "{{ cookiecutter.dataset }}" != "custom":
    Path("data/raw/data.csv").unlink(missing_ok=True)
