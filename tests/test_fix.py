"""The autofix: exact before/after text for every fixable code, layout kept, files never lost, the CLI surface.

Fixture pairs live in tests/fixtures/fix/<name>.in.py and <name>.out.py. The first line of an input,
`# fixture: select=ALL unsafe target:torch=>=2.1,<2.7`, says how it is fixed (select=DEFAULT is the default
selection; `unsafe` applies unsafe fixes too).
"""

from __future__ import annotations

import ast
import os
import stat
import warnings
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from defaultlint import api as api_module
from defaultlint.core import fixer
from defaultlint.api import FixOutcome, Linter, write_atomic
from defaultlint.core.checker import _is_literal
from defaultlint.project.config import Settings
from defaultlint.core.table import KW_ONLY, POS_OR_KW, REQUIRED
from defaultlint.project.tables import load_table

FIXTURES = ROOT / "tests" / "fixtures" / "fix"
CASES = sorted(p.name[: -len(".in.py")] for p in FIXTURES.glob("*.in.py"))


# -- helpers shared with test_fix_semantics ----------------------------------------------------------------
def fixture_options(text: str) -> tuple[Settings, bool]:
    first = text.splitlines()[0]
    assert first.startswith("# fixture:"), "a fixture's first line says how it is fixed"
    select, unsafe, target = ["ALL"], False, {}
    for word in first[len("# fixture:"):].split():
        if word.startswith("select="):
            select = [] if word == "select=DEFAULT" else word[len("select="):].split(",")
        elif word == "unsafe":
            unsafe = True
        elif word.startswith("target:"):
            fw, _, spec = word[len("target:"):].partition("=")
            target[fw] = spec
        else:
            raise AssertionError(f"unknown fixture option {word!r}")
    return Settings(root=ROOT, select=select, target_version=target), unsafe


def fix_case(name: str):
    """(linter, unsafe, original text, fixed text, applied findings, remaining findings) of one fixture."""
    text = (FIXTURES / f"{name}.in.py").read_text(encoding="utf-8")
    settings, unsafe = fixture_options(text)
    linter = Linter(settings)
    new, applied, remaining = linter.fix_text_detailed(text, f"{name}.py", unsafe)
    return linter, unsafe, text, new, applied, remaining


