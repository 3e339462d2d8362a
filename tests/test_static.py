"""Linting is static: it never imports a framework."""

import subprocess
import sys

from conftest import ROOT

PROBE = r"""
import sys
from defaultlint.cli import main
try:
    main(["--select", "ALL", "--exit-zero", "--output-format", "json", "examples/"])
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules if m.split(".")[0] in {"torch", "tensorflow", "keras", "jax"})
sys.stderr.write("IMPORTED:" + ",".join(heavy) + "\n")
"""


def test_linting_imports_no_framework():
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT)
    assert "IMPORTED:\n" in r.stderr, r.stderr[-2000:]
    assert '"code"' in r.stdout  # it did lint
