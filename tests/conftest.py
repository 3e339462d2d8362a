import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from defaultlint.api import Linter
from defaultlint.project.config import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _private_cache_home(tmp_path_factory):
    """The cache key lives under XDG_CACHE_HOME: the suite's own, never the user's (subprocesses inherit it)."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    folder.chmod(0o700)
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture(autouse=True)
def _embedded_collector():
    """The test process embeds the library: a command line invoked in-process (CliRunner) claims the
    process for one run; each test starts and ends as an embedding program again."""
    from defaultlint.project import gcpause

    gcpause._mode = gcpause.Mode.EMBEDDED
    yield
    gcpause._mode = gcpause.Mode.EMBEDDED


def lint(source: str, select=("ALL",), target=None, path="t.py"):
    settings = Settings(root=ROOT, select=list(select), target_version=dict(target or {}))
    return Linter(settings).lint_text(textwrap.dedent(source), path)


def apis(source: str, **kw) -> set[str]:
    return {f.api for f in lint(source, **kw) if f.api and f.code != "DL901"}


def run_cli(*args, input=None, cwd=None, env=None):
    """Run the installed command line in a subprocess, as a user would."""
    e = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "defaultlint", *map(str, args)],
        input=input, capture_output=True, text=True, cwd=cwd or ROOT, env=e,
    )


def require_framework(name: str):
    """Import a framework for a verification test; a missing one fails in CI instead of skipping."""
    if name == "torchvision":  # importable beside the CPU torch build only through the table tool's shim
        from defaultlint.tools.tablegen import import_torchvision

        if os.environ.get("DEFAULTLINT_REQUIRE_FRAMEWORKS"):
            return import_torchvision()
        try:
            return import_torchvision()
        except ImportError as e:
            pytest.skip(f"torchvision: {e}")
    if os.environ.get("DEFAULTLINT_REQUIRE_FRAMEWORKS"):
        return __import__(name)
    return pytest.importorskip(name)


# -- summary lines: proofs that count what they checked print one line at the end of the run ------------
_SUMMARY = pytest.StashKey[list]()


@pytest.fixture(scope="session")
def verification_summary(request) -> list:
    """Append a line ('verified N torch rows: ...'); pytest prints the lines in its terminal summary."""
    return request.config.stash.setdefault(_SUMMARY, [])


def pytest_terminal_summary(terminalreporter, config):
    for line in config.stash.get(_SUMMARY, []):
        terminalreporter.write_line(line)
