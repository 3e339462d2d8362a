"""Reliability: no input crashes the linter, every bad input gets one clear diagnostic, fixes are safe.

Run longer with DEFAULTLINT_LONG=1 (thousands of generated programs instead of a few hundred).
"""

import ast
import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from oracle import same_but_added_keywords

from defaultlint.api import Linter, lint_files
from defaultlint.project.config import Settings

hypothesis = pytest.importorskip("hypothesis")
hypothesmith = pytest.importorskip("hypothesmith")
from hypothesis import HealthCheck, given, settings

settings.register_profile("defaultlint-ci", max_examples=300, deadline=None, derandomize=True,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("defaultlint-long", max_examples=3000, deadline=None,
                          suppress_health_check=list(HealthCheck))
PROFILE = "defaultlint-long" if os.environ.get("DEFAULTLINT_LONG") else "defaultlint-ci"

GOOD = b"import torch.nn as nn\nnn.BatchNorm2d(3)\n"
HEADER = "import torch\nimport torch.nn as nn\nimport keras\nfrom tensorflow import keras as tfk\n"
CALLS = ("\nlayer = nn.BatchNorm2d(3)\nopt = torch.optim.Adam(layer.parameters())\n"
         "dense = keras.layers.Dense(4)\nconv = tfk.layers.Conv2D(8, 3)\n")


@pytest.fixture(scope="module")
def linter():
    return Linter(Settings(root=ROOT, select=["ALL"]))


# -- the standard library --------------------------------------------------------------------------------
def stdlib_files() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in ("site-packages", "dist-packages", "__pycache__"))
        out.extend(Path(dirpath, f) for f in sorted(filenames) if f.endswith(".py"))
    return out


def test_every_stdlib_file_is_linted_without_an_internal_error(linter):
    files = stdlib_files()
    assert len(files) > 500
    results = lint_files(linter, files, jobs=2)  # an internal error in any file raises here
    assert [r.path for r in results] == [str(p) for p in files]
    for r in results:
        assert r.error is None or [f.code for f in r.findings] == ["DL001"], r.path


# -- generated programs ----------------------------------------------------------------------------------
def framework_program(body: str) -> str:
    return HEADER + body + ("" if body.endswith("\n") or not body else "\n") + CALLS


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # generated code calls literals and the like
@settings(settings.get_profile(PROFILE))
@given(hypothesmith.from_grammar())
def test_generated_programs_lint_and_fix_safely(linter, body):
    text = framework_program(body)
    findings = linter.lint_text(text, "gen.py")
    fixed, applied, _ = linter.fix_text(text, "gen.py", unsafe=True)
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        assert fixed == text and [f.code for f in findings] in ([], ["DL001"])
        return
    ast.parse(fixed)  # the fixed text parses
    assert applied > 0  # the appended calls give the fixer work
    assert same_but_added_keywords(ast.parse(text), ast.parse(fixed))
    again, applied_again, _ = linter.fix_text(fixed, "gen.py", unsafe=True)
    assert again == fixed and applied_again == 0


