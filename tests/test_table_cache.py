"""The compiled table is reused only while the rules files and the loader are unchanged."""

import shutil

from defaultlint.core.table import load_table, rules_dir


def test_compiled_table_is_reused_and_invalidated_by_a_rules_change(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DEFAULTLINT_NO_TABLE_CACHE", raising=False)
    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    load = load_table.__wrapped__  # bypass the in-process memo

    parsed = load(str(rules))
    (compiled,) = (tmp_path / "cache" / "defaultlint").glob("table-*.pickle")
    again = load(str(rules))
    assert again.apis.keys() == parsed.apis.keys() and again.codes == parsed.codes
    assert again.lookup("torch.nn.BatchNorm2d").default_at("momentum", (2, 13)) == "0.1"

    # a changed rules file gets a compiled copy of its own; the old one is never served for it
    path = rules / "torch" / "nn.toml"
    path.write_text(path.read_text().replace("eps=1e-05, momentum=0.1", "eps=1e-05, momentum=0.2", 1))
    changed = load(str(rules))
    assert changed.lookup("torch.nn.BatchNorm1d").default_at("momentum", (2, 13)) == "0.2"
    assert len(list((tmp_path / "cache" / "defaultlint").glob("table-*.pickle"))) == 2
    assert compiled.exists()


def test_an_unreadable_compiled_copy_falls_back_to_parsing(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    load = load_table.__wrapped__
    load(str(rules_dir()))
    (compiled,) = (tmp_path / "cache" / "defaultlint").glob("table-*.pickle")
    compiled.write_bytes(b"not a pickle")
    assert load(str(rules_dir())).lookup("keras.layers.Dense") is not None
