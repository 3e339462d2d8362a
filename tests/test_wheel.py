"""The table ships inside the wheel: an installed, non-editable copy finds it and lints."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PROBE = """
import defaultlint, defaultlint.project.tables as t
from defaultlint.api import Linter
from defaultlint.project.config import Settings
from pathlib import Path
print(t.rules_dir())
fs = Linter(Settings(root=Path('.'))).lint_text('import torch.nn as nn\\nnn.BatchNorm2d(3)\\n')
print(sorted(f.code for f in fs))
"""


def test_installed_wheel_finds_the_table(tmp_path):
    wheels = tmp_path / "wheels"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(wheels), str(ROOT)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (wheel,) = wheels.glob("defaultlint-*.whl")
    target = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                        str(wheel)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    env = {**os.environ, "PYTHONPATH": str(target)}
    r = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    rules, codes = r.stdout.splitlines()
    assert Path(rules).is_relative_to(target)
    assert (Path(rules) / "codes.toml").is_file()
    assert codes == "['DL201']"
