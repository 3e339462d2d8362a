"""Benchmark defaultlint against TorchFix, Fixit and ruff on the same corpus, and write docs/performance.md.

    python bench/corpus.py     # once: fetch the pinned corpus
    python bench/run.py        # run every tool, print the table, rewrite docs/performance.md

The other tools live in a separate virtual environment under the cache folder (created on first use).
Wall time and peak memory are measured with /usr/bin/time -v around each process.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import CACHE, corpus_dir, prepare
from fixcheck import check as fix_check
from fixcheck import summary as fix_summary
from latency import probe

REPO = Path(__file__).resolve().parent.parent
FORMATS = ("full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit", "lsp")
TOOLS = CACHE / "tools"
PY = sys.executable


def tools_venv() -> Path:
    if not (TOOLS / "bin" / "ruff").exists():
        subprocess.run([PY, "-m", "venv", str(TOOLS)], check=True)
        subprocess.run([str(TOOLS / "bin" / "pip"), "install", "-q", "torchfix", "fixit", "ruff"], check=True)
    return TOOLS / "bin"


# Measured runs see what an installed tool sees: byte-compiled modules (pip compiles them on install).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, float, int]:
    """(wall seconds, user+sys CPU seconds, peak RSS in MB, exit code) of one process tree."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        start = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-v", "-o", out.name, *cmd], cwd=cwd, env={**ENV, **(env or {})},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - start
        text = Path(out.name).read_text()
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    return wall, user + system, rss, p.returncode


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores, {cpu or 'unknown CPU'}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main() -> None:
    stats = prepare()
    files = sum(s["files"] for s in stats.values())
    lines = sum(s["lines"] for s in stats.values())
    target = corpus_dir()
    bin_ = tools_venv()
    cache_dir = CACHE / "dl-cache"
    shutil.rmtree(cache_dir, ignore_errors=True)
    dl = [PY, "-m", "defaultlint", str(target), "--select", "ALL", "--exit-zero", "-q"]  # the default (full) output
    fixit_cfg = Path(tempfile.mkdtemp()) / "pyproject.toml"
    runs = [
        ("defaultlint cold (--select ALL, --no-cache)", dl + ["--no-cache"], {}),
        ("defaultlint cold, 1 process", dl + ["--no-cache"], {"DEFAULTLINT_JOBS": "1"}),
        ("defaultlint cold (fills the cache)", dl + ["--cache-dir", str(cache_dir)], {}),
        ("defaultlint warm (cache)", dl + ["--cache-dir", str(cache_dir)], {}),
        *[(f"defaultlint cold, {fmt} output", dl + ["--no-cache", "--output-format", fmt], {}) for fmt in FORMATS[1:]],
        *[(f"defaultlint warm, {fmt} output", dl + ["--cache-dir", str(cache_dir), "--output-format", fmt], {})
          for fmt in FORMATS[1:]],
        ("TorchFix (--select ALL)", [str(bin_ / "torchfix"), "--select", "ALL", str(target)], {}),
        ("Fixit (qualified-name rule)", [str(bin_ / "fixit"), "--config-file", str(fixit_cfg), "lint", str(target)],
         {"PYTHONPATH": str(REPO / "bench")}),
        ("ruff (B905 only, no cache)", [str(bin_ / "ruff"), "check", "--no-cache", "--isolated", "--select", "B905",
                                        "--exit-zero", str(target)], {}),
    ]
    fixit_cfg.write_text('[tool.fixit]\ndisable = ["fixit.rules"]\nenable = ["fixit_rules.implicit_defaults"]\n')
    subprocess.run([PY, "-m", "defaultlint", "--version"], env=ENV, capture_output=True, check=True)  # compile once
    results = {}
    for name, cmd, env in runs:
        results[name] = measure(cmd, REPO, env)
        w, c, m, rc = results[name]
        print(f"{name:48} {w:7.2f} s wall {c:7.2f} s CPU {lines / w:9,.0f} lines/s {m:6.0f} MB  (exit {rc})")
    profile = subprocess.run([PY, str(REPO / "bench" / "warm_profile.py"), str(target), str(cache_dir)], env=ENV,
                             capture_output=True, text=True, check=True).stdout
    phases = [(name, float(ms)) for name, ms in (line.split("\t") for line in profile.splitlines())]
    print("warm run, phase by phase:", ", ".join(f"{n} {ms:.0f} ms" for n, ms in phases))
    startup = min(measure([PY, "-m", "defaultlint", "--version"], REPO)[0] for _ in range(3))
    print(f"start-up (defaultlint --version, best of 3): {startup:.3f} s")
    latency, doc_lines, published = probe()
    print(f"server: didChange -> publishDiagnostics on a {doc_lines}-line file: median "
          f"{statistics.median(latency):.1f} ms, slowest {max(latency):.1f} ms")
    fixes = fix_check(target)
    print(fix_summary(fixes))
    size = sum(p.stat().st_size for p in target.rglob("*.py")) / 1e6
    write_doc(stats, files, lines, size, results, startup, phases, (latency, doc_lines, published), fixes)


