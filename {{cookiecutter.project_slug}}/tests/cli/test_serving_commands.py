"""`serve` and `predict`: what a user sees when something is missing or altered."""

import shutil

from typer.testing import CliRunner

from {{ cookiecutter.module_name }}.cli import app

runner = CliRunner()


def test_predict_without_a_server_says_so(tmp_path):
    record = tmp_path / "record.json"
    record.write_text("{}")
    result = runner.invoke(app, ["predict", "--record", str(record), "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "make serve" in result.output


def test_serve_refuses_an_altered_bundle_in_one_line(trained, tmp_path):
    bundle = tmp_path / "serving"
    shutil.copytree(trained.settings.paths.serving, bundle)
    graph = bundle / "model.onnx"
    graph.write_bytes(graph.read_bytes()[:-1])
    result = runner.invoke(app, ["serve", "--bundle", str(bundle), "--port", "9"])
    assert result.exit_code == 1
    assert "model.onnx" in result.output
    assert "make train" in result.output
    assert "Traceback" not in result.output
