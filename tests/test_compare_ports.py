"""compare on real ports (tests/data/ports, excerpts with provenance) and the behaviours a CI gate needs."""

import json
import textwrap

from conftest import run_cli

from defaultlint.audit.accept import PortFile, PortFileError
from defaultlint.audit.compare import Side, compare_entries, load_side
from defaultlint.audit.manifest import entries_for_text
from defaultlint.audit.rewrite import rewrite
from defaultlint.core.checker import Rules
from defaultlint.project.tables import load_table

DATA = "tests/data/ports"


def run(a: str, b: str, port: PortFile | None = None, tmp_path=None):
    table = load_table()
    rules = Rules(frozenset())
    pa, pb = tmp_path / "a.py", tmp_path / "b.py"
    pa.write_text(textwrap.dedent(a))
    pb.write_text(textwrap.dedent(b))
    sa, sb = load_side(pa, table, rules), load_side(pb, table, rules)
    return compare_entries(sa.entries, sb.entries, table, "a.py", "b.py", sa, sb, port)


def test_bert_excerpt_same_distribution_through_helper_and_init_weights_is_agreement():
    r = run_cli("compare", f"{DATA}/bert_tf.py", f"{DATA}/bert_pt.py", "--format", "json")
    assert r.returncode == 0, r.stdout
    data = json.loads(r.stdout)
    assert data["divergences"] == [] and data["summary"]["paired"] == 4
    # the initializer object the helper builds is a call of its own (a table row) with no torch partner: the
    # torch side initialises through a tensor method; the Dense pairs compare it through kernel_initializer
    assert [(u["api"], u["scope"]) for u in data["unpaired"]] == [("keras.initializers.TruncatedNormal",
                                                                   "get_initializer")]
    dense = [p for p in data["pairs"] if p["kind"] == "Dense ↔ Linear"]
    assert all("stored as dense" in p["evidence"] for p in dense)
    assert all(any("truncated_normal" in n and "normal(mean=0.0, std=config.initializer_range)" in n
                   for n in p["agreed"]) for p in dense)


def test_d2l_excerpt_reports_the_one_real_divergence():
    r = run_cli("compare", f"{DATA}/d2l_tf.py", f"{DATA}/d2l_pt.py", "--format", "json")
    data = json.loads(r.stdout)
    assert r.returncode == 1
    assert [(d["a_param"], d["b_param"], d["fix"]) for d in data["divergences"]] == [("epsilon", "eps", "eps=0.001")]


def test_unknown_value_is_could_not_compare_never_agreement(tmp_path):
    c = run("""
        import keras
        def block(conv_args):
            return keras.layers.Conv2D(64, 5, **conv_args)
    """, """
        import torch
        class Block(torch.nn.Module):
            def __init__(self):
                self.conv = torch.nn.Conv2d(3, 64, 5, padding=2)
    """, tmp_path=tmp_path)
    params = {u.a_param for _, u in c.unknowns}
    assert {"padding", "kernel_initializer", "bias_initializer"} <= params
    assert not [d for d in c.divergences if d.a_param in params]


def test_kwargs_literal_dict_is_read(tmp_path):
    c = run("""
        import keras
        def block():
            conv_args = {"kernel_initializer": "Orthogonal", "padding": "same"}
            return keras.layers.Conv2D(64, 3, **conv_args)
    """, """
        import torch
        conv = torch.nn.Conv2d(3, 64, 3, padding=1)
    """, tmp_path=tmp_path)
    d = {x.a_param: x for x in c.divergences}
    assert d["kernel_initializer"].fix == "torch.nn.init.orthogonal_(layer.weight)"
    assert "padding" not in d and not c.unknowns


def test_an_extra_layer_does_not_shift_later_pairs(tmp_path):
    c = run("""
        import keras
        class TFHead(keras.layers.Layer):
            def __init__(self):
                self.dense = keras.layers.Dense(8)
                self.classifier = keras.layers.Dense(2)
    """, """
        import torch
        class Head(torch.nn.Module):
            def __init__(self):
                self.dense = torch.nn.Linear(4, 8)
                self.extra = torch.nn.Linear(8, 8)
                self.classifier = torch.nn.Linear(8, 2)
    """, tmp_path=tmp_path)
    pairs = {(p.a.line if p.a else None, p.b.line if p.b else None) for p in c.pairs}
    assert (6, 7) in pairs and (None, 6) in pairs
    assert any("stored as classifier" in e for p in c.pairs for e in p.evidence)


KERAS_CONV = """
import keras
def model():
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same")(x)
"""
TORCH_CONV = """
import torch
class Net(torch.nn.Module):
    def __init__(self):
        self.conv = torch.nn.Conv2d(3, 8, 3, 2, 1)
"""


