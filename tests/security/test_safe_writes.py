"""--fix writes only regular files of this user inside the linted tree: never through a symbolic link, never
a read-only, hard-linked, setuid or another user's file; a link out of the tree is not even walked."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from conftest import run_cli

BN = "import torch.nn as nn\nbn = nn.BatchNorm2d(4)\n"


def _fix(path: Path):
    return run_cli(path, "--fix", "--no-cache", "--select", "DL201", "--output-format", "concise")


def test_a_folder_link_out_of_the_tree_is_not_followed(tmp_path):
    outside = tmp_path / "site-packages"
    outside.mkdir()
    (outside / "lib.py").write_text(BN, encoding="utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "model.py").write_text(BN, encoding="utf-8")
    (project / "vendored").symlink_to(outside, target_is_directory=True)
    r = _fix(project)
    assert (outside / "lib.py").read_text(encoding="utf-8") == BN
    assert "momentum=0.1" in (project / "model.py").read_text(encoding="utf-8")
    assert "symbolic link out of the folder being checked" in r.stderr


def test_a_file_link_is_not_written_through(tmp_path):
    (tmp_path / "real.py").write_text(BN, encoding="utf-8")
    (tmp_path / "link.py").symlink_to(tmp_path / "real.py")
    r = _fix(tmp_path / "link.py")
    assert r.returncode == 1 and "symbolic link" in r.stdout
    assert (tmp_path / "real.py").read_text(encoding="utf-8") == BN


def test_a_read_only_file_is_reported_not_rewritten(tmp_path):
    p = tmp_path / "m.py"
    p.write_text(BN, encoding="utf-8")
    p.chmod(0o444)
    r = _fix(p)
    assert r.returncode == 1 and "read-only" in r.stdout
    assert p.read_text(encoding="utf-8") == BN and stat.S_IMODE(p.stat().st_mode) == 0o444


def test_hard_links_are_kept(tmp_path):
    p = tmp_path / "m.py"
    p.write_text(BN, encoding="utf-8")
    os.link(p, tmp_path / "other.py")
    r = _fix(p)
    assert "hard links" in r.stdout
    assert os.stat(p).st_ino == os.stat(tmp_path / "other.py").st_ino and p.read_text(encoding="utf-8") == BN


def test_special_permission_bits_are_never_copied(tmp_path):
    p = tmp_path / "m.py"
    p.write_text(BN, encoding="utf-8")
    p.chmod(0o4755)
    if not p.stat().st_mode & stat.S_ISUID:
        pytest.skip("this file system drops setuid bits")
    r = _fix(p)
    assert "special permission bits" in r.stdout and p.read_text(encoding="utf-8") == BN


def test_a_normal_file_keeps_its_mode(tmp_path):
    p = tmp_path / "m.py"
    p.write_text(BN, encoding="utf-8")
    p.chmod(0o640)
    assert _fix(p).returncode == 0
    assert "momentum=0.1" in p.read_text(encoding="utf-8") and stat.S_IMODE(p.stat().st_mode) == 0o640


def test_control_characters_never_reach_the_terminal(tmp_path):
    name = tmp_path / "evil\x1b]0;owned\x07\x1b[2J.py"
    name.write_text(BN.replace("nn.BatchNorm2d(4)", "nn.BatchNorm2d(4)  # \x1b]0;title\x07\x1b[2J"),
                    encoding="utf-8")
    for fmt in ("full", "concise"):
        r = run_cli(tmp_path, "--no-cache", "--select", "DL201", "--output-format", fmt)
        assert "\x1b" not in r.stdout and "\x07" not in r.stdout, fmt
        assert "\\x1b" in r.stdout


def test_a_worker_ends_when_its_run_has_ended():
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    code = (f"from defaultlint.api import _watch_parent\n_watch_parent({dead})\n"
            "import time\ntime.sleep(60)\nprint('outlived its run')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=50)
    assert r.returncode == 1 and "outlived" not in r.stdout
