"""The README's promise: generate, `make train`, `make serve`, get a prediction over HTTP."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

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
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or not ready (an HTTPError is an OSError)
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} not healthy within {seconds} s")


@pytest.fixture(scope="module")
def project(trained_default):
    """A default project after `make train`."""
    assert "champion:" in trained_default.output
    return trained_default.project


def serve(command: list[str], cwd) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # so that stopping it stops make's child too
    )


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


@contextlib.contextmanager
def running(command: Callable[[int], list[str]], cwd, ready: str = "/ready") -> Iterator[str]:
    """Start a server on a free port, wait until `ready` answers 200; yield its base URL."""
    port = free_port()
    server = serve(command(port), cwd)
    try:
        wait_for(f"http://127.0.0.1:{port}{ready}", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)


def make_serve(port: int) -> list[str]:
    return make_args("serve", f"PORT={port}")


# Debian's Chromium, no browser download. Without the background-networking flags it keeps
# trying to reach Google's hosts, which a closed network refuses.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Set to a folder to keep copies of the screenshots (the template README's pictures).
SCREENSHOTS = os.environ.get("ML_STARTER_SCREENSHOTS")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} not found: .ci/run installs Debian's chromium")
        pytest.skip("needs Debian's chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def keep(screenshot: Path) -> None:
    if SCREENSHOTS:
        shutil.copy(screenshot, Path(SCREENSHOTS) / screenshot.name)


@pytest.mark.slow
def test_demo_page_in_a_real_browser(project, browser):
    """Fill the form, read the class, why, and similar records; a bad value; keyboard only."""
    with running(make_serve, project) as url:
        page = browser.new_page(viewport={"width": 900, "height": 900})
        page.goto(f"{url}/")
        # A column named __proto__ would set the record's prototype if assigned: not a field.
        sent = page.evaluate("""() => {
            page.fields.push({id: page.fields[0].id, name: "__proto__", kind: "number"});
            try { return Object.keys(JSON.parse(JSON.stringify(body()))); }
            finally { page.fields.pop(); }
        }""")
        assert sorted(sent) == sorted([*RECORD, "__proto__"])
        page.get_by_label("island", exact=True).select_option(RECORD["island"])
        page.get_by_label("sex", exact=True).select_option(RECORD["sex"])
        for name, value in RECORD.items():
            if name not in ("island", "sex"):
                page.get_by_label(name, exact=True).fill(str(value))
        page.get_by_role("button", name="Predict", exact=True).click()
        page.wait_for_selector("#prediction")
        assert page.inner_text("#prediction") == "Gentoo"  # 5 kg, 215 mm flippers, Biscoe
        bars = page.locator("#result > [role=img]").all()
        assert sorted(bar.get_attribute("aria-label").split(":")[0] for bar in bars) == sorted(
            SPECIES
        )
        page.wait_for_selector("#why")  # SHAP values from POST /explain, largest first
        assert "probability of Gentoo" in page.inner_text("#why h2")
        labels = [p.get_attribute("aria-label") for p in page.locator("#why [role=img]").all()]
        assert sorted(label.split(" = ")[0] for label in labels) == sorted(RECORD)
        sizes = [abs(float(label.rsplit(": ", 1)[1].replace("\u2212", "-"))) for label in labels]
        assert sizes == sorted(sizes, reverse=True)
        page.wait_for_selector("#similar")  # from POST /similar, most similar first
        heads = page.locator("#similar th").all_inner_texts()
        assert heads == ["similarity", "species", *RECORD]
        rows = page.locator("#similar tbody tr").all()
        assert len(rows) == 5
        similarity = [float(row.locator("td").first.inner_text()) for row in rows]
        assert similarity == sorted(similarity, reverse=True)
        assert 0 < similarity[0] <= 1.0005
        assert {row.locator("td").nth(1).inner_text() for row in rows} <= set(SPECIES)
        screenshot = project / "reports" / "figures" / "demo.png"
        page.screenshot(path=screenshot, full_page=True)
        keep(screenshot)

        page.get_by_label("bill_length_mm", exact=True).fill("1e9")
        page.get_by_role("button", name="Predict", exact=True).click()
        page.wait_for_selector("#error:not(:empty)")
        error = page.inner_text("#error")
        assert "HTTP 422" in error
        assert "bill_length_mm: Input should be less than or equal to" in error
        assert page.inner_text("#result") == ""

        page.reload()
        fields = len(page.get_by_role("combobox").all()) + len(page.get_by_role("spinbutton").all())
        assert fields == len(RECORD)
        for _ in range(fields + 2):  # every field, Predict, then the random-example button
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "random"
        page.keyboard.press("Enter")
        page.wait_for_selector("#prediction")
        assert page.inner_text("#prediction") in SPECIES
        page.wait_for_selector("#similar")
        page.keyboard.press("Tab")  # on to the table of similar records, which scrolls
        assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
            "similar training records"
        )


@pytest.mark.slow
def test_mlflow_compare_view_in_a_real_browser(project, browser):
    """The two candidates side by side in MLflow's UI, differing metrics only: a screenshot."""

    def mlflow_ui(port: int) -> list[str]:
        return make_args("mlflow-ui", f"MLFLOW_PORT={port}")

    with running(mlflow_ui, project, ready="/health") as url:
        import mlflow

        client = mlflow.MlflowClient(f"sqlite:///{project}/mlflow.db")
        experiment = client.get_experiment_by_name("penguin-classifier")
        runs = [r.info.run_id for r in client.search_runs([experiment.experiment_id])]
        query = urllib.parse.urlencode(
            {"runs": json.dumps(runs), "experiments": json.dumps([experiment.experiment_id])}
        )
        page = browser.new_page(viewport={"width": 1000, "height": 900})
        page.goto(f"{url}/#/compare-runs?{query}")
        page.get_by_text(f"Comparing {len(runs)} Runs from 1 Experiment").wait_for(timeout=60_000)
        # Tidy the view for the picture: no assistant, no sidebar, no plot, no params.
        for name in ("Close", "Toggle sidebar"):
            button = page.get_by_role("button", name=name, exact=True)
            if button.count() == 1:
                button.click()
        page.get_by_text("Visualizations", exact=True).click()
        page.get_by_text("Parameters", exact=True).click()
        page.locator('[aria-label="Metrics - Show diff only"]').click()
        page.get_by_text("val_log_loss", exact=True).wait_for()
        screenshot = project / "reports" / "figures" / "mlflow_compare.png"
        page.screenshot(path=screenshot)
        keep(screenshot)


