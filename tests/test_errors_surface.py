"""Errors surface: a fix that could not be computed and a worker pool that failed are counted in the
summary and shown with --verbose, never turned silently into "no fix" or a serial run."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from defaultlint import api
from defaultlint.api import Linter, lint_files
from defaultlint.cli import main
from defaultlint.core import fixer
from defaultlint.project.config import Settings

SOURCE = "import torch\nop = torch.optim.Adam([])\n"


def _broken_fixer(monkeypatch):
    def boom(call, params):
        raise RuntimeError("planted fixer bug")

    fixer._cache.clear()
    fixer._parse_call.cache_clear()
    monkeypatch.setattr(fixer, "add_keywords", boom)


def test_a_fixer_bug_is_carried_by_the_finding(monkeypatch):
    _broken_fixer(monkeypatch)
    findings = Linter(Settings(root=Path("."))).lint_text(SOURCE, "m.py")
    assert findings and all(not f.fixable for f in findings)
    assert {f.fix.error.split(" at ")[0] for f in findings} == {"RuntimeError: planted fixer bug"}


def test_fixing_reports_what_could_not_be_fixed(monkeypatch):
    _broken_fixer(monkeypatch)
    out = Linter(Settings(root=Path("."))).fix(SOURCE, "m.py")
    assert out.text == SOURCE and out.applied == []
    assert out.errors and all("2:6: DL" in e and "RuntimeError: planted fixer bug" in e for e in out.errors)


def test_the_command_line_counts_failed_fixes_and_shows_them_with_verbose(monkeypatch, tmp_path):
    _broken_fixer(monkeypatch)
    (tmp_path / "m.py").write_text(SOURCE, encoding="utf-8")
    runner = CliRunner()
    quiet = runner.invoke(main, [str(tmp_path / "m.py"), "--fix", "--no-cache", "--color", "never"])
    assert quiet.exit_code == 1
    assert "fixes could not be computed (--verbose shows why)" in quiet.stderr
    loud = runner.invoke(main, [str(tmp_path / "m.py"), "--fix", "--no-cache", "--verbose", "--color", "never"])
    assert "fix could not be computed: " in loud.stderr and "RuntimeError: planted fixer bug" in loud.stderr
    assert (tmp_path / "m.py").read_text(encoding="utf-8") == SOURCE


def test_a_failed_worker_pool_is_noted_and_every_file_still_checked(monkeypatch, tmp_path):
    import concurrent.futures

    class NoPool:
        def __init__(self, *a, **k):
            raise OSError("no processes here")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", NoPool)
    files = []
    for i in range(3):
        p = tmp_path / f"m{i}.py"
        p.write_text(SOURCE, encoding="utf-8")
        files.append(p)
    notes: list[str] = []
    results = lint_files(Linter(Settings(root=tmp_path)), files, jobs=2, notes=notes)
    assert [len(r.findings) > 0 for r in results] == [True, True, True]
    assert notes == []  # small inputs never start a pool
    monkeypatch.setattr(api, "PARALLEL_MIN_BYTES", 0)
    results = lint_files(Linter(Settings(root=tmp_path)), files, jobs=2, notes=notes)
    assert [len(r.findings) > 0 for r in results] == [True, True, True]
    assert notes == ["the worker processes failed (OSError: no processes here); 3 files were checked in the "
                     "main process"]
