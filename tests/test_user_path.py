"""Rough edges of the command line a new user meets: a missing path, a closed pipe, frames after fixing."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT, run_cli


def test_a_missing_path_is_an_error_not_a_pass(tmp_path):
    r = run_cli(tmp_path / "missing.py", "--output-format", "concise")
    assert r.returncode == 1 and "missing.py:1:1: DL001 no such file or directory" in r.stdout
    assert "All checks passed" not in r.stdout + r.stderr


def test_a_closed_pipe_ends_quietly():
    many = "".join(f"bn{i} = nn.BatchNorm2d({i})\n" for i in range(3000))
    code = ("import subprocess, sys\n"
            "p = subprocess.Popen([sys.executable, '-m', 'defaultlint', '-', '--stdin-filename', 'm.py',"
            " '--select', 'ALL', '--output-format', 'concise'], stdin=subprocess.PIPE, stdout=subprocess.PIPE,"
            " stderr=subprocess.PIPE)\n"
            f"p.stdin.write({('import torch.nn as nn' + chr(10) + many)!r}.encode()); p.stdin.close()\n"
            "p.stdout.readline(); p.stdout.close()\n"
            "err = p.stderr.read().decode(); code = p.wait()\n"
            "print(code, 'internal error' in err, 'Traceback' in err)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.stdout.split() == ["1", "False", "False"], out.stdout + out.stderr


def test_frames_after_fixing_show_the_fixed_text(tmp_path):
    p = tmp_path / "m.py"
    p.write_text("import torch.nn as nn\nbn = nn.BatchNorm2d(\n    4,\n)\n"
                 "up = nn.Upsample(scale_factor=2, mode='bilinear')\n", encoding="utf-8")
    r = run_cli(p, "--fix", "--no-cache", "--select", "DL201,DL801", "--color", "never")
    assert p.read_text(encoding="utf-8").startswith("import torch.nn as nn\nbn = nn.BatchNorm2d(\n    4,\n"
                                                    "    momentum=0.1,\n)\n")  # the fix added a line
    assert "m.py:6:6: DL801" in r.stdout and "6 | up = nn.Upsample(scale_factor=2, mode='bilinear')" in r.stdout


def test_full_output_prints_locations_and_text_as_they_are(tmp_path):
    p = tmp_path / "m.py"
    p.write_text("import torch.nn as nn\n" + "\n" * 98 + "bn = nn.BatchNorm2d(4)  # [bold]not markup[/]\n",
                 encoding="utf-8")
    r = run_cli(p, "--no-cache", "--select", "DL201", "--color", "never")
    assert "m.py:100:6: DL201" in r.stdout  # never an emoji for ':100:'
    assert "100 | bn = nn.BatchNorm2d(4)  # [bold]not markup[/]" in r.stdout


def test_help_shows_the_check_options_and_rules_marks_the_default_selection():
    top = run_cli("--help")
    assert "Options of `defaultlint [check] PATH...`" in top.stdout and "--select" in top.stdout
    default = run_cli("rules")
    everything = run_cli("rules", "--all")
    assert "DL201 on " in default.stdout and "DL101 port" in default.stdout and "DL808" not in default.stdout
    assert "DL808      implicit-layer-option" in everything.stdout
    assert "on: in the default selection" in default.stderr and "more with --all" in default.stderr


def test_the_same_finding_on_many_layers_is_shown_once_with_its_places(tmp_path):
    p = tmp_path / "m.py"
    p.write_text("import torch.nn as nn\n" + "".join(f"b{i:02d} = nn.BatchNorm2d(4)\n" for i in range(15)),
                 encoding="utf-8")
    full = run_cli(p, "--no-cache", "--select", "DL201", "--color", "never")
    assert full.stdout.count("DL201 [*]") == 1
    assert "= also: 3:7, 4:7, 5:7, 6:7, 7:7, 8:7, 9:7, 10:7, 11:7, 12:7, 13:7, 14:7 and 2 more (the same finding at each)" \
        in full.stdout
    assert "Found 15 findings" in full.stdout
    concise = run_cli(p, "--no-cache", "--select", "DL201", "--output-format", "concise")
    assert concise.stdout.count("DL201") == 1 and concise.stdout.count("\n") == 2
    machine = run_cli(p, "--no-cache", "--select", "DL201", "--output-format", "json-lines")
    assert machine.stdout.count('"DL201"') == 15  # machine formats keep one entry per call


SAME = ("import torch.nn as nn\nb0 = nn.BatchNorm2d(4)\nb1 = nn.BatchNorm2d(4)\n"
        "b2 = nn.BatchNorm2d(8, momentum=0.1)\n")


def test_repeated_findings_exact_text_output(tmp_path):
    (tmp_path / "m.py").write_text(SAME, encoding="utf-8")
    args = ("m.py", "--no-cache", "--select", "DL201,DL202", "--color", "never")
    full = run_cli(*args, cwd=tmp_path)
    assert full.stdout == EXPECTED_FULL
    concise = run_cli(*args, "--output-format", "concise", cwd=tmp_path)
    assert concise.stdout == EXPECTED_CONCISE
    for fmt in ("json", "sarif", "junit", "gitlab", "github", "lsp"):  # one entry per call
        out = run_cli(*args, "--output-format", fmt, cwd=tmp_path).stdout
        assert out.count("DL202") >= 3 and out.count("DL201") >= 2, fmt


def test_frames_show_the_right_line_whatever_the_line_endings(tmp_path):
    for ending in ("\n", "\r\n", "\r"):
        p = tmp_path / "m.py"
        p.write_bytes(ending.join(["import torch.nn as nn", "", "bn = nn.BatchNorm2d(4)", "x = 1", ""]).encode())
        r = run_cli(p, "--no-cache", "--select", "DL201", "--color", "never")
        assert "m.py:3:6: DL201" in r.stdout and "3 | bn = nn.BatchNorm2d(4)\n" in r.stdout, repr(ending)


def test_rule_is_rendered_on_a_terminal_and_markdown_when_piped():
    piped = run_cli("rule", "DL201")
    assert piped.stdout.startswith("# DL201 (implicit-norm-momentum)\n") and "|---|" in piped.stdout
    shown = run_cli("rule", "DL201", "--color", "always", env={"COLUMNS": "80"})
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown.stdout)
    assert "# " not in plain and "|---|" not in plain and "```" not in plain
    assert "\x1b[" in shown.stdout and "What it does" in plain
    assert max(len(line.rstrip()) for line in plain.splitlines()) <= 80
    assert "torch.nn.SyncBatchNorm" in plain  # API names are never cut short


EXPECTED_FULL = """\
m.py:2:6: DL201 [*] torch.nn.BatchNorm2d: `momentum` is implicit (0.1 in PyTorch 2.13)
  |
