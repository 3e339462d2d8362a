"""The pre-commit hooks, run by the real `pre-commit` against a repository holding this working tree.

pre-commit installs the hook repository into its own virtual environment (pip, from PyPI: the project's
dependencies and build backend), so this test needs the package index, as CI has. The environment is
built once (PRE_COMMIT_HOME is shared by the runs; `try-repo` would rebuild it on every run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pre_commit")

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "defaultlint", "rules")

HIDDEN = "import torch.nn as nn\n\nbn = nn.BatchNorm2d(32)\n"
WRITTEN = "import torch.nn as nn\n\nbn = nn.BatchNorm2d(32, momentum=0.1)\n"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> Path:
    """A git repository whose HEAD is the current working tree's package (pre-commit installs a commit)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("hooks")
    for name in PACKAGE_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, repo / name)
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "hooks", cwd=repo)
    return repo


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")  # shared: the hook environment is built once


def config(hook_repo: Path) -> str:
    """A user's .pre-commit-config.yaml naming both hooks, pinned to the hook repository's HEAD."""
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, capture_output=True, text=True,
                         check=True).stdout.strip()
    return (f"repos:\n  - repo: {hook_repo.as_posix()}\n    rev: {rev}\n    hooks:\n"
            "      - id: defaultlint\n      - id: defaultlint-fix\n")


def run_hook(hook: str, project: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", hook, "--all-files", "--color", "never"],
        cwd=project, env=env, capture_output=True, text=True,
    )


def test_check_fails_then_fix_rewrites_then_check_passes(hook_repo, pre_commit_home, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "model.py").write_text(HIDDEN)
    (project / "notes.txt").write_text("nn.BatchNorm2d(32) in a text file is not Python\n")
    (project / ".pre-commit-config.yaml").write_text(config(hook_repo))
    git("init", "-q", cwd=project)
    git("add", ".", cwd=project)

    checked = run_hook("defaultlint", project, pre_commit_home)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert "DL201" in checked.stdout
    assert "notes.txt" not in checked.stdout
    assert (project / "model.py").read_text() == HIDDEN  # the checking hook writes nothing

    fixed = run_hook("defaultlint-fix", project, pre_commit_home)
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr  # pre-commit fails a run that modified files
    assert "files were modified by this hook" in fixed.stdout
    assert (project / "model.py").read_text() == WRITTEN

    git("add", ".", cwd=project)
    again = run_hook("defaultlint", project, pre_commit_home)
    assert again.returncode == 0, again.stdout + again.stderr


def test_hook_manifest_is_valid():
    from pre_commit.clientlib import load_manifest

    hooks = {h["id"]: h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"defaultlint", "defaultlint-fix"}
    for h in hooks.values():
        assert h["language"] == "python" and h["require_serial"] is True
        assert h["types_or"] == ["python", "pyi", "jupyter"]
        assert h["entry"].split()[0] == "defaultlint"
    assert "--fix" in hooks["defaultlint-fix"]["entry"].split()
    assert "--fix" not in hooks["defaultlint"]["entry"].split()