@pytest.mark.slow
def test_train_serve_predict(project):
    with running(make_serve, project) as url:
        status, body = request(f"{url}/predict", RECORD)
        assert status == 200, body
        assert body["prediction"] in SPECIES
        assert set(body["probabilities"]) == SPECIES

        status, body = request(f"{url}/predict", {**RECORD, "island": "Mars"})
        assert status == 422
        assert body["detail"][0]["loc"] == ["body", "island"]

        port = url.rsplit(":", 1)[1]
        printed = run(make_args("predict", f"PORT={port}"), cwd=project)
        assert json.loads(printed)["prediction"] in SPECIES

    # Installed by the project_env fixture, so imported only here.
    import mlflow

    client = mlflow.MlflowClient(f"sqlite:///{project}/mlflow.db")
    experiment = client.get_experiment_by_name("penguin-classifier")
    runs = client.search_runs([experiment.experiment_id])
    assert sorted(r.info.run_name for r in runs) == ["baseline", "mlp"]
    champion = client.get_model_version_by_alias("penguin-classifier", "champion")
    assert champion.run_id in {r.info.run_id for r in runs}
    manifest = json.loads((project / "models" / "serving" / "manifest.json").read_text())
    assert champion.tags["serving_sha256"] == manifest["sha256"]


def served_prediction(project) -> dict:
    """Run `make serve`, send `make predict`'s test record, stop the server: the answer."""
    with running(make_serve, project) as url:
        port = url.rsplit(":", 1)[1]
        answer: dict = json.loads(run(make_args("predict", f"PORT={port}"), cwd=project))
    return answer


def baked_and_trained(tmp_path, dataset: str) -> tuple[Path, str, dict]:
    """Bake a project for `dataset` and `make train` it: its folder, the output, its schema."""
    project = bake(tmp_path, dataset=dataset)
    out = run(make_args("train"), cwd=project)
    assert "champion:" in out
    schema = json.loads((project / "data" / "processed" / "schema.json").read_text())
    return project, out, schema


