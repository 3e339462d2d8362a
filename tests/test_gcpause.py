"""The garbage-collector pause: only in defaultlint's own processes; frozen only in a one-run process."""

import gc
import subprocess
import sys
from pathlib import Path

from defaultlint.project import gcpause
from defaultlint.project.gcpause import paused, pausing


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_an_embedding_program_keeps_its_collector():
    assert gcpause.mode() is gcpause.Mode.EMBEDDED
    with paused():
        assert gc.isenabled()
    assert pausing(lambda: gc.isenabled())() is True


def test_the_library_api_leaves_the_collector_alone(tmp_path: Path):
    code = ("import gc\nfrom pathlib import Path\nfrom defaultlint.api import Linter\n"
            "from defaultlint.project.config import Settings\n"
            "seen = []\ngc.callbacks.append(lambda phase, info: seen.append(gc.isenabled()))\n"
            "linter = Linter(Settings(root=Path('.')))\n"
            "linter.lint_text('import torch\\nm = torch.nn.BatchNorm2d(4)\\n', 'm.py')\n"
            "linter.fix_text('import torch\\nm = torch.nn.BatchNorm2d(4)\\n', 'm.py')\n"
            "print(gc.isenabled(), gc.get_freeze_count())")
    assert _run(code) == "True 0"


def test_own_long_lived_process_pauses_blocks_and_nests():
    code = ("import gc\nfrom defaultlint.project.gcpause import own_process, paused\nown_process(one_run=False)\n"
            "with paused():\n    a = gc.isenabled()\n    with paused(keep=True):\n        b = gc.isenabled()\n"
            "    c = gc.isenabled()\nprint(a, b, c, gc.isenabled(), gc.get_freeze_count())")
    assert _run(code) == "False False False True 0"


def test_a_one_run_process_freezes_what_it_keeps():
    code = ("import gc\nfrom defaultlint.project.gcpause import own_process, paused\nown_process(one_run=True)\n"
            "with paused(keep=True):\n    kept = [[i] for i in range(1000)]\nprint(gc.get_freeze_count() >= 1000)")
    assert _run(code) == "True"
