"""The full format wraps its `= info:` notes to the terminal's width (COLUMNS), continued under the first
word; piped without COLUMNS, and in files, a note stays one line."""

from conftest import run_cli

SOURCE = "import torch.nn as nn\n\nlayer = nn.BatchNorm2d(3, eps=1e-5)\n"

WRAPPED_AT_60 = """\
m.py:3:9: DL201 [*] torch.nn.BatchNorm2d: `momentum` is implicit (0.1 in PyTorch 2.13)
  |
3 | layer = nn.BatchNorm2d(3, eps=1e-5)
  |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^ DL201
  |
  = info: Keras BatchNormalization uses momentum=0.99 (≙
          momentum=0.01 in this convention). torch keeps (1
          - momentum) of the old running statistic; Keras
          keeps momentum of it.
  = help: Write `momentum=0.1` explicitly

Found 1 finding in 1 file. [*] 1 fixable with the `--fix` option.
"""


def run(tmp_path, env=None):
    (tmp_path / "m.py").write_text(SOURCE, encoding="utf-8")
    return run_cli("m.py", "--select", "DL201", "--no-cache", cwd=tmp_path, env=env)


def test_info_is_wrapped_to_the_terminal_width(tmp_path):
    out = run(tmp_path, {"COLUMNS": "60"}).stdout
    assert out == WRAPPED_AT_60
    assert max(len(line) for line in out.splitlines() if line.startswith("  ")) <= 60


def test_piped_output_keeps_each_note_on_one_line(tmp_path):
    out = run(tmp_path, {"COLUMNS": ""}).stdout.splitlines()
    info = [line for line in out if line.startswith("  = info:")]
    assert info == ["  = info: Keras BatchNormalization uses momentum=0.99 (≙ momentum=0.01 in this convention). "
                    "torch keeps (1 - momentum) of the old running statistic; Keras keeps momentum of it."]


def test_a_width_too_narrow_to_wrap_leaves_the_note_whole(tmp_path):
    out = run(tmp_path, {"COLUMNS": "30"}).stdout.splitlines()
    assert sum(line.startswith("  = info:") for line in out) == 1 and not any(line.startswith("          ") for line in out)