def write_doc(stats, files, lines, size, results, startup, phases, server, fixes) -> None:
    latency, doc_lines, published = server
    cold = results["defaultlint cold (--select ALL, --no-cache)"]
    warm = results["defaultlint warm (cache)"]
    rows = "\n".join(
        f"| {name} | {w:.2f} | {c:.2f} | {lines / w:,.0f} | {m:.0f} | {w / cold[0]:.2f} |"
        for name, (w, c, m, _) in results.items() if "output" not in name
    )

    def pair(fmt):
        if fmt == "full":
            return cold, warm
        return results[f"defaultlint cold, {fmt} output"], results[f"defaultlint warm, {fmt} output"]

    formats = "\n".join(
        f"| {fmt} | {c[0]:.2f} | {w[0]:.2f} | {w[0] / c[0]:.1%} | {c[0] / cold[0]:.2f} | {c[2]:.0f} | {w[2]:.0f} |"
        for fmt, (c, w) in ((fmt, pair(fmt)) for fmt in FORMATS))
    corpus = "\n".join(f"| {n} | {s['version']} | {s['files']} | {s['lines']:,} |" for n, s in stats.items())
    ratio = lambda key: results[key][0] / cold[0]
    phase_table = "\n".join(["  | phase | ms |", "  |---|---|"] + [f"  | {n} | {ms:.0f} |" for n, ms in phases])
    text = f"""# Performance

Measured by `python bench/corpus.py && python bench/run.py` (this file is written by the second command).

Machine: {machine()}. Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.

## Corpus

Pinned releases of real model code, downloaded from PyPI without installing (only the model folders):

| package | version | files | lines |
|---|---|---|---|
{corpus}
| **total** | | **{files}** | **{lines:,}** |

## Results

Each tool runs once, as a separate process, over the same files; wall and CPU (user + system) time and peak
resident memory come from `/usr/bin/time -v`. The last column is wall time relative to defaultlint's cold run.

| run | wall s | CPU s | lines/s | peak MB | × cold |
|---|---|---|---|---|---|
{rows}

Every output format, cold (`--no-cache`) and warm (every file served from the cache), `--select ALL`;
"× full" compares the format's cold run with the default (full) format's:

| format | cold s | warm s | warm / cold | × full (cold) | cold peak MB | warm peak MB |
|---|---|---|---|---|---|---|
{formats}

- Warm re-run: {warm[0] / cold[0]:.1%} of the cold run's wall time and {warm[1] / cold[1]:.1%} of its CPU time
  (goal: at most 5%; wall times swing with the machine's other jobs, CPU time less). A run whose files are all
  unchanged is answered from the cache without loading the table or importing the checker, libcst or
  rich: a signed plan per configuration names the entries, and what is left is start-up
  (`defaultlint --version`: the interpreter and click, {startup:.2f} s), reading the cache file and rebuilding the
  cached findings, reading, decoding and hashing all {size:.1f} MB of source (the cache is keyed by content
  and never trusts a modification time, so a stale result is never served), and rendering. Every format
  runs so: the plan also holds what the machine formats say of each rule (its name, link, summary and
  default selection). The phases of a
  warm run, timed one by one in a fresh process (`bench/warm_profile.py`; the interpreter's own start-up
  of about 0.02 s comes before them):

{phase_table}

- TorchFix takes {ratio('TorchFix (--select ALL)'):.1f}× and Fixit {ratio('Fixit (qualified-name rule)'):.1f}× defaultlint's
  cold time on the same lines (goals: 20× and 10×).
- Peak memory of the cold run: {cold[2]:.0f} MB (goal: under 300 MB).
- Editor latency (`bench/latency.py`): from a `didChange` to the `publishDiagnostics` for that version,
  through the real server over pipes, on a generated {doc_lines}-line model file with {published} diagnostics:
  median {statistics.median(latency):.0f} ms, slowest {max(latency):.0f} ms over {len(latency)} changes (goal: at most 150 ms). Each change
  follows a pause, as when one stops typing; while typing, runs are throttled to one per 0.25 s.
- Fixing (`bench/fixcheck.py`): {fix_summary(fixes)}.

Notes: `/usr/bin/time -v` reports the largest resident set of any one process of the run, so the parallel
runs (two worker processes besides the main one) use up to about three times that in total. defaultlint
uses 2 worker processes by default (`DEFAULTLINT_JOBS` changes it) and checks small runs in one process.
Measured runs use byte-compiled modules, as an installed tool does. TorchFix and Fixit report fewer APIs
than defaultlint's whole table; ruff's single rule is a floor for a native tool, not a like-for-like
comparison. The machine is shared with other jobs, so absolute times vary between runs by up to half;
the ratios come from one run.
"""
    (REPO / "docs" / "performance.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
