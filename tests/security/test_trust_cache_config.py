"""The findings cache and the configuration are read, never trusted: a planted cache file can neither hide
nor add findings, an unsafe cache folder is not used, configuration above the project root does not apply,
and every configuration value is checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

SOURCE = "import torch.nn as nn\nbn = nn.BatchNorm2d(4)\n"


def run(*args, cwd: Path, env: dict | None = None):
    e = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "defaultlint", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={k: v for k, v in e.items() if v is not None})


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".git").mkdir()
    (root / "model.py").write_text(SOURCE, encoding="utf-8")
    return root


def _cache_files(root: Path) -> list[Path]:
    """The files of findings (not the plans, which only name them: see test_cache for those)."""
    return sorted(p for p in (root / ".defaultlint_cache").rglob("*.json") if not p.name.startswith("plan-"))


def test_a_planted_cache_file_hides_nothing(project):
    first = run("model.py", "--output-format", "json", cwd=project)
    assert first.returncode == 1
    (cache_file,) = _cache_files(project)
    mac, _, body = cache_file.read_bytes().partition(b"\n")
    data = json.loads(body)
    for entry in data["files"].values():
        entry[3] = []  # no findings
    forged = json.dumps(data).encode()
    cache_file.write_bytes(b"0" * 64 + b"\n" + forged)  # a planted file cannot sign itself
    again = run("model.py", "--output-format", "json", cwd=project)
    assert again.returncode == 1 and json.loads(again.stdout) == json.loads(first.stdout)
    cache_file.write_bytes(forged)  # nor does an unsigned one count
    assert run("model.py", "--output-format", "json", cwd=project).returncode == 1


def test_damaged_cache_files_are_ignored_and_rewritten(project):
    run("model.py", cwd=project)
    (cache_file,) = _cache_files(project)
    for garbage in (b"[" * 100000, b"7", b"\xff\xfe", b""):
        cache_file.write_bytes(garbage)
        r = run("model.py", "--output-format", "concise", cwd=project)
        assert r.returncode == 1 and "DL201" in r.stdout, r.stderr
    assert cache_file.read_bytes().partition(b"\n")[2].startswith(b"{")  # rewritten, signed


def test_a_cache_folder_others_may_write_is_not_used(project):
    folder = project / ".defaultlint_cache"
    folder.mkdir(mode=0o777)
    folder.chmod(0o777)
    r = run("model.py", cwd=project)
    assert r.returncode == 1
    assert "the cache is not used" in r.stderr and "written by other users" in r.stderr
    assert not _cache_files(project)


def test_the_project_root_is_never_the_cache_folder(project):
    (project / "pyproject.toml").write_text('[tool.defaultlint]\ncache-dir = "."\n', encoding="utf-8")
    r = run("model.py", cwd=project)
    assert r.returncode == 1 and "is the project root or holds it" in r.stderr
    assert not (project / ".gitignore").exists() and not (project / "CACHEDIR.TAG").exists()


def test_without_an_absolute_home_there_is_no_cache(project):
    r = run("model.py", cwd=project, env={"HOME": None, "XDG_CACHE_HOME": "relative/cache"})
    assert r.returncode == 1 and "the cache is not used" in r.stderr
    assert not (project / "relative").exists() and not (project / "~").exists()


def test_configuration_above_the_project_root_does_not_apply(tmp_path, project):
    (tmp_path / "pyproject.toml").write_text('[tool.defaultlint]\nignore = ["ALL"]\n', encoding="utf-8")
    r = run("model.py", "--output-format", "concise", cwd=project)
    assert r.returncode == 1 and "DL201" in r.stdout


@pytest.mark.parametrize("config,why", [
    ('output-format = "xml"', "`output-format` 'xml' is not one of"),
    ('ignore = [""]', "`ignore` holds an empty string"),
    ('target-version = { torch = ">=3,<2" }', "admits no release"),
    ('per-file-ignores = { "a.py" = [1] }', "per-file-ignores"),
])
def test_bad_configuration_values_are_configuration_errors(project, config, why):
    (project / "pyproject.toml").write_text(f"[tool.defaultlint]\n{config}\n", encoding="utf-8")
    r = run("model.py", cwd=project)
    assert r.returncode == 2 and why in r.stderr and "internal error" not in r.stderr, r.stderr


@pytest.mark.parametrize("text", ["tool = 1\n", "[tool]\ndefaultlint = 3\n"])
def test_malformed_tables_are_configuration_errors(project, text):
    (project / "defaultlint.toml").write_text(text, encoding="utf-8")
    r = run("model.py", cwd=project)
    assert r.returncode == 2 and "must be a table" in r.stderr and "internal error" not in r.stderr, r.stderr
