"""A project's own files are read as untrusted data: another user's configuration is not used, malformed
dependency tables are no dependency, text reaches the terminal as text, and --fix touches only what it writes."""

import os
from pathlib import Path

import pytest
from conftest import run_cli

TORCH = "import torch.nn as nn\n\nlayer = nn.BatchNorm2d(3)\n"
SILENCE = '[tool.defaultlint]\nignore = ["DL"]\n'


def make(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def lint(folder: Path, *args):
    return run_cli("--no-cache", "--output-format", "concise", *args, "m.py", cwd=folder)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a file away")
@pytest.mark.parametrize("name, text", [("pyproject.toml", SILENCE), ("defaultlint.toml", 'ignore = ["DL"]\n')])
def test_a_configuration_file_of_another_user_is_not_used(tmp_path, name, text):
    make(tmp_path, {name: text, "m.py": TORCH})
    os.chown(tmp_path / name, 65534, 65534)
    r = lint(tmp_path)
    assert r.returncode == 1 and "m.py:3:9: DL201" in r.stdout, r.stderr
    assert run_cli("--no-cache", "--config", tmp_path / name, "m.py", cwd=tmp_path).returncode == 0  # named: used


def test_an_empty_version_range_is_a_configuration_error(tmp_path):
    make(tmp_path, {"pyproject.toml": '[tool.defaultlint]\ntarget-version = { torch = " " }\n', "m.py": TORCH})
    r = lint(tmp_path)
    assert r.returncode == 2 and "internal error" not in r.stderr and "is empty" in r.stderr


@pytest.mark.parametrize("files", [
    {"pyproject.toml": 'project = "x"\n'},
    {"pyproject.toml": '[project]\ndependencies = "torch"\n'},
    {"pyproject.toml": '[project]\noptional-dependencies = { gpu = "torch" }\n'},
    {"pyproject.toml": "[tool]\npoetry = 3\n"},
    {"pyproject.toml": "[tool.poetry]\ngroup = { dev = 1 }\n"},
    {"pyproject.toml": "[project]\nname = 'p'\n", "uv.lock": "package = [1, 'x']\n"},
    {"pyproject.toml": "[project]\nname = 'p'\n", "poetry.lock": "package = 3\n"},
])
def test_malformed_dependency_tables_are_read_as_no_dependency(tmp_path, files):
    make(tmp_path, {**files, "m.py": TORCH})
    r = lint(tmp_path)
    assert r.returncode == 1 and "m.py:3:9: DL201" in r.stdout, r.stderr


@pytest.mark.parametrize("fmt", ["full", "concise"])
def test_bidirectional_marks_in_source_lines_are_escaped(tmp_path, fmt):
    body = "import torch.nn as nn\n\nlayer = nn.BatchNorm2d(3)  # \u202e\u2066 reversed \u2069\u2028\n"
    make(tmp_path, {"m.py": body})
    r = run_cli("--no-cache", "--select", "DL201", "--output-format", fmt, "m.py", cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    for c in "\u202e\u2066\u2069\u2028":
        assert c not in r.stdout + r.stderr
    if fmt == "full":
        assert "\\u202e\\u2066 reversed \\u2069\\u2028" in r.stdout


def test_fix_never_changes_the_ending_of_a_line_it_does_not_write(tmp_path):
    f = tmp_path / "m.py"
    f.write_bytes(b"import torch.nn as nn\r\nx = 1\n\nbn = nn.BatchNorm2d(\r\n    3,\n)\r\ny = 2\r\n")
    r = run_cli("--no-cache", "--fix", "--select", "DL201", f, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f.read_bytes().splitlines(keepends=True) == [
        b"import torch.nn as nn\r\n", b"x = 1\n", b"\n", b"bn = nn.BatchNorm2d(\r\n", b"    3,\n",
        b"    momentum=0.1,\r\n", b")\r\n", b"y = 2\r\n"]
