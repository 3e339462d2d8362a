"""The garbage-collector pause: off inside, back on after, frozen only in a one-run process."""

import gc
import subprocess
import sys

from defaultlint.project.gcpause import paused, pausing


def test_paused_blocks_nest_and_restore_the_collector():
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
        with paused(keep=True):
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block decides
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # this process lives on: nothing frozen
    assert pausing(lambda: gc.isenabled())() is False
    assert gc.isenabled()


def test_a_one_run_process_freezes_what_it_keeps():
    code = ("import gc\nfrom defaultlint.project.gcpause import one_run_process, paused\none_run_process()\n"
            "with paused(keep=True):\n    kept = [[i] for i in range(1000)]\nprint(gc.get_freeze_count() >= 1000)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