# -- bad inputs: each gets one diagnostic, the run goes on ------------------------------------------------
BAD_FILES = {
    # name: (bytes, expected diagnostic text or None when the file is fine and its findings are expected)
    "syntax.py": (b"import torch\ndef f(:\n", "SyntaxError"),
    "null_bytes.py": (b"import torch\nx = 1\x00\n", "null bytes"),
    "latin1_without_cookie.py": (b"import torch.nn as nn\nx = '\xe9\xff'\nnn.BatchNorm2d(3)\n", "cannot decode"),
    "unknown_cookie.py": (b"# coding: no-such-codec\nimport torch\n", "unknown encoding"),
    "nested_parens.py": (b"import torch\nx = " + b"(" * 1000 + b"1" + b")" * 1000 + b"\n", "nested"),
    "nested_ops.py": (b"import torch\nx = " + b"+".join([b"1"] * 100_000) + b"\n", "nested"),
    "nested_attributes.py": (b"import torch\nx = torch" + b".a" * 50_000 + b"\n", "nested"),
}
FINE_FILES = {
    "latin1_with_cookie.py": (b"# -*- coding: latin-1 -*-\nimport torch.nn as nn\nx = '\xe9'\nnn.BatchNorm2d(3)\n", 4, 1),
    "bom.py": (b"\xef\xbb\xbf" + GOOD, 2, 1),
    "crlf.py": (GOOD.replace(b"\n", b"\r\n"), 2, 1),
    "mixed_newlines.py": (b"import torch.nn as nn\r\nx = 1\rnn.BatchNorm2d(3)\n", 3, 1),
    "tabs.py": (b"import torch.nn as nn\nif True:\n\tlayer = nn.BatchNorm2d(3)\n", 3, 10),
    "big.py": (b"import torch.nn as nn\n" + (b"# " + b"x" * 98 + b"\n") * 100_000 + b"nn.BatchNorm2d(3)\n", 100_002, 1),
    "good.py": (GOOD, 2, 1),
}


def concise(proc) -> list[str]:
    return [line for line in proc.stdout.splitlines() if ": DL" in line]


def no_traceback(proc) -> None:
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert "internal error" not in proc.stderr


