"""Initialisation done by the model itself is tracked per layer tensor: an explicit initialisation hides the
implicit-initialisation finding of exactly the layers it reaches, and only where it runs."""

from __future__ import annotations

from conftest import lint

HEAD = "import torch.nn as nn\n"


def init_findings(source: str) -> set[tuple[int, str]]:
    return {(f.location.row, f.message.split(": ", 1)[1].split(" is implicit")[0]) for f in lint(HEAD + source)
            if "initialisation is implicit" in f.message}


def test_one_tensor_initialised_hides_only_its_own_fact():
    src = ("class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
           "        self.fc = nn.Linear(3, 4)\n        self.out = nn.Linear(4, 4)\n"
           "        nn.init.zeros_(self.fc.bias)\n")
    assert init_findings(src) == {(5, "weight initialisation"), (6, "weight initialisation"),
                                  (6, "bias initialisation")}


def test_in_place_tensor_methods_count():
    src = "fc = nn.Linear(3, 4)\nfc.weight.data.normal_(0, 0.02)\nfc.bias.data.zero_()\n"
    assert init_findings(src) == set()


def test_a_loop_over_modules_with_an_isinstance_guard_reaches_those_classes():
    src = ("class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
           "        self.conv = nn.Conv2d(3, 8, 3)\n        self.fc = nn.Linear(8, 2)\n"
           "        for m in self.modules():\n            if isinstance(m, nn.Conv2d):\n"
           "                nn.init.kaiming_normal_(m.weight, mode='fan_out')\n"
           "            elif isinstance(m, nn.Linear):\n                nn.init.normal_(m.weight, 0, 0.01)\n"
           "                nn.init.constant_(m.bias, 0)\n")
    assert init_findings(src) == {(5, "bias initialisation")}  # the conv's bias is left to the default


def test_a_function_given_to_apply_counts_and_one_never_used_does_not():
    applied = ("def init_fn(m):\n    if isinstance(m, nn.Linear):\n        nn.init.xavier_uniform_(m.weight)\n"
               "model = nn.Sequential(nn.Linear(3, 4))\nmodel.apply(init_fn)\n")
    assert init_findings(applied) == {(5, "bias initialisation")}
    unused = ("def init_fn(m):\n    nn.init.xavier_uniform_(m.weight)\n"
              "model = nn.Sequential(nn.Linear(3, 4))\n")
    assert init_findings(unused) == {(4, "weight initialisation"), (4, "bias initialisation")}


def test_model_zoo_init_hooks_count_without_a_visible_call():
    src = ("class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
           "        self.fc = nn.Linear(3, 4)\n"
           "    def _init_weights(self, module):\n        if isinstance(module, nn.Linear):\n"
           "            module.weight.data.normal_(mean=0.0, std=0.02)\n"
           "            if module.bias is not None:\n                module.bias.data.zero_()\n")
    assert init_findings(src) == set()


def test_other_tensors_are_not_layer_initialisation():
    src = "fc = nn.Linear(3, 4)\nfc.pos_embed.data.normal_()\nnoise = x.normal_()\n"
    assert init_findings(src) == {(2, "weight initialisation"), (2, "bias initialisation")}


def test_initialisers_of_other_modules_and_assigned_tensors_count():
    src = ("from timm.layers import trunc_normal_\n"
           "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
           "        self.fc = nn.Linear(3, 4)\n        self.apply(self._init)\n"
           "    def _init(self, m):\n        if isinstance(m, nn.Linear):\n            trunc_normal_(m.weight, std=.02)\n"
           "    def _init_weights(self, module):\n        if isinstance(module, nn.Linear):\n"
           "            module.bias.data = nn.init.zeros_(module.bias.data)\n")
    assert init_findings(src) == set()


def test_in_place_functions_by_name_and_attributes_of_a_parameter():
    src = ("from timm.layers import trunc_normal_tf_\n"
           "class Attn(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
           "        self.q_proj = nn.Linear(3, 3, bias=False)\n        self.other = nn.Linear(3, 3, bias=False)\n"
           "def _init_weights(module):\n    trunc_normal_tf_(module.q_proj.weight, std=0.02)\n")
    assert init_findings(src) == {(7, "weight initialisation")}  # self.other is not reached


def test_type_comparisons_narrow_like_isinstance():
    layers = "emb = nn.Embedding(10, 4)\nfc = nn.Linear(4, 4)\nconv = nn.Conv2d(3, 8, 3)\n"
    for guard in ("type(m) == nn.Linear", "type(m) is nn.Linear", "nn.Linear == type(m)",
                  "type(m) in (nn.Linear,)", "type(m) == nn.Linear or isinstance(m, nn.Linear)"):
        src = layers + f"def init_fn(m):\n    if {guard}:\n        nn.init.xavier_uniform_(m.weight)\n" \
                       "model.apply(init_fn)\n"
        assert init_findings(src) == {(2, "weight initialisation"), (4, "weight initialisation"),
                                      (4, "bias initialisation"), (3, "bias initialisation")}, guard
    both = layers + ("def init_fn(m):\n    if type(m) == nn.Linear or type(m) == nn.Conv2d:\n"
                     "        nn.init.xavier_uniform_(m.weight)\nmodel.apply(init_fn)\n")
    assert init_findings(both) == {(2, "weight initialisation"), (3, "bias initialisation"),
                                   (4, "bias initialisation")}
    # an `or` with a branch that narrows nothing lets any layer through
    loose = layers + ("def init_fn(m):\n    if type(m) == nn.Linear or m.weight.dim() > 1:\n"
                      "        nn.init.xavier_uniform_(m.weight)\nmodel.apply(init_fn)\n")
    assert init_findings(loose) == {(3, "bias initialisation"), (4, "bias initialisation")}


def test_a_function_defined_in_a_function_never_called_does_not_count():
    src = ("fc = nn.Linear(4, 4)\n"
           "def train(net):\n    def init_weights(m):\n        if isinstance(m, nn.Linear):\n"
           "            nn.init.xavier_uniform_(m.weight)\n    net.apply(init_weights)\n")
    assert init_findings(src) == {(2, "weight initialisation"), (2, "bias initialisation")}
    called = src + "train(model)\n"
    assert init_findings(called) == {(2, "bias initialisation")}
