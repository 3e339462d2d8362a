"""Framework classes bound to a name and constructed later: `norm_layer = nn.BatchNorm2d`, then `norm_layer(64)`.

When the assignment is the name's only binding in reach, the calls through the name are the class's calls.
When other bindings may replace it (a parameter it is the fallback of, another branch), the class is reported
at the assignment (DL901), and the message says the binding may not be the one in force; a parameter's
default is reported the same way, saying that callers may pass another class.
"""

from conftest import lint

NN = "import torch.nn as nn\n"


def dl901(source):
    return [(f.location.row, f.api, f.message) for f in lint(source, select=["ALL"]) if f.code == "DL901"]


def calls(source):
    return sorted({(f.location.row, f.api) for f in lint(source, select=["ALL"]) if f.code != "DL901"})


def test_a_class_bound_once_is_called_through_its_name():
    src = NN + "norm = nn.BatchNorm2d\nbn = norm(64)\n"
    assert calls(src) == [(3, "torch.nn.BatchNorm2d")]
    assert dl901(src) == []  # reported once, at the call


def test_a_class_bound_once_in_a_function_is_called_through_its_name():
    src = NN + "def block():\n    norm_layer = nn.BatchNorm2d\n    return norm_layer(64, eps=1e-3)\n"
    assert calls(src) == [(4, "torch.nn.BatchNorm2d")]
    assert dl901(src) == []


def test_the_fallback_of_a_parameter_is_reported_at_the_assignment():
    src = NN + (
        "class Block(nn.Module):\n"
        "    def __init__(self, norm_layer=None):\n"
        "        if norm_layer is None:\n"
        "            norm_layer = nn.BatchNorm2d\n"
        "        self.bn = norm_layer(64)\n")
    assert calls(src) == []  # the call may construct another class: not the BatchNorm2d call
    [(row, api, message)] = dl901(src)
    assert (row, api) == (5, "torch.nn.BatchNorm2d")
    assert "assigned to `norm_layer`, which other bindings may replace" in message
    assert "eps=1e-05, momentum=0.1" in message


def test_a_class_bound_two_ways_is_reported_at_each_binding():
    src = NN + "def f(c):\n    norm = nn.BatchNorm2d if c else nn.LayerNorm\n    if c:\n        act = nn.GELU\n" \
               "    else:\n        act = nn.ReLU\n    return norm, act\n"
    # the conditional expression is not a class: nothing for it; GELU has a default (approximate), ReLU none
    assert [(row, api) for row, api, _ in dl901(src)] == [(5, "torch.nn.GELU")]


def test_a_parameter_default_says_callers_may_pass_another_class():
    src = NN + "def make(norm_layer=nn.BatchNorm2d, *, act=nn.GELU):\n    return norm_layer(32)\n"
    found = dl901(src)
    assert [(row, api) for row, api, _ in found] == [(2, "torch.nn.BatchNorm2d"), (2, "torch.nn.GELU")]
    assert "the default of `norm_layer` (callers may pass another class)" in found[0][2]
    assert "the default of `act`" in found[1][2]
    assert calls(src) == []


def test_a_name_bound_to_a_name_or_to_nothing_known_is_not_reported():
    src = NN + "import mylib\nnorm = mylib.Norm\nother = nn.Module\nx = nn.functional\n"
    assert dl901(src) == []


def test_an_assigned_class_passed_on_is_reported_once():
    src = NN + "norm = nn.BatchNorm2d\nmake(norm_layer=norm)\n"
    assert [(row, api) for row, api, _ in dl901(src)] == [(3, "torch.nn.BatchNorm2d")]
    assert "passed as a value" in dl901(src)[0][2]


def test_calls_through_the_name_decide_what_is_implicit():
    head = NN + "def block(norm_layer, kw):\n    if norm_layer is None:\n        norm_layer = nn.BatchNorm2d\n"
    [(_, _, message)] = dl901(head + "    return norm_layer(64, eps=1e-3)\n")
    assert "momentum=0.1" in message and "eps" not in message
    # every keyword hidden by an unknown **kw: nothing is known to be implicit (the initialisation stays)
    assert dl901(head + "    return norm_layer(64, **kw)\n") == []
    # two calls: implicit where either leaves it so
    [(_, _, message)] = dl901(head + "    a = norm_layer(64, eps=1e-3)\n    return norm_layer(64, momentum=0.01)\n")
    assert "eps=1e-05" in message and "momentum=0.1" in message
