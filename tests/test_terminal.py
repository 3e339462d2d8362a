"""The terminal: progress bar on a TTY only, the summary line, --quiet, --color / NO_COLOR, one-line errors."""

import os
import pty
import subprocess
import sys

from conftest import ROOT, run_cli

from defaultlint.formats.terminal import PROGRESS_MIN_FILES

MODEL = "import torch\n\nbn = torch.nn.BatchNorm2d(8)\n"
DATA_FORMAT = ("import keras\n\n"
               "c = keras.layers.Conv2D(8, 3, kernel_initializer='he_normal', bias_initializer='zeros')\n")
ANSI = "\x1b["


def _project(tmp_path, n=PROGRESS_MIN_FILES + 1):
    for i in range(n):
        (tmp_path / f"m{i}.py").write_text(MODEL)
    return tmp_path


def _run_with_tty_stderr(args, cwd):
    """Run the CLI with stderr on a pseudo-terminal and stdout on a pipe; returns (rc, stdout, stderr)."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "defaultlint", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    err = b""
    while True:  # read until the child closes its end (EIO on Linux), so no output is lost
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    out = proc.stdout.read()
    proc.stdout.close()
    rc = proc.wait()
    os.close(master)
    return rc, out.decode(), err.decode(errors="replace")


def test_progress_bar_on_a_terminal_only(tmp_path):
    _project(tmp_path)
    rc, out, err = _run_with_tty_stderr(["check", ".", "--output-format", "concise"], tmp_path)
    assert rc == 1
    assert "Checking" in err and f"{PROGRESS_MIN_FILES + 1}/{PROGRESS_MIN_FILES + 1}" in err
    assert "Checking" not in out and out.count("DL201") == PROGRESS_MIN_FILES + 1
    piped = run_cli("check", ".", "--output-format", "concise", cwd=tmp_path)
    assert piped.stderr == ""
    assert piped.stdout == out
    coloured = run_cli("check", ".", "--output-format", "concise", "--color", "always", cwd=tmp_path)
    assert coloured.stderr == ""  # colours for a pipe, but no bar drawn into it


def test_no_progress_bar_when_quiet_or_few_files(tmp_path):
    _project(tmp_path)
    _, _, err = _run_with_tty_stderr(["check", ".", "--quiet"], tmp_path)
    assert "Checking" not in err
    _, _, err = _run_with_tty_stderr(["check", "m0.py"], tmp_path)
    assert "Checking" not in err


def test_summary_counts_findings_files_and_fixes(tmp_path):
    (tmp_path / "a.py").write_text(MODEL)
    (tmp_path / "b.py").write_text(DATA_FORMAT)
    (tmp_path / "c.py").write_text("x = 1\n")
    r = run_cli(".", "--select", "DL201,DL401", "--output-format", "concise", cwd=tmp_path)
    assert r.returncode == 1
    assert r.stdout.splitlines()[-1].startswith(
        "Found 2 findings in 2 files. [*] 1 fixable with the `--fix` option. "
        "1 more fixable with `--fix --unsafe-fixes`.")
    quiet = run_cli(".", "--select", "DL201,DL401", "--output-format", "concise", "--quiet",
                    cwd=tmp_path)
    assert quiet.stdout.splitlines() == r.stdout.splitlines()[:2]
    clean = run_cli("c.py", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout.strip() == "All checks passed!"


def test_color_always_never_auto_and_no_color(tmp_path):
    (tmp_path / "a.py").write_text(MODEL)
    always = run_cli("a.py", "--color", "always", cwd=tmp_path)  # run_cli sets NO_COLOR=1
    assert ANSI in always.stdout
    never = run_cli("a.py", "--color", "never", cwd=tmp_path, env={"NO_COLOR": ""})
    assert ANSI not in never.stdout
    auto = run_cli("a.py", cwd=tmp_path, env={"NO_COLOR": ""})
    assert ANSI not in auto.stdout  # piped
    assert auto.stdout == never.stdout


def test_color_auto_on_a_terminal_honours_no_color(monkeypatch):
    from defaultlint.formats.terminal import console

    class Tty:
        def __init__(self):
            self.parts = []

        def write(self, s):
            self.parts.append(s)

        def flush(self):
            pass

        def isatty(self):
            return True

    monkeypatch.setenv("TERM", "xterm")
    for no_color, coloured in (("", True), ("1", False)):
        monkeypatch.setenv("NO_COLOR", no_color)
        stream = Tty()
        console("auto", stream).print("[red]x[/]")
        assert ("31m" in "".join(stream.parts)) is coloured  # red; NO_COLOR removes colour (bold may stay)


def test_errors_are_one_line_each_without_traceback(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.defaultlint]\nselekt = ['DL']\n")
    (tmp_path / "a.py").write_text(MODEL)
    r = run_cli("a.py", cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    [line] = r.stderr.splitlines()
    assert line.startswith("defaultlint: error:") and "selekt" in line

    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\n")
    os.symlink(tmp_path / "nowhere.py", tmp_path / "dangling.py")
    r = run_cli("a.py", "latin.py", "dangling.py", "missing.py", "--output-format", "concise",
                cwd=tmp_path)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr == ""  # paths named on the command line that cannot be checked are findings, as in ruff
    assert "missing.py:1:1: DL001 no such file or directory" in r.stdout
    assert "dangling.py:1:1: DL001 broken symbolic link" in r.stdout
    assert [x for x in r.stdout.splitlines() if "latin.py" in x][0].startswith("latin.py:1:1: DL001 cannot decode")


def test_verbose_shows_the_traceback_of_an_internal_error(tmp_path):
    (tmp_path / "a.py").write_text(MODEL)
    # an internal error: an output file inside a missing folder cannot be opened
    r = run_cli("a.py", "-o", tmp_path / "no" / "such" / "out.txt", cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1
    v = run_cli("a.py", "-o", tmp_path / "no" / "such" / "out.txt", "--verbose", cwd=tmp_path)
    assert v.returncode != 0 and "Traceback" in v.stderr


def test_help_lists_the_formats():
    r = run_cli("check", "--help", cwd=ROOT)
    assert "sarif" in r.stdout and "--statistics" in r.stdout