def fixable_codes() -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Every code a fix can write, from the table: code -> (an API, its parameters of that code and values)."""
    table = load_table()
    out: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for a in table.apis.values():
        per_code: dict[str, list[tuple[str, str]]] = {}
        for p in a.params:
            if p.kind not in (POS_OR_KW, KW_ONLY) or not table.is_hyper(a, p):
                continue
            value = a.current(p.name)
            if value is None or value == REQUIRED or not _is_literal(value):
                continue
            per_code.setdefault(table.code_for(a, p.name), []).append((p.name, value))
        for code, params in per_code.items():
            if code not in out or (a.kind != "method" and out[code][0] in _METHODS):
                out[code] = (a.name, params)
        if any(c.param in {p.name for p in a.params} for c in a.changes):
            out.setdefault("DL902", (a.name, []))
    return out


_METHODS = {a.name for a in load_table().apis.values() if a.kind == "method"}


def addressed_codes() -> set[str]:
    return {f.code for name in CASES for f in fix_case(name)[4]}


# -- proof (1): exact text for every fixable code -------------------------------------------------------------
@pytest.mark.parametrize("name", CASES)
def test_fixture_output_is_exact(name):
    _, _, _, new, applied, _ = fix_case(name)
    expected = (FIXTURES / f"{name}.out.py").read_text(encoding="utf-8")
    assert new == expected
    assert applied, f"fixture {name} fixes nothing"


def test_every_fixable_code_has_an_exact_case():
    """Each fixable code has its exact fixed text in a fixture here or in an example of the table
    (tests/test_examples.py runs those); every one is also reached by a generated before/after case."""
    table = load_table()
    in_examples = {c.code for c in table.codes.values() for e in c.examples if e.fixed or e.unsafe_fixed}
    missing = sorted(set(fixable_codes()) - addressed_codes() - in_examples)
    assert not missing, f"fixable codes with no exact fixed text anywhere: {missing}"
    unreached = [code for code, (api, params) in fixable_codes().items()
                 if params and not _check_generated_case(code, api, params)]  # DL902 needs a target range
    assert not unreached, f"fixable codes no generated case reaches: {unreached}"


def _check_generated_case(code: str, api_name: str, params: list[tuple[str, str]]) -> bool:
    table = load_table()
    a = table.apis[api_name]
    if not params:
        return False
    required = [p for p in a.params if p.default is None and p.kind in (POS_OR_KW,)]
    args = ", ".join("1" for _ in required)
    root = api_name.split(".")[0]
    prefix, callee = f"import {root}\n\n", api_name
    if a.kind == "method":  # called on an instance of its first receiver
        if not a.receivers:
            return False
        receiver = table.apis.get(a.receivers[0])  # a class without a row of its own is built without arguments
        built = "" if receiver is None else \
            ", ".join("1" for p in receiver.params if p.default is None and p.kind in (POS_OR_KW,))
        prefix += f"obj = {a.receivers[0]}({built})\n"
        callee = f"obj.{api_name.rsplit('.', 1)[1]}"
    before = f"{prefix}x = {callee}({args})\n"
    added = ", ".join(f"{n}={v}" for n, v in params)
    after = f"{prefix}x = {callee}({args}{', ' if args else ''}{added})\n"
    linter = Linter(Settings(root=ROOT, select=[code]))
    new, _, _ = linter.fix_text(before, "generated.py", unsafe=True)
    assert new == after, f"generated case for {code} ({api_name})"
    return True


def test_fixable_codes_come_from_the_table():
    codes = fixable_codes()
    assert {"DL201", "DL202", "DL302"} <= set(codes)
    assert "DL001" not in codes and "DL901" not in codes


# -- proof (4) lives in test_fix_semantics; layout details -------------------------------------------------
def fix(source: str, select=("ALL",), unsafe=False, target=None) -> str:
    linter = Linter(Settings(root=ROOT, select=list(select), target_version=dict(target or {})))
    return linter.fix_text(source, "t.py", unsafe)[0]


def test_one_line_call_stays_one_line_and_arguments_follow_the_signature():
    assert fix("import torch.nn as nn\nnn.BatchNorm2d(4)\n", select=["DL201", "DL202"]) == \
        "import torch.nn as nn\nnn.BatchNorm2d(4, eps=1e-05, momentum=0.1)\n"


def test_nested_calls_and_several_calls_are_fixed_in_one_pass():
    from defaultlint.core.fixer import apply_fixes

    linter = Linter(Settings(root=ROOT, select=["DL201", "DL202", "DL302"]))
    src = ("import torch\nopt = torch.optim.Adam(torch.nn.BatchNorm1d(2).parameters(), lr=0.1)\n"
           "bn = torch.nn.BatchNorm1d(3)\n")
    new, done = apply_fixes(src, linter.lint_text(src, "t.py"), order=linter._param_order)
    assert len(done) == 5
    assert new == ("import torch\nopt = torch.optim.Adam(torch.nn.BatchNorm1d(2, eps=1e-05, momentum=0.1).parameters(), "
                   "lr=0.1, eps=1e-08)\nbn = torch.nn.BatchNorm1d(3, eps=1e-05, momentum=0.1)\n")


def test_a_call_that_cannot_take_the_argument_does_not_block_the_others():
    import libcst as cst

    from defaultlint.core import fixer

    assert fixer.call_edit("f(x for x in y)", 0, 15, [("dim", "0")]).content == "(x for x in y), dim=0"
    real = fixer.add_keywords
    calls = []

    def once_broken(call, params):  # the first call gets a positional argument after the keywords
        calls.append(1)
        out = real(call, params)
        return out.with_changes(args=[*out.args, cst.Arg(cst.Integer("1"))]) if len(calls) == 1 else out

    src = "import torch.nn as nn\na = nn.BatchNorm1d(2)\nb = nn.BatchNorm1d(3)\n"
    findings = _linter(["DL202"]).lint_text(src, "t.py")
    fixer.add_keywords = once_broken
    try:
        new, done = fixer.apply_fixes(src, findings)
    finally:
        fixer.add_keywords = real
    assert new == "import torch.nn as nn\na = nn.BatchNorm1d(2)\nb = nn.BatchNorm1d(3, eps=1e-05)\n"
    assert len(done) == 1


def test_crlf_stays_crlf():
    src = "import torch.nn as nn\r\nx = nn.BatchNorm2d(\r\n    4,\r\n)\r\n"
    out = fix(src, select=["DL202"])
    assert out == "import torch.nn as nn\r\nx = nn.BatchNorm2d(\r\n    4,\r\n    eps=1e-05,\r\n)\r\n"


def test_unsafe_fix_needs_the_flag_and_says_why():
    src = "import keras\nkeras.layers.Conv2D(8, 3)\n"
    assert fix(src, select=["DL401"]) == src
    assert fix(src, select=["DL401"], unsafe=True) == \
        "import keras\nkeras.layers.Conv2D(8, 3, data_format='channels_last')\n"
    linter = Linter(Settings(root=ROOT, select=["DL401"]))
    (f,) = linter.lint_text(src, "t.py")
    assert f.fix.applicability == "unsafe" and "image_data_format" in f.fix.message


def test_version_range_spanning_a_change_is_unsafe():
    src = "import torch\ntorch.optim.SGD(p)\n"
    linter = Linter(Settings(root=ROOT, select=["ALL"], target_version={"torch": ">=2.1,<2.7"}))
    (f,) = [f for f in linter.lint_text(src, "t.py") if f.code == "DL902"]
    assert f.fix.applicability == "unsafe" and "differs across" in f.fix.message


def test_torch_init_is_display_only_with_the_explicit_code():
    linter = Linter(Settings(root=ROOT, select=["DL101"]))
    (f,) = linter.lint_text("import torch.nn as nn\nnn.Linear(2, 3)\n", "t.py")
    assert f.fix.applicability == "display-only" and not f.fix.edits
    assert "torch.nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5))" in f.fix.message


def test_fix_respects_fixable_and_unfixable():
    src = "import torch.nn as nn\nnn.BatchNorm2d(4)\n"
    s = Settings(root=ROOT, select=["DL201", "DL202"], unfixable=["DL201"])
    assert Linter(s).fix_text(src, "t.py")[0] == "import torch.nn as nn\nnn.BatchNorm2d(4, eps=1e-05)\n"
    s = Settings(root=ROOT, select=["DL201", "DL202"], fixable=["DL201"])
    assert Linter(s).fix_text(src, "t.py")[0] == "import torch.nn as nn\nnn.BatchNorm2d(4, momentum=0.1)\n"


# -- files: encoding, BOM, permissions, atomicity ----------------------------------------------------------
def _linter(select=("DL201", "DL202")) -> Linter:
    return Linter(Settings(root=ROOT, select=list(select)))


def test_file_keeps_bom_encoding_crlf_and_permissions(tmp_path):
    p = tmp_path / "m.py"
    src = "# -*- coding: latin-1 -*-\r\n# caf\xe9\r\nimport torch.nn as nn\r\nnn.BatchNorm2d(4)\r\n"
    p.write_bytes(src.encode("latin-1"))
    os.chmod(p, 0o640)
    r = _linter().lint_file(p, fix=True)
    assert r.fixes_applied == 2 and not r.error
    assert p.read_bytes() == src.replace("(4)", "(4, eps=1e-05, momentum=0.1)").encode("latin-1")
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    q = tmp_path / "bom.py"
    q.write_bytes(b"\xef\xbb\xbfimport torch.nn as nn\nnn.BatchNorm2d(4)\n")
    _linter().lint_file(q, fix=True)
    assert q.read_bytes() == b"\xef\xbb\xbfimport torch.nn as nn\nnn.BatchNorm2d(4, eps=1e-05, momentum=0.1)\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["bom.py", "m.py"]


def test_interrupted_write_leaves_the_original_and_no_temp_file(tmp_path, monkeypatch):
    p = tmp_path / "m.py"
    p.write_bytes(b"old")

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(p, b"new", expected=b"old")
    assert p.read_bytes() == b"old"
    assert [x.name for x in tmp_path.iterdir()] == ["m.py"]


def test_failed_write_reports_and_keeps_the_file(tmp_path, monkeypatch):
    p = tmp_path / "m.py"
    src = b"import torch.nn as nn\nnn.BatchNorm2d(4)\n"
    p.write_bytes(src)

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    r = _linter().lint_file(p, fix=True)
    assert r.error and "disk full" in r.error and r.fixes_applied == 0
    assert p.read_bytes() == src
    assert [x.name for x in tmp_path.iterdir()] == ["m.py"]


def test_file_changed_on_disk_is_not_overwritten(tmp_path, monkeypatch):
    p = tmp_path / "m.py"
    p.write_bytes(b"import torch.nn as nn\nnn.BatchNorm2d(4)\n")
    original = Linter.fix

    def edit_meanwhile(self, text, path, unsafe=False):
        out = original(self, text, path, unsafe)
        p.write_bytes(b"# edited by someone else\n")
        return out

    monkeypatch.setattr(Linter, "fix", edit_meanwhile)
    r = _linter().lint_file(p, fix=True)
    assert r.error and "changed on disk" in r.error
    assert p.read_bytes() == b"# edited by someone else\n"


def test_text_that_does_not_parse_is_never_written(tmp_path, monkeypatch):
    p = tmp_path / "m.py"
    src = b"import torch.nn as nn\nnn.BatchNorm2d(4)\n"
    p.write_bytes(src)
    applied = _linter().lint_text(src.decode(), str(p))
    monkeypatch.setattr(Linter, "fix", lambda self, text, path, unsafe=False: FixOutcome("nn.BatchNorm2d(4,,)\n",
                                                                                       applied, []))
    r = _linter().lint_file(p, fix=True)
    assert r.error and "does not parse" in r.error
    assert p.read_bytes() == src


def test_fixer_refuses_an_edit_that_breaks_the_file(monkeypatch):
    from defaultlint.core import fixer
    from defaultlint.core.ftypes import Edit

    src = "import torch.nn as nn\nnn.BatchNorm2d(4)\n"
    monkeypatch.setattr(fixer, "call_edit", lambda text, s, e, params: Edit(s, e, "nn.BatchNorm2d(4,,)"))
    findings = _linter().lint_text(src, "t.py")
    assert fixer.apply_fixes(src, findings) == (src, [])


def test_add_noqa_suppresses_each_finding(tmp_path):
    p = tmp_path / "m.py"
    p.write_text('import torch.nn as nn\n\nx = nn.BatchNorm2d(4)  # noqa: DL999\n'
                 'y = nn.BatchNorm2d(\n    4, name="""\n"""\n)\n'
                 'z = nn.BatchNorm2d(4) if 1 else \\\n    nn.BatchNorm2d(5)\n', encoding="utf-8")
    r = _linter().add_noqa_file(p)
    assert p.read_text(encoding="utf-8") == (
        'import torch.nn as nn\n\nx = nn.BatchNorm2d(4)  # noqa: DL999, DL201, DL202\n'
        'y = nn.BatchNorm2d(  # noqa: DL201, DL202\n    4, name="""\n"""\n)\n'
        'z = nn.BatchNorm2d(4) if 1 else \\\n    nn.BatchNorm2d(5)  # noqa: DL201, DL202\n')
    # the line ending in a backslash cannot take a comment: its finding is left, reported
    assert [(f.code, f.location.row) for f in r.findings] == [("DL201", 8), ("DL202", 8)]


# -- the command line ----------------------------------------------------------------------------------------
BN = "import torch.nn as nn\nnn.BatchNorm2d(64)\n"
BN_FIXED = "import torch.nn as nn\nnn.BatchNorm2d(64, momentum=0.1)\n"  # eps (DL202) is in the port preset
LINEAR = "import torch.nn as nn\nnn.CrossEntropyLoss()\n"  # DL501: no argument says it takes logits


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_cli_fix_exit_0_when_nothing_is_left(tmp_path):
    p = _write(tmp_path, "a.py", BN)
    r = run_cli(p, "--fix")
    assert r.returncode == 0, r.stdout + r.stderr
    assert p.read_text(encoding="utf-8") == BN_FIXED
    assert "Fixed 1 finding" in r.stdout
    assert run_cli(p, "--fix").returncode == 0 and p.read_text(encoding="utf-8") == BN_FIXED


def test_cli_fix_exit_1_when_display_only_findings_are_left(tmp_path):
    p = _write(tmp_path, "a.py", LINEAR)
    r = run_cli(p, "--fix")
    assert r.returncode == 1
    assert p.read_text(encoding="utf-8") == LINEAR
    assert "no argument can fix" in r.stdout


def test_cli_fix_never_0_for_a_file_that_does_not_parse(tmp_path):
    _write(tmp_path, "a.py", BN)
    _write(tmp_path, "b.py", "def broken(:\n")
    assert run_cli(tmp_path, "--fix").returncode == 1
    assert run_cli(tmp_path, "--fix-only").returncode == 1
    assert run_cli(tmp_path, "--diff").returncode == 1


def test_cli_diff_writes_nothing_and_exits_1_on_changes(tmp_path):
    p = _write(tmp_path, "a.py", BN)
    r = run_cli(p, "--diff")
    assert r.returncode == 1
    assert "+nn.BatchNorm2d(64, momentum=0.1)" in r.stdout and "-nn.BatchNorm2d(64)" in r.stdout
    assert p.read_text(encoding="utf-8") == BN
    p.write_text(BN_FIXED, encoding="utf-8")
    assert run_cli(p, "--diff").returncode == 0


def test_cli_fix_only_show_fixes_and_exit_non_zero_on_fix(tmp_path):
    p = _write(tmp_path, "a.py", BN + "nn.CrossEntropyLoss()\n")
    r = run_cli(p, "--fix-only", "--show-fixes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "DL201" in r.stdout and "momentum=0.1" in r.stdout and "DL501" not in r.stdout
    p.write_text(BN, encoding="utf-8")
    assert run_cli(p, "--fix", "--exit-non-zero-on-fix").returncode == 1
    assert p.read_text(encoding="utf-8") == BN_FIXED


def test_cli_add_noqa(tmp_path):
    p = _write(tmp_path, "a.py", BN)
    r = run_cli(p, "--add-noqa")
    assert r.returncode == 0, r.stderr
    assert p.read_text(encoding="utf-8") == "import torch.nn as nn\nnn.BatchNorm2d(64)  # noqa: DL201\n"
    assert run_cli(p).returncode == 0


def test_cli_stdin_fix_prints_the_fixed_text(tmp_path):
    r = run_cli("-", "--fix", "--show-fixes", "--stdin-filename", "m.py", input=BN, cwd=tmp_path)
    assert r.stdout == BN_FIXED and r.returncode == 0
    assert "DL201 torch.nn.BatchNorm2d: momentum=0.1" in r.stderr


def test_a_symlink_is_never_written_through(tmp_path):
    target = tmp_path / "real.py"
    target.write_text(BN, encoding="utf-8")
    link = tmp_path / "link.py"
    link.symlink_to(target)
    r = _linter().lint_file(link, fix=True)
    assert r.error and "symbolic link" in r.error
    assert link.is_symlink() and target.read_text(encoding="utf-8") == BN  # the target is fixed as itself


def test_cli_unsafe_fixes_flag(tmp_path):
    src = "import keras\nkeras.layers.Conv2D(8, 3)\n"
    p = _write(tmp_path, "a.py", src)
    assert run_cli(p, "--fix", "--select", "DL401").returncode == 1
    assert p.read_text(encoding="utf-8") == src
    assert run_cli(p, "--fix", "--unsafe-fixes", "--select", "DL401").returncode == 0
    assert "data_format='channels_last'" in p.read_text(encoding="utf-8")


def test_fixed_examples_keep_their_syntax():
    for name in ("keras_classifier.py", "torch_port.py"):
        src = (ROOT / "examples" / name).read_text(encoding="utf-8")
        new = Linter(Settings(root=ROOT)).fix_text(src, name)[0]
        assert new != src
        ast.parse(new)


def test_api_module_exposes_fixed_file_result():
    assert issubclass(api_module.FixedFileResult, api_module.FileResult)


def test_a_condition_is_decided_by_the_call():
    """`applies_when`: align_corners=None becomes False only for the interpolating modes, else None must stay."""
    from defaultlint.core.binding import bind
    from defaultlint.core.semantics import Source, values_of

    table = load_table()
    api = table.apis["torch.nn.Upsample"]

    def source(src, partial=False):
        call = bind(api, ast.parse(src).body[0].value, partial)
        return values_of(table, api, call, {}).get("align_corners").source

    assert source("Upsample(scale_factor=2)") is Source.NOT_IN_FORCE
    assert source("Upsample(scale_factor=2, mode='bilinear')") is Source.RUNTIME
    assert source("Upsample(scale_factor=2, mode=m)") is Source.CONDITIONAL
    assert source("partial(Upsample, scale_factor=2)", partial=True) is Source.CONDITIONAL
    assert values_of(table, api, None, {}).get("align_corners").source is Source.NOT_IN_FORCE


@pytest.mark.parametrize("new, ok", [
    ("f(1, x=2)\nf(2, k=3, y=4)\n", True),  # keywords appended
    ("f(1, x=2)\nf(2, k=4)\n", False),  # a value changed
    ("f()\nf(2)\n", False),  # arguments removed
    ("f(1, x=2, **y)\nf(2, k=3)\n", False),  # an unpacking added
    ("f(1, x=2\nf(2, k=3)\n", False),  # does not parse
    ("f(1, x=2)\nf(2, k=3)\ng()\n", False),  # a statement added
])
def test_the_fixing_guard_allows_only_appended_keywords(new, ok):
    assert fixer.keywords_only("f(1)\nf(2, k=3)\n", new) is ok
