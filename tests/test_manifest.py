import json
import textwrap

from conftest import ROOT, run_cli

from defaultlint.core.checker import Rules
from defaultlint.audit.manifest import EXPLICIT, IMPLICIT, UNKNOWN, entries_for_text, from_json, to_json, to_markdown
from defaultlint.project.tables import load_table
from defaultlint.core.versions import parse_range


def manifest(src: str, targets=None):
    table = load_table()
    return entries_for_text(textwrap.dedent(src), "m.py", table, Rules(frozenset(), targets or {}))


def params(entry):
    return {h.name: (h.value, h.source) for h in entry.params}


def test_explicit_and_implicit_values_in_source_order():
    entries = manifest("""
        import torch.nn as nn
        width = 64
        a = nn.BatchNorm2d(width, momentum=0.2)
        b = nn.Linear(width * 2, 10)
    """)
    assert [e.api for e in entries] == ["torch.nn.BatchNorm2d", "torch.nn.Linear"]
    bn, lin = entries
    assert (bn.line, bn.framework, bn.callee) == (4, "torch", "nn.BatchNorm2d")
    p = params(bn)
    assert p["num_features"] == ("width", EXPLICIT)
    assert p["momentum"] == ("0.2", EXPLICIT)
    assert p["eps"] == ("1e-05", IMPLICIT)
    assert "device" not in p and "dtype" not in p
    q = params(lin)
    assert q["in_features"] == ("width * 2", EXPLICIT)
    assert q["weight_init"] == ("kaiming_uniform_(a=math.sqrt(5))", IMPLICIT)
    assert q["bias_init"][1] == IMPLICIT


def test_resolved_sentinel_and_keyword_nested_call():
    entries = manifest("""
        import keras
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3))
        conv = keras.layers.Conv2D(8, 3)
    """)
    assert [e.api for e in entries] == ["keras.optimizers.Adam", "keras.layers.Conv2D"]
    assert params(entries[0])["epsilon"] == ("1e-07", IMPLICIT)
    fmt = entries[1].get("data_format")
    assert (fmt.value, fmt.source) == ("'channels_last'", IMPLICIT)
    assert "image_data_format" in fmt.note


def test_kwargs_and_torch_init_make_values_unknown():
    entries = manifest("""
        import torch
        kw = make_kwargs()
        layer = torch.nn.Linear(3, 4, **kw)
        torch.nn.init.zeros_(layer.bias)
    """)
    assert [e.api for e in entries] == ["torch.nn.Linear"]
    p = params(entries[0])
    assert p["bias"] == ("?", UNKNOWN)
    assert p["bias_init"] == ("?", UNKNOWN)  # initialised by the module itself
    assert p["weight_init"] == ("kaiming_uniform_(a=math.sqrt(5))", UNKNOWN)  # **kw may not touch it, but who knows


def test_target_version_changes_implicit_value():
    src = "import torch\nopt = torch.optim.SGD(params)\n"
    new = params(manifest(src)[0])
    assert new["lr"] == ("0.001", IMPLICIT)
    old = manifest(src, {"torch": parse_range("<2.2")})
    assert "lr" not in params(old[0])  # required before 2.2: nothing implicit
    assert old[0].version == "<2.2"  # the range as written, never an invented release


def test_json_round_trip_and_markdown():
    entries = manifest("import torch.nn as nn\nbn = nn.BatchNorm2d(8)\n")
    data = json.loads(to_json(entries))
    assert data["defaultlint_manifest"] == 1
    assert from_json(to_json(entries)) == entries
    md = to_markdown(entries)
    assert "| `m.py:2` | PyTorch 2.13 | `torch.nn.BatchNorm2d` | `num_features` | `8` | explicit |" in md
    assert "| `momentum` | `0.1` | implicit |" in md


def test_cli_formats():
    r = run_cli("manifest", "examples/keras_classifier.py", "--format", "json")
    assert r.returncode == 0, r.stderr
    calls = json.loads(r.stdout)["calls"]
    assert [c["api"].rsplit(".", 1)[-1] for c in calls][:2] == ["Conv2D", "BatchNormalization"]
    assert "keras.optimizers.Adam" in [c["api"] for c in calls]
    r = run_cli("manifest", "examples/torch_port.py", "--format", "markdown")
    assert r.returncode == 0 and "| `examples/torch_port.py:13` |" in r.stdout
    r = run_cli("manifest", "examples/torch_port.py", env={"COLUMNS": "200"})
    assert r.returncode == 0 and "torch.nn.BatchNorm2d" in r.stdout and "momentum=0.1 (implicit)" in r.stdout
    r = run_cli("manifest", "no/such/file.py")
    assert r.returncode == 2 and "no such file" in r.stderr
    assert (ROOT / "examples").is_dir()


def test_terminal_manifest_fits_80_columns_without_breaking_words():
    r = run_cli("manifest", "examples/torch_port.py", env={"COLUMNS": "80"})
    assert r.returncode == 0, r.stderr
    assert "\nexamples/torch_port.py:12  torch.nn.Conv2d  (PyTorch 2.13)\n" in r.stdout
    assert "\n  weight_init=kaiming_uniform_(a=math.sqrt(5)) (implicit)\n" in r.stdout
    assert all(len(line) <= 80 for line in r.stdout.splitlines())