@pytest.mark.slow
def test_custom_dataset_trains_on_its_csv_and_serves_it(tmp_path, project_env):
    """`dataset: custom`: the example CSV in data/raw/, named in params.yaml, end to end."""
    project, _, schema = baked_and_trained(tmp_path, "custom")
    assert schema["target"] == "cultivar"
    assert "od280/od315_of_diluted_wines" in [f["name"] for f in schema["features"]]
    assert served_prediction(project)["prediction"] in {"cultivar_1", "cultivar_2", "cultivar_3"}
    # Editing the table reruns the data step: DVC watches data/raw/.
    with (project / "data" / "raw" / "data.csv").open("a") as table:
        table.write("13.2,1.8,2.4,16.0,100.0,2.5,2.6,0.3,1.8,4.5,1.0,3.0,1000.0,cultivar_1\n")
    status = run([f"{sys.prefix}/bin/dvc", "status", "data"], cwd=project)
    assert "changed deps" in status, status


@pytest.mark.slow
def test_diabetes_dataset_regresses_and_serves_a_number(tmp_path, project_env):
    """`dataset: diabetes`: a regression end to end, its table and answer follow the task."""
    project, out, schema = baked_and_trained(tmp_path, "diabetes")
    assert "val_rmse" in out
    assert (schema["task"], schema["target"]) == ("regression", "progression")
    readme = (project / "README.md").read_text()
    assert "| model | rmse | mae | r2 | rmse 95% CI |" in readme
    assert "| mean predictor |" in readme
    answer = served_prediction(project)
    assert set(answer) == {"prediction", "model"}
    stats = schema["target_stats"]
    assert stats["min"] - stats["std"] < answer["prediction"] < stats["max"] + stats["std"]


@pytest.mark.slow
def test_serving_benchmark_with_a_64_connection_soak(project):
    """Both models, both servers, bounded; the soak holds 64 connections for 8 s.

    Short, so that CI stays quick: `make bench-serve` soaks for longer by default.
    """
    bench_args = "BENCH_ARGS=--requests 100 --seconds 3 --batch-rows 500 --soak-seconds 8"
    score_args = "BENCH_SCORE_ARGS=--rows 20000 --chunk-rows 5000 --parts 2"
    bench = run(make_args("bench-serve", bench_args, score_args), cwd=project)
    rows = re.findall(r"^(ours|mlflow)\s+(1|8)\s+\d+\s+[\d.]+\s+[\d.]+\s+(\d+)$", bench, re.M)
    assert len(rows) == 8, bench  # 2 models x 2 servers x 2 connection counts
    assert all(errors == "0" for *_, errors in rows), bench
    assert bench.count("ours / mlflow, 8 connection(s):") == 2
    soaks = re.findall(r"^soak, 64 connections: (\d+) requests, .* (\d+) errors;", bench, re.M)
    assert len(soaks) == 2, bench
    assert all(int(requests) > 0 and errors == "0" for requests, errors in soaks), bench
    assert "mlp INT8 vs FP32" in bench
    assert bench.count("ours /explain at 8 connections:") == 2, bench
    assert bench.count("ours /similar at 8 connections:") == 2, bench
    assert bench.count("batch of 500 rows as columns:") == 2, bench
    assert re.search(r"^file scoring vs in-process ONNX: \d+%", bench, re.M), bench
    assert re.search(r"^Dask local vs single process: [\d.]+x", bench, re.M), bench


@pytest.mark.slow
def test_make_score_writes_each_rows_answers(project, tmp_path):
    """`make score`: the test split in, its rows with their answers out, in order."""
    import pyarrow.parquet as pq

    source, target = project / "data" / "processed" / "test.parquet", tmp_path / "scored.parquet"
    out = run(make_args("score", f"INPUT={source}", f"OUTPUT={target}"), cwd=project)
    rows = pq.read_table(source).num_rows
    assert f"scored {rows:,} rows" in out
    scored = pq.read_table(target)
    assert scored.num_rows == rows
    assert "prediction" in scored.column_names
    usage = subprocess.run(make_args("score"), cwd=project, capture_output=True, text=True)
    assert usage.returncode == 2
    assert "usage: make score INPUT=" in usage.stdout


@pytest.mark.slow
def test_store_benchmark_finds_what_exact_search_finds(project):
    """`make bench-similar`: Qdrant's local mode, as /similar runs it, finds the exact k nearest."""
    args = "BENCH_SIMILAR_ARGS=--rows 3000 --queries 50"
    bench = run(make_args("bench-similar", args), cwd=project)
    found = re.findall(
        r"^(qdrant \(local\)|numpy)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)$", bench, re.M
    )
    # The served index, then the synthetic one: both stores, recall against exact search.
    assert [store for store, _ in found] == ["qdrant (local)", "numpy"] * 2, bench
    assert all(recall == "1.000" for _, recall in found), bench
    assert "served bundle's index: " in bench, bench
    assert "synthetic: 3,000 vectors" in bench, bench
    assert re.search(r"^qdrant \(local\)\s+[\d.]+\s+\d+$", bench, re.M), bench  # its install


