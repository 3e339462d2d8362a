"""The program flags of the default table (rules/program.toml), checked against the installed frameworks.

Each check runs in a fresh interpreter, so that nothing another test set is read as a default: every recorded
value is read back from an untouched process, the statements the fix inserts are run as the fixer writes them
and each flag read back afterwards (seeded generators must draw the same in two runs), the statement with
another value must change what is read (it controls that flag), and every setting the table lists must name
an object the installed release has.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT, require_framework
from defaultlint.api import Linter
from defaultlint.core.program import value_in
from defaultlint.core.versions import parse_version, point
from defaultlint.project.config import Settings
from defaultlint.project.tables import load_table

require_framework("torch")
require_framework("tensorflow")
require_framework("keras")

pytestmark = pytest.mark.frameworks

TABLE = load_table()
FLAGS = TABLE.program.flags
ROOTS = {"torch": "torch", "tensorflow": "tensorflow", "keras": "keras", "jax": "jax"}

# the interpreter that reads flags: imports the modules an expression names, evaluates it, prints JSON
READER = textwrap.dedent('''
    import importlib, json, os, sys
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    spec = json.loads(sys.argv[1])

    def module_of(expr):
        dotted = expr.split("(", 1)[0].split(".")
        for k in range(len(dotted) - 1, 0, -1):
            try:
                return ".".join(dotted[:k]), importlib.import_module(".".join(dotted[:k]))
            except ImportError:
                continue
        raise ImportError(expr)

    def value(expr):
        prefix, module = module_of(expr)
        v = eval("_m" + expr[len(prefix):], {"_m": module})
        return v.item() if hasattr(v, "item") else v

    for expr in spec["imports"]:
        module_of(expr)
    exec(compile(spec["program"], "program.py", "exec"), {"__name__": "program"})
    print(json.dumps({expr: value(expr) for expr in spec["read"]}))
''')


def _installed(framework: str) -> str:
    out = subprocess.run([sys.executable, "-c", f"import {ROOTS[framework]} as m; print(m.__version__)"],
                         capture_output=True, text=True, env=_env(), check=True)
    return out.stdout.strip().split("+", 1)[0]


def _env() -> dict:
    env = dict(os.environ)
    env.update(KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3",
               KERAS_HOME=tempfile.mkdtemp(prefix="defaultlint-keras-home-"))
    env.pop("TF_DETERMINISTIC_OPS", None)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _run(program: str, read: list[str], imports: list[str] = ()) -> dict:
    spec = json.dumps({"program": program, "read": read, "imports": list(imports)})
    out = subprocess.run([sys.executable, "-c", READER, spec], capture_output=True, text=True, env=_env(),
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def _release_value(flag) -> object:
    targets = {}
    if flag.framework is not None:
        targets[flag.framework] = point(parse_version(_installed(flag.framework)))
    value, _, _ = value_in(TABLE, flag, targets)
    return ast.literal_eval(value)


VALUED = [f for f in FLAGS if f.value is not None and f.read]


def test_every_recorded_default_is_what_the_installed_release_reads():
    found = _run("", [f.read for f in VALUED], [f.read for f in VALUED])
    wrong = {f.name: (found[f.read], _release_value(f)) for f in VALUED if found[f.read] != _release_value(f)}
    assert not wrong, f"recorded defaults the installed releases contradict (read, recorded): {wrong}"


PROGRAM = """\
import random
import numpy as np
import torch
import tensorflow as tf
import keras
import jax

if __name__ == "__main__":
    pass
"""


def _fixed_program() -> str:
    codes = sorted({f.code for f in FLAGS})
    linter = Linter(Settings(root=ROOT, select=codes), TABLE)
    new, _, left = linter.fix_text(PROGRAM, "train.py", unsafe=True)
    left_codes = sorted({f.code for f in left})
    displayed = sorted({f.code for f in FLAGS if f.display or not f.fix})
    assert left_codes == displayed, f"flags the fix did not write: {left_codes}"
    return new


def test_the_inserted_statements_run_and_each_flag_reads_back_its_default():
    program = _fixed_program()
    inserted = [f for f in FLAGS if f.fix]
    assert all(f.fix.split("(")[0].split(" ")[0].rsplit(".", 1)[-1] in program for f in inserted)
    reads = [f.read for f in inserted if f.read] + [f.draw for f in inserted if f.draw]
    first = _run(program, reads)
    for f in inserted:
        if f.read:
            assert first[f.read] == _release_value(f), f.name
    second = _run(program, reads)
    for f in inserted:
        if f.draw:
            assert first[f.draw] == second[f.draw], f"{f.name}: two seeded runs drew differently"
    unseeded = [_run("", [f.draw for f in inserted if f.draw]) for _ in range(2)]
    assert any(unseeded[0][f.draw] != unseeded[1][f.draw] for f in inserted if f.draw), "unseeded runs agree"


FLIPPED = {"True": "False", "False": "True", "'float32'": "'mixed_float16'", "None": "'highest'"}


@pytest.mark.parametrize("flag", [f for f in FLAGS if f.fix and f.value is not None and f.read],
                         ids=lambda f: f.name)
def test_the_fix_statement_controls_its_flag(flag):
    other = FLIPPED[flag.value]
    statement = flag.fix.replace("{value}", other)
    found = _run(f"import {statement.split('.', 1)[0]}\n{statement}\n", [flag.read], [flag.read])
    assert found[flag.read] == ast.literal_eval(other)


RESOLVER = textwrap.dedent('''
    import importlib, json, os, sys
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    missing = []
    for name in json.loads(sys.argv[1]):
        parts = name.split(".")
        for k in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:k]))
                break
            except ImportError:
                continue
        try:
            for p in parts[k:]:
                obj = getattr(obj, p)
        except Exception as e:
            missing.append(f"{name}: {type(e).__name__}")
    print(json.dumps(missing))
''')


@pytest.mark.parametrize("flag", FLAGS, ids=lambda f: f.name)
def test_every_setting_names_an_object_of_the_installed_release(flag):
    installed = {"torch", "tensorflow", "keras", "random", "numpy", "jax"}
    names = [s.target.split("(")[0] for s in flag.sets if s.kind != "env" and s.target.split(".")[0] in installed
             and not s.target.startswith("keras.mixed_precision.experimental.")]  # Keras 2 only
    if not names:
        pytest.skip("no setting under an installed package")
    out = subprocess.run([sys.executable, "-c", RESOLVER, json.dumps(names)], capture_output=True, text=True,
                         env=_env(), timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
