#!/usr/bin/env bash
# Generate the default project into build/, train it, serve it, send one prediction, stop.
set -euo pipefail

VENV=$(cd "${VENV:-.venv}" && pwd)
# A free port unless PORT is set, so that a busy 8000 can't fail the demo.
PORT=${PORT:-$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
OUT=build
SECONDS=0

rm -rf "$OUT/penguin-classifier"
"$VENV/bin/cookiecutter" --no-input --output-dir "$OUT" .
cd "$OUT/penguin-classifier"

# The template's venv already holds CPU PyTorch: install the project into it.
make install train VENV="$VENV" TORCH_INDEX=

"$VENV/bin/python" -m penguin_classifier serve --port "$PORT" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT

"$VENV/bin/python" - "$PORT" <<'PY'
import sys, time, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/ready"
deadline = time.monotonic() + 60
while True:
    try:
        urllib.request.urlopen(url, timeout=2)
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(f"no answer from {url} within 60 s")
        time.sleep(0.3)
PY

make predict VENV="$VENV" PORT="$PORT"
echo "demo: from cookiecutter to the first prediction in ${SECONDS} s" >&2