2 | b0 = nn.BatchNorm2d(4)
  |      ^^^^^^^^^^^^^^^^^ DL201
  |
  = info: Keras BatchNormalization uses momentum=0.99 (≙ momentum=0.01 in this convention). torch keeps (1 - momentum) of the old running statistic; Keras keeps momentum of it.
  = help: Write `momentum=0.1` explicitly
  = also: 3:6 (the same finding)

m.py:2:6: DL202 [*] torch.nn.BatchNorm2d: `eps` is implicit (1e-05 in PyTorch 2.13)
  |
2 | b0 = nn.BatchNorm2d(4)
  |      ^^^^^^^^^^^^^^^^^ DL202
  |
  = info: Keras BatchNormalization uses epsilon=0.001.
  = help: Write `eps=1e-05` explicitly
  = also: 3:6, 4:6 (the same finding at each)

Found 5 findings in 1 file. [*] 5 fixable with the `--fix` option.
"""

EXPECTED_CONCISE = """\
m.py:2:6: DL201 [*] torch.nn.BatchNorm2d: `momentum` is implicit (0.1 in PyTorch 2.13) (also 3:6)
m.py:2:6: DL202 [*] torch.nn.BatchNorm2d: `eps` is implicit (1e-05 in PyTorch 2.13) (also 3:6, 4:6)
Found 5 findings in 1 file. [*] 5 fixable with the `--fix` option.
"""