def test_strided_same_padding_is_a_trap_with_an_asymmetric_pad_never_padding_same(tmp_path):
    c = run(KERAS_CONV, TORCH_CONV, tmp_path=tmp_path)
    trap = [d for d in c.divergences if d.trap == "strided_same_padding"]
    assert len(trap) == 1 and "torch.nn.functional.pad(x, (0, 1, 0, 1))" in trap[0].fix
    assert "'same'" not in "".join(p.fix for p in c.pairs)
    assert not [d for d in c.divergences if d.b_param == "padding"]


def test_accepting_divergences_makes_a_correct_port_exit_0(tmp_path):
    (tmp_path / "a.py").write_text(KERAS_CONV)
    (tmp_path / "b.py").write_text(TORCH_CONV)
    port = tmp_path / "port.toml"
    port.write_text(textwrap.dedent("""
        [[accept]]
        param = "data_format"
        reason = "the data pipeline feeds NCHW"
        [[accept]]
        param = "strided_same_padding"
        reason = "inputs are padded by the pipeline"
        [[accept]]
        param = "kernel_initializer"
        reason = "weights are loaded from the Keras checkpoint"
        [[accept]]
        param = "bias_initializer"
        reason = "weights are loaded from the Keras checkpoint"
    """))
    r = run_cli("compare", tmp_path / "a.py", tmp_path / "b.py", "--port", port, "--format", "json")
    assert r.returncode == 0, r.stdout
    assert len(json.loads(r.stdout)["accepted"]) == 4
    port.write_text('[[accept]]\nparam = "x"\n')  # no reason
    assert run_cli("compare", tmp_path / "a.py", tmp_path / "b.py", "--port", port).returncode == 2
    port.write_text('[[exclude]]\nat = "b.py:99"\n')  # matches no call: a stale file
    assert run_cli("compare", tmp_path / "a.py", tmp_path / "b.py", "--port", port).returncode == 2


def test_port_file_pins_and_validation():
    p = PortFile.parse('[[pin]]\na = "x.py:3"\nb = "y.py:4"\n')
    assert p.pins == [("x.py:3", "y.py:4")]
    for bad in ('[[pin]]\na = "x.py"\nb = "y.py:4"\n', '[[accept]]\nparam = "p"\nreason = "r"\nwhy = 1\n'):
        try:
            PortFile.parse(bad)
        except PortFileError:
            continue
        raise AssertionError(bad)


def test_layout_handled_by_an_explicit_permute_is_not_advice(tmp_path):
    c = run(KERAS_CONV, TORCH_CONV + "\n    def forward(self, x):\n        return self.conv(x.permute(0, 3, 1, 2))\n",
            tmp_path=tmp_path)
    assert not [d for d in c.divergences if d.a_param == "data_format"]
    assert [d.accepted for d in c.accepted if d.a_param == "data_format"][0].startswith("handled in the code")


def test_no_softmax_advice_when_b_has_no_softmax(tmp_path):
    keras_src = "import keras\nloss = keras.losses.SparseCategoricalCrossentropy()\n"
    c = run(keras_src, "import torch\nloss = torch.nn.CrossEntropyLoss()\n", tmp_path=tmp_path)
    assert not [d for d in c.divergences if "softmax" in d.fix]
    c = run(keras_src, "import torch\nloss = torch.nn.CrossEntropyLoss()\nout = torch.softmax(x, 1)\n",
            tmp_path=tmp_path)
    assert [d for d in c.divergences if "softmax" in d.fix]


def test_rewrites_never_overlap_positional_arguments():
    assert rewrite("nn.BatchNorm2d", [("num_features", "4"), ("eps", "1e-5"), ("momentum", "momentum=0.1")],
                   {"eps": "0.001", "momentum": "0.01"}) == "nn.BatchNorm2d(4, 0.001, momentum=0.01)"
    assert rewrite("f", [(None, "**kw")], {"eps": "1"}) is None  # the dict may pass eps too


def test_identical_divergences_are_shown_once_with_their_places(tmp_path):
    keras_src = "import keras\n" + "".join(f"d{i} = keras.layers.Dense(4)\n" for i in range(5))
    torch_src = "import torch\n" + "".join(f"d{i} = torch.nn.Linear(4, 4)\n" for i in range(5))
    c = run(keras_src, torch_src, tmp_path=tmp_path)
    from defaultlint.audit.compare import groups, to_markdown

    assert len(c.divergences) == 10 and len(groups(c.divergences)) == 2
    md = to_markdown(c)
    assert md.splitlines()[2].startswith("5 paired calls, 10 divergences in 2 distinct kinds")


def test_programs_under_different_precision_settings(tmp_path):
    c = run("import tensorflow as tf\nimport keras\nm = keras.Sequential()\nm.fit(x, y)\n",
            "import torch\nopt = torch.optim.SGD(p, lr=0.1)\nopt.step()\n", tmp_path=tmp_path)
    names = {(d.a_param, d.b_param) for d in c.program}
    assert names, "TF32 and determinism differ between a TensorFlow and a torch program"
    assert all(d.kind == "program" for d in c.program)