def test_bad_files_each_get_one_diagnostic_and_the_run_goes_on(tmp_path):
    for name, (data, *_) in {**BAD_FILES, **FINE_FILES}.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "empty.py").write_bytes(b"")
    (tmp_path / "x.py").mkdir()  # a folder with a source suffix is walked, not read
    (tmp_path / "x.py" / "inner.py").write_bytes(GOOD)
    (tmp_path / "broken.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "loop_a.py").symlink_to(tmp_path / "loop_b.py")
    (tmp_path / "loop_b.py").symlink_to(tmp_path / "loop_a.py")
    proc = run_cli(tmp_path, "--no-cache", "--output-format", "concise", cwd=tmp_path)
    no_traceback(proc)
    lines = concise(proc)
    for name, (_, expected) in BAD_FILES.items():
        mine = [line for line in lines if line.startswith(name + ":")]
        assert len(mine) == 1 and ": DL001 " in mine[0] and expected in mine[0], (name, mine)
    for name, (_, row, column) in FINE_FILES.items():
        mine = [line for line in lines if line.startswith(name + ":")]
        assert mine and all(line.startswith(f"{name}:{row}:{column}: DL2") for line in mine), (name, mine)
    assert not [line for line in lines if line.startswith("empty.py")]
    assert [line for line in lines if line.startswith(os.path.join("x.py", "inner.py") + ":2:1: DL201")]
    assert proc.returncode == 1


def test_bad_paths_named_on_the_command_line_each_get_one_finding(tmp_path):
    (tmp_path / "good.py").write_bytes(GOOD)
    (tmp_path / "broken.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "loop_a.py").symlink_to(tmp_path / "loop_b.py")
    (tmp_path / "loop_b.py").symlink_to(tmp_path / "loop_a.py")
    names = ["broken.py", "loop_a.py", "absent.py"]
    proc = run_cli(*names, "good.py", "--no-cache", "--output-format", "concise", cwd=tmp_path)
    no_traceback(proc)
    for name in names:
        assert len([line for line in proc.stdout.splitlines() if line.startswith(f"{name}:1:1: DL001")]) == 1, \
            (name, proc.stdout)
    assert proc.returncode == 1
    assert [line for line in concise(proc) if line.startswith("good.py:2:1: DL201")]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_gets_one_diagnostic(tmp_path):
    bad = tmp_path / "secret.py"
    bad.write_bytes(GOOD)
    bad.chmod(0)
    (tmp_path / "good.py").write_bytes(GOOD)
    try:
        proc = run_cli(tmp_path, "--no-cache", "--output-format", "concise", cwd=tmp_path)
    finally:
        bad.chmod(0o644)
    no_traceback(proc)
    mine = [line for line in concise(proc) if line.startswith("secret.py")]
    assert len(mine) == 1 and "DL001" in mine[0]
    assert [line for line in concise(proc) if line.startswith("good.py:2:1: DL201")]


@pytest.mark.parametrize("config", [
    "[tool.defaultlint]\nselekt = ['DL']\n",
    "[tool.defaultlint]\nselect = ['NOPE1']\n",
    "[tool.defaultlint]\nselect = 'DL'\n",
    "[tool.defaultlint]\ntarget-version = { torch = 'not a version' }\n",
    ("defaultlint.toml", "select = ['DL'\n"),
    ("pyproject.toml", "[tool.defaultlint\nselect = ['DL']\n"),
])
def test_invalid_configuration_is_one_error_line(tmp_path, config):
    name, config = config if isinstance(config, tuple) else ("pyproject.toml", config)
    (tmp_path / name).write_text(config, encoding="utf-8")
    (tmp_path / "good.py").write_bytes(GOOD)
    proc = run_cli("good.py", "--no-cache", cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("defaultlint: error:")]
    assert len(errors) == 1, proc.stderr


# -- fixing the shipped test files ----------------------------------------------------------------------
def shipped_sources() -> list[Path]:
    files = sorted((ROOT / "tests" / "fixtures").rglob("*.py")) + sorted((ROOT / "examples").glob("*.py"))
    return [p for p in files if p.is_file()]


def test_fix_over_the_shipped_test_files(tmp_path):
    sources = shipped_sources()
    if not sources:
        pytest.skip("no fixture files shipped yet")
    originals = {}
    for i, src in enumerate(sources):
        dest = tmp_path / f"{i:03}_{src.name}"
        shutil.copyfile(src, dest)
        originals[dest] = src.read_text(encoding="utf-8")
    args = ("--select", "ALL", "--fix", "--unsafe-fixes", "--no-cache", "--exit-zero", "--output-format", "concise")
    first = run_cli(tmp_path, *args, cwd=tmp_path)
    no_traceback(first)
    assert first.returncode == 0, first.stderr
    changed = 0
    for path, before in originals.items():
        after = path.read_text(encoding="utf-8")
        try:
            old = ast.parse(before)
        except SyntaxError:
            assert after == before
            continue
        new = ast.parse(after)  # every fixed file parses
        assert same_but_added_keywords(old, new), path.name
        changed += after != before
    assert changed > 0
    snapshot = {p: p.read_bytes() for p in originals}
    second = run_cli(tmp_path, *args, cwd=tmp_path)
    no_traceback(second)
    assert {p: p.read_bytes() for p in originals} == snapshot  # a second fix is a no-op


# -- an interrupted write leaves the old or the new file, and no temporary file ----------------------------
INTERRUPT = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from defaultlint.api import write_atomic

    target = Path(sys.argv[1])
    victim = sys.argv[2]
    real = getattr(os, victim)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    setattr(os, victim, interrupted)
    try:
        write_atomic(target, b"new content\\n", expected=b"old content\\n")
    except KeyboardInterrupt:
        print("interrupted")
    finally:
        setattr(os, victim, real)
""")


@pytest.mark.parametrize("victim", ["fsync", "replace", "chmod"])
def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path, victim):
    target = tmp_path / "model.py"
    target.write_bytes(b"old content\n")
    proc = subprocess.run([sys.executable, "-c", INTERRUPT, str(target), victim], capture_output=True, text=True,
                          check=False, cwd=ROOT)
    assert proc.stdout.strip() == "interrupted", proc.stderr
    assert target.read_bytes() == b"old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["model.py"]


def test_an_uninterrupted_write_replaces_the_file(tmp_path):
    from defaultlint.api import write_atomic

    target = tmp_path / "model.py"
    target.write_bytes(b"old content\n")
    target.chmod(0o640)
    write_atomic(target, b"new content\n", expected=b"old content\n")
    assert target.read_bytes() == b"new content\n"
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert [p.name for p in tmp_path.iterdir()] == ["model.py"]
