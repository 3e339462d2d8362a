"""Which files are checked: recursion, suffixes, default excludes, .gitignore, the exclude setting."""

from pathlib import Path

from defaultlint.project.discovery import discover


def make(root: Path, *names: str) -> None:
    for n in names:
        p = root / n
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x = 1\n")


def found(root: Path, **kw) -> list[str]:
    files, _ = discover([root], root, **kw)
    return sorted(p.relative_to(root).as_posix() for p in files)


def test_recursive_with_python_suffixes(tmp_path):
    make(tmp_path, "a.py", "pkg/b.py", "pkg/c.pyi", "pkg/d.txt", "pkg/deep/e.py")
    assert found(tmp_path) == ["a.py", "pkg/b.py", "pkg/c.pyi", "pkg/deep/e.py"]


def test_default_excludes_and_virtualenvs(tmp_path):
    make(tmp_path, "a.py", ".git/x.py", "__pycache__/x.py", "build/x.py", "node_modules/x.py", "env/lib/x.py")
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    assert found(tmp_path) == ["a.py"]


def test_gitignore_is_honoured(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("generated/\n*_pb2.py\n!keep_pb2.py\n/top.py\n")
    make(tmp_path, "a.py", "generated/g.py", "x_pb2.py", "keep_pb2.py", "top.py", "sub/top.py")
    (tmp_path / "sub" / ".gitignore").write_text("local.py\n")
    make(tmp_path, "sub/local.py")
    assert found(tmp_path) == ["a.py", "keep_pb2.py", "sub/top.py"]
    assert "generated/g.py" in found(tmp_path, respect_gitignore=False)


def test_exclude_setting(tmp_path):
    make(tmp_path, "a.py", "legacy/b.py", "c_test.py")
    assert found(tmp_path, exclude=["legacy/", "*_test.py"]) == ["a.py"]


def test_a_named_file_is_always_checked(tmp_path):
    make(tmp_path, "build/x.py")
    files, _ = discover([tmp_path / "build" / "x.py"], tmp_path)
    assert files == [tmp_path / "build" / "x.py"]


def test_missing_and_broken_paths_are_reported_not_fatal(tmp_path):
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    files, skipped = discover([tmp_path / "missing.py", tmp_path / "dangling.py"], tmp_path)
    assert files == []
    assert [s.reason for s in skipped] == ["no such file or directory", "broken symbolic link"]


def test_symlink_loops_terminate(tmp_path):
    make(tmp_path, "pkg/a.py")
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg")
    assert found(tmp_path) == ["pkg/a.py"]


def test_a_single_file_is_excluded_by_its_folders_below_the_root(tmp_path):
    from defaultlint.project.discovery import is_excluded

    assert is_excluded(tmp_path / "gen" / "deep" / "m.py", tmp_path, ["gen"])
    assert is_excluded(tmp_path / "build" / "m.py", tmp_path)  # a default exclude
    assert not is_excluded(tmp_path / "src" / "m.py", tmp_path, ["gen"])
    assert not is_excluded(tmp_path / "build" / "m.py", tmp_path / "build")  # nor does the root itself


def test_without_configuration_excludes_are_read_from_the_project_root(tmp_path):
    from defaultlint.project.config import load_settings
    from defaultlint.project.discovery import is_excluded

    (tmp_path / ".git").mkdir()
    built = tmp_path / "build" / "lib" / "model.py"
    built.parent.mkdir(parents=True)
    built.write_text("import torch\n", encoding="utf-8")
    settings = load_settings(None, built, detect=False)
    assert settings.root == tmp_path.resolve()
    assert is_excluded(built, settings.root, settings.exclude)  # the editor skips it as the command line does
