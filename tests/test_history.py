"""The history extractor reads signatures from wheels statically (nothing imported or run) and its output
joins the table as changes with provenance. Run here on small wheels the test builds itself."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

from conftest import lint  # noqa: F401  (conftest sets up the path)
from defaultlint.api import Linter
from defaultlint.project.config import Settings
from defaultlint.project.tables import load_table, rules_dir
from defaultlint.tools import history

FRAMEWORK = '''
[[framework]]
name = "visionlib"
display = "VisionLib"
family = "torch"
roots = ["visionlib"]
distributions = ["visionlib"]
classes_are_capitalized = true
'''

ROWS = '''
[meta]
framework = "visionlib"
verified_version = "2.0"

[[api]]
name = "visionlib.Rotate"
spellings = ["visionlib.ops.rotate.Rotate"]
kind = "class"
category = "image-transform"
signature = "(degrees, fill=0, expand=True)"
'''

V1 = {
    "visionlib/__init__.py": "from .ops import *\n",
    "visionlib/ops/__init__.py": "from .rotate import Rotate as Rotate\n__all__ = ['Rotate']\n",
    "visionlib/ops/rotate.py": ("EXPAND = False\nclass _Base:\n    def __init__(self, degrees, fill=0.0, expand=EXPAND):\n"
                                "        pass\nclass Rotate(_Base):\n    pass\n"),
}
V2 = {
    "visionlib/__init__.py": "from .ops import *\n",
    "visionlib/ops/__init__.py": "from .rotate import Rotate as Rotate\n",
    "visionlib/ops/rotate.py": ("import os\nos.system('echo never run')\n"
                                "class Rotate:\n    def __init__(self, degrees, fill=0, expand=True):\n        pass\n"),
}


def _wheel(folder: Path, version: str, files: dict[str, str]) -> history.Wheel:
    path = folder / f"visionlib-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
        z.writestr(f"visionlib-{version}.dist-info/METADATA", "Name: visionlib\n")
    return history.Wheel("visionlib", version, path, hashlib.sha256(path.read_bytes()).hexdigest())


def _rules(tmp: Path, extra: str = "") -> Path:
    root = tmp / "rules"
    shutil.copytree(rules_dir(), root)
    f = root / "frameworks.toml"
    text = f.read_text(encoding="utf-8")
    cut = text.index("[namespaces]")
    f.write_text(text[:cut] + FRAMEWORK.lstrip() + "\n" + text[cut:], encoding="utf-8")
    (root / "visionlib").mkdir()
    (root / "visionlib" / "transforms.toml").write_text(ROWS.lstrip(), encoding="utf-8")
    if extra:
        (root / "visionlib" / "history.toml").write_text(extra, encoding="utf-8")
    return root


def test_signatures_are_read_through_imports_bases_and_constants(tmp_path):
    wheel = _wheel(tmp_path, "1.0", V1)
    sources = history.Sources.of_wheel(wheel.path)
    table = load_table(str(_rules(tmp_path)))
    assert history.signature_defaults(sources, table.apis["visionlib.Rotate"]) == {"fill": "0.0", "expand": "False"}


def test_changes_between_releases_become_table_data(tmp_path):
    wheels = [_wheel(tmp_path, "1.0", V1), _wheel(tmp_path, "2.0", V2)]
    table = load_table(str(_rules(tmp_path / "a")))
    found = history.history(table, "visionlib", wheels)
    assert [(e.api, e.param, e.version, e.before, e.after) for e in found] == [
        ("visionlib.Rotate", "expand", "2.0", "False", "True")]  # fill 0.0 -> 0 is the same value
    text = history.to_toml("visionlib", "2.0", found, wheels)
    assert f'sha256 = "{wheels[1].sha256}"' in text

    with_history = load_table(str(_rules(tmp_path / "b", text)))
    (change,) = with_history.apis["visionlib.Rotate"].changes
    assert (change.version, change.before, change.after) == ((2,), "False", "True")
    assert change.source.startswith("visionlib-2.0-py3-none-any.whl (sha256 ")
    settings = Settings(root=Path("."), select=["DL902"], target_version={"visionlib": ">=1.0,<=2.0"})
    (f,) = Linter(settings, with_history).lint_text("import visionlib\nr = visionlib.Rotate(30)\n", "aug.py")
    assert "`expand` is implicit and its default changes within the targeted VisionLib >=1.0,<=2.0; " \
           "False (<2.0), True (>=2.0)" in f.message


def test_spellings_of_one_value_are_not_changes():
    for a, b in [("0", "0.0"), ("'relu'", "torch.nn.functional.relu"), ("'zeros'", "'Zeros'"),
                 ("torchvision.transforms.InterpolationMode.BILINEAR", "'bilinear'"),
                 ("keras.utils.losses_utils.ReductionV2.AUTO", "keras.src.utils.losses_utils.ReductionV2.AUTO")]:
        assert history._equal(a, b) and history._equal(b, a), (a, b)
    for a, b in [("0.0001", "0.001"), ("'auto'", "'sum_over_batch_size'"), ("'warn'", "True"),
                 ("keras.utils.ReductionV2.AUTO", "'sum_over_batch_size'")]:
        assert not history._equal(a, b), (a, b)


def test_defaults_are_normalised_as_the_table_writes_them():
    import ast

    fn = ast.parse("def f(self, a=1.0 / 3, act=F.relu, mode=MODE, k=-2):\n    pass\n").body[0]
    assert history.defaults(fn, method=True, constants={"MODE": ast.Constant("fan_in")},
                            imports={"F": "torch.nn.functional"}) == {
        "a": "0.3333333333333333", "act": "torch.nn.functional.relu", "mode": "'fan_in'", "k": "-2"}


def test_parameters_a_targeted_release_lacks_are_not_reported_and_fixes_stay_valid():
    src = "import torch\nloader = torch.utils.data.DataLoader(ds)\nmha = torch.nn.MultiheadAttention(8, 2)\n"
    table = load_table()
    assert table.apis["torch.nn.MultiheadAttention"].added["batch_first"] == (1, 9)

    def found(target):
        settings = Settings(root=Path("."), select=["ALL"], target_version={"torch": target})
        return {(f.api.rsplit(".", 1)[-1], p): f for f in Linter(settings, table).lint_text(src, "t.py")
                for p, _ in f.parameters}

    old = found("1.8")
    assert ("MultiheadAttention", "batch_first") not in old  # torch 1.8 has no batch_first
    spanning = found(">=1.8,<3")
    f = spanning[("MultiheadAttention", "batch_first")]
    assert f.fix.applicability == "unsafe" and "releases before PyTorch 1.9 reject `batch_first`" in f.fix.message
    assert found("2.13")[("MultiheadAttention", "batch_first")].fix.applicability == "safe"


def test_additions_are_read_from_wheels(tmp_path):
    v1 = {**V1, "visionlib/ops/rotate.py": "class Rotate:\n    def __init__(self, degrees, fill=0):\n        pass\n"}
    wheels = [_wheel(tmp_path, "1.0", v1), _wheel(tmp_path, "2.0", V2)]
    table = load_table(str(_rules(tmp_path / "a")))
    found = history.history(table, "visionlib", wheels)
    assert [(type(e).__name__, e.api, e.param, e.version) for e in found] == [
        ("Added", "visionlib.Rotate", "expand", "2.0")]
    loaded = load_table(str(_rules(tmp_path / "b", history.to_toml("visionlib", "2.0", found, wheels))))
    assert loaded.apis["visionlib.Rotate"].added == {"expand": (2,)}
