"""The fix of an implicit initialisation (core/initfix.py): the explicit torch.nn.init statement inserted after
the layer's assignment, spelled through the module's imports, graded unsafe; exact fixed texts."""

from __future__ import annotations

import textwrap

from conftest import ROOT, lint
from defaultlint.api import Linter
from defaultlint.core import fixer
from defaultlint.core.ftypes import Applicability
from defaultlint.project.config import Settings

INIT = ("DL101", "DL102", "DL103")


def fix(source, select=INIT, unsafe=True):
    linter = Linter(Settings(root=ROOT, select=list(select)))
    new, _, _ = linter.fix_text(textwrap.dedent(source), "t.py", unsafe=unsafe)
    again, applied, _ = linter.fix_text(new, "t.py", unsafe=unsafe)
    assert (again, applied) == (new, 0)  # a second fix changes nothing
    return new


MODEL = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)  # stem
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        return self.fc(self.conv(x))
"""


def test_the_fix_inserts_weight_and_bias_init_after_each_assignment_and_imports_math():
    assert fix(MODEL) == """\
import torch.nn as nn
import math


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)  # stem
        nn.init.kaiming_uniform_(self.conv.weight, a=math.sqrt(5))
        nn.init.uniform_(self.conv.bias, -1 / math.sqrt(self.conv.weight[0].numel()), 1 / math.sqrt(self.conv.weight[0].numel()))
        self.fc = nn.Linear(16, 10)
        nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))
        nn.init.uniform_(self.fc.bias, -1 / math.sqrt(self.fc.weight[0].numel()), 1 / math.sqrt(self.fc.weight[0].numel()))

    def forward(self, x):
        return self.fc(self.conv(x))
"""


def test_the_fix_is_unsafe_and_says_why():
    findings = [f for f in lint(MODEL, select=["DL101"]) if f.api == "torch.nn.Linear"]
    assert len(findings) == 1
    f = findings[0]
    assert f.fix.applicability is Applicability.UNSAFE and f.fixable
    assert f.fix.message == ("Insert `nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))` after the layer's "
                             "assignment (and import math) (unsafe: re-drawing consumes the random number stream: "
                             "the same distribution, other numbers for the same seed)")
    assert fix(MODEL, unsafe=False) == MODEL  # nothing without --unsafe-fixes


def test_a_module_level_layer_spelled_through_import_torch_with_math_already_imported():
    source = """\
    import math
    import torch

    emb = torch.nn.Embedding(1000, 64)
    fc = torch.nn.Linear(64, 2, bias=False)
    """
    assert fix(source) == """\
import math
import torch

emb = torch.nn.Embedding(1000, 64)
torch.nn.init.normal_(emb.weight, 0.0, 1.0)
fc = torch.nn.Linear(64, 2, bias=False)
torch.nn.init.kaiming_uniform_(fc.weight, a=math.sqrt(5))
"""


def test_from_torch_import_nn_and_a_file_without_a_final_newline():
    source = "from torch import nn\nlayer = nn.Bilinear(4, 5, 6, bias=False)"
    assert fix(source) == ("from torch import nn\nimport math\nlayer = nn.Bilinear(4, 5, 6, bias=False)\n"
                           "nn.init.uniform_(layer.weight, -1 / math.sqrt(layer.in1_features), "
                           "1 / math.sqrt(layer.in1_features))")


def test_crlf_line_endings_are_kept():
    source = "import math\r\nimport torch.nn as nn\r\nfc = nn.Linear(4, 2, bias=False)\r\nx = 1\r\n"
    assert fix(source) == ("import math\r\nimport torch.nn as nn\r\nfc = nn.Linear(4, 2, bias=False)\r\n"
                           "nn.init.kaiming_uniform_(fc.weight, a=math.sqrt(5))\r\nx = 1\r\n")


def test_what_stays_display_only():
    cases = [
        # no statement of its own to insert after
        "import torch.nn as nn\nhead = nn.Sequential(nn.Linear(4, 2, bias=False))\n",
        "import torch.nn as nn\nif True: fc = nn.Linear(4, 2, bias=False)\n",
        "import torch.nn as nn\nfc = nn.Linear(4, 2, bias=False); x = 1\n",
        "import torch.nn as nn\na = b = nn.Linear(4, 2, bias=False)\n",
        # the code needs a value of the call (hidden_size) or is more than one statement
        "import torch.nn as nn\nrnn = nn.LSTMCell(4, 8)\n",
        # `math` means something else here
        "import torch.nn as nn\nmath = 3\nfc = nn.Linear(4, 2, bias=False)\n",
    ]
    for source in cases:
        findings = lint(source, select=list(INIT))
        assert findings, source
        assert all(f.fix.applicability is Applicability.DISPLAY_ONLY for f in findings), source
        assert fix(source) == source


def test_a_partially_fixed_call_and_other_fixes_in_the_same_pass():
    source = """\
    import torch.nn as nn

    fc = nn.Linear(4, 2, bias=False)
    nn.init.kaiming_uniform_(fc.weight)
    conv = nn.Conv2d(3, 8, 3, bias=False)
    """
    # the explicit init on fc.weight counts; DL650's keyword fix and conv's inserted init apply together, and the
    # inserted call is then checked like any other
    assert fix(source, select=[*INIT, "DL650"]) == """\
import torch.nn as nn
import math

fc = nn.Linear(4, 2, bias=False)
nn.init.kaiming_uniform_(fc.weight, a=0, mode='fan_in', nonlinearity='leaky_relu')
conv = nn.Conv2d(3, 8, 3, bias=False)
nn.init.kaiming_uniform_(conv.weight, a=math.sqrt(5), mode='fan_in', nonlinearity='leaky_relu')
"""


def test_the_guard_accepts_inserted_reference_calls_and_refuses_anything_else():
    old = "import torch.nn as nn\nfc = nn.Linear(4, 2)\ny = 1\n"
    ok = "import torch.nn as nn\nimport math\nfc = nn.Linear(4, 2)\nnn.init.uniform_(fc.bias, -1 / math.sqrt(fc.weight[0].numel()), 1)\ny = 1\n"
    assert fixer.keywords_only(old, ok, statements=True)
    for bad in ("fc = nn.Linear(4, 2)\nfc.weight = fc.bias\n", "fc = nn.Linear(4, 2)\nnn.init.uniform_(*fc.bias)\n",
                "fc = nn.Linear(4, 2)\nnn.init.uniform_([p for p in fc.parameters()])\n",
                "fc = nn.Linear(4, 2)\nnn.init.uniform_(fc.bias, f := 2)\n"):
        assert not fixer.keywords_only(old, "import torch.nn as nn\n" + bad + "y = 1\n", statements=True), bad
    assert not fixer.keywords_only(old, ok, statements=False)


def test_only_where_an_initialisation_counts():
    """In a function nothing calls, an inserted initialisation would not count and the finding would stay:
    no fix is offered there (and fixing never repeats a statement)."""
    never_called = "import torch.nn as nn\n\n\ndef build():\n    fc = nn.Linear(4, 2, bias=False)\n    return fc\n"
    assert [f.fix.applicability for f in lint(never_called, select=["DL101"])] == [Applicability.DISPLAY_ONLY]
    assert fix(never_called) == never_called
    called = never_called + "\n\nnet = build()\n"
    assert fix(called) == ("import torch.nn as nn\nimport math\n\n\ndef build():\n    fc = nn.Linear(4, 2, bias=False)\n"
                           "    nn.init.kaiming_uniform_(fc.weight, a=math.sqrt(5))\n    return fc\n\n\nnet = build()\n")
