"""Caches hold data, never code: nothing defaultlint reads from disk is unpickled or otherwise executed."""

import ast
import pickle
from pathlib import Path

from defaultlint.project.tables import load_table, rules_dir

PACKAGE = Path(__file__).resolve().parents[2] / "defaultlint"
EXECUTING_MODULES = {"pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}


class _Plant:
    """Unpickling this object creates a marker file: the proof that a pickle was loaded."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_no_module_of_the_package_imports_a_code_executing_format():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            offenders += [f"{path.relative_to(PACKAGE)}: {n}" for n in names if n in EXECUTING_MODULES]
    assert offenders == []


def test_a_pickle_planted_where_the_old_table_cache_lived_is_never_loaded(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    for base in (tmp_path / "xdg", tmp_path / "home" / ".cache"):
        folder = base / "defaultlint"
        folder.mkdir(parents=True)
        for name in ("table.pickle", "table-" + "0" * 32 + ".pickle"):
            (folder / name).write_bytes(pickle.dumps(_Plant(marker)))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    table = load_table.__wrapped__(str(rules_dir()))  # bypass the in-process memo
    assert table.by_name("torch.nn.BatchNorm2d") is not None
    assert not marker.exists()
