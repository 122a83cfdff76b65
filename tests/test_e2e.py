"""The README's promise: generate, `make train`, `make serve`, get a prediction over HTTP."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import bake, make_args, run

SPECIES = {"Adelie", "Chinstrap", "Gentoo"}
RECORD = {
    "island": "Biscoe",
    "bill_length_mm": 45.1,
    "bill_depth_mm": 14.5,
    "flipper_length_mm": 215.0,
    "body_mass_g": 5000.0,
    "sex": "female",
    "year": 2009,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(url: str, body: dict | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def wait_for(url: str, server: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()[0]
        try:
            if request(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} not healthy within {seconds} s")


@pytest.mark.slow
def test_train_serve_predict(tmp_path, project_env):
    project = bake(tmp_path)
    out = run(make_args("train"), cwd=project)
    assert "champion:" in out

    port = free_port()
    server = subprocess.Popen(
        make_args("serve", f"PORT={port}"),
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # so that stopping it stops make's child too
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", server)
        status, body = request(f"http://127.0.0.1:{port}/predict", RECORD)
        assert status == 200, body
        assert body["prediction"] in SPECIES
        assert set(body["probabilities"]) == SPECIES

        status, body = request(f"http://127.0.0.1:{port}/predict", {**RECORD, "island": "Mars"})
        assert status == 422
        assert body["detail"][0]["loc"] == ["body", "island"]

        printed = run(make_args("predict", f"PORT={port}"), cwd=project)
        assert json.loads(printed)["prediction"] in SPECIES
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    # The serving benchmark, bounded to a few seconds: both servers answer without errors.
    bench_args = "BENCH_ARGS=--requests 60 --seconds 3 --batch-rows 500"
    bench = run(make_args("bench-serve", bench_args), cwd=project)
    rows = re.findall(r"^(ours|mlflow)\s+(1|8)\s+\d+\s+[\d.]+\s+[\d.]+\s+(\d+)$", bench, re.M)
    assert len(rows) == 4, bench
    assert all(errors == "0" for *_, errors in rows), bench
    assert "ours / mlflow, 8 connection(s):" in bench

    # Installed by the project_env fixture, so imported only here.
    import mlflow

    client = mlflow.MlflowClient(f"sqlite:///{project}/mlflow.db")
    experiment = client.get_experiment_by_name("penguin-classifier")
    runs = client.search_runs([experiment.experiment_id])
    assert sorted(r.info.run_name for r in runs) == ["baseline", "mlp"]
    champion = client.get_model_version_by_alias("penguin-classifier", "champion")
    assert champion.run_id in {r.info.run_id for r in runs}