@pytest.mark.slow
def test_serving_needs_only_the_base_dependencies_and_the_explain_extra(project, tmp_path):
    """What the Docker image installs: the package and its `explain` extra, the bundle, params."""
    venv = tmp_path / "venv"
    python = str(venv / "bin" / "python")
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv:  # as `make install` does when uv is there: the same packages, in seconds
        run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=tmp_path)
        install = [uv, "pip", "install", "--quiet", "--python", python]
    else:
        run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
        install = [python, "-m", "pip", "install", "--quiet"]
    run([*install, f"{project}[explain]"], cwd=tmp_path)
    for heavy in ("torch", "mlflow", "skl2onnx", "matplotlib"):
        found = subprocess.run([python, "-c", f"import {heavy}"], capture_output=True)
        assert found.returncode != 0, f"{heavy} is installed in the serving environment"

    app = tmp_path / "app"  # laid out as in the image: /app
    shutil.copytree(project / "models" / "serving", app / "models" / "serving")
    shutil.copy(project / "params.yaml", app)

    def serve_alone(port: int) -> list[str]:
        return [python, "-m", "penguin_classifier", "serve", "--port", str(port)]

    with running(serve_alone, app) as url:
        status, body = request(f"{url}/predict", RECORD)
        assert status == 200, body
        assert body["prediction"] in SPECIES
        status, explained = request(f"{url}/explain", RECORD)
        assert status == 200, explained
        assert explained["prediction"] == body["prediction"]
        total = explained["base_value"] + sum(c["contribution"] for c in explained["contributions"])
        assert abs(total - explained["output"]) < 1e-3
        status, similar = request(f"{url}/similar?k=3", RECORD)
        assert status == 200, similar
        assert len(similar["neighbours"]) == 3
        assert {n["target"] for n in similar["neighbours"]} <= SPECIES


@pytest.mark.slow
def test_training_benchmark_prints_both_loops_and_make_train(project):
    """Small, so that it runs in CI; the figures at a million rows are in benchmarks/train.py."""
    # Few rows for the card's SHAP summary: 20 features take the sampling explainer, slow.
    args = "BENCH_TRAIN_ARGS=--rows 20000 --epochs 1 --batch-sizes 256,1024"
    args += " --set explain.report_rows=20"
    bench = run(make_args("bench-train", args), cwd=project)
    assert re.search(r"^make train: \d+ s wall, peak [\d,]+ MiB", bench, re.M), bench
    loops = re.findall(r"^\s+(\d+)\s+([\d,]+)\s+([\d,]+)\s+([\d.]+)", bench, re.M)
    assert [batch for batch, *_ in loops] == ["256", "1024"], bench
    assert all(float(ratio) > 0 for *_, ratio in loops), bench


# Last in this module: it adds an MLflow run and may change the champion the tests above read.
@pytest.mark.slow
def test_train_ddp_registers_the_mlp_that_two_processes_trained(project):
    out = run(make_args("train-ddp", "NPROC=2"), cwd=project)
    assert "champion:" in out, out

    import mlflow

    client = mlflow.MlflowClient(f"sqlite:///{project}/mlflow.db")
    experiment = client.get_experiment_by_name("penguin-classifier")
    runs = client.search_runs([experiment.experiment_id], order_by=["attributes.start_time DESC"])
    newest_mlp = next(r for r in runs if r.info.run_name == "mlp")
    assert newest_mlp.data.params["processes"] == "2"
    assert len([r for r in runs if r.info.run_name == "mlp"]) == 2  # make train's, then this one
    record = json.loads((project / "models" / "mlp.json").read_text())
    assert record["run_id"] == newest_mlp.info.run_id
    version = client.get_model_version("penguin-classifier", record["version"])
    assert version.run_id == newest_mlp.info.run_id
    # DVC took the DDP outputs as train_mlp's: nothing is left to rerun.
    status = run([f"{sys.prefix}/bin/dvc", "status"], cwd=project)
    assert "up to date" in status, status
