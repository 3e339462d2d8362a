"""Where a warm run's time goes: each phase of `defaultlint PATH` served from the cache, timed on its own.

    python bench/warm_profile.py PATH CACHE_DIR     # prints one "phase milliseconds" line per phase

Run as a fresh process after a run that filled CACHE_DIR with `--select ALL`; the phases are those of
`cli._check` and `api.lint_files` with a cache, in order.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from defaultlint import cli  # noqa: E402,F401  (the imports of a command-line run)
from defaultlint.formats import report  # noqa: E402,F401
from defaultlint.api import Linter, _read_bytes, decode  # noqa: E402
from defaultlint.project.cache import Cache, content_hash, rules_fingerprint  # noqa: E402
from defaultlint.project.config import load_settings  # noqa: E402
from defaultlint.project.discovery import discover  # noqa: E402
from defaultlint.core.ftypes import FileResult  # noqa: E402
from defaultlint.project.gcpause import own_process, paused  # noqa: E402
from defaultlint.project.tables import load_table  # noqa: E402


def main(target: Path, cache_dir: Path) -> None:
    phases: list[tuple[str, float]] = []
    last = [T0]

    def done(name: str) -> None:
        now = time.perf_counter()
        phases.append((name, (now - last[0]) * 1000))
        last[0] = now

    done("imports")
    own_process(one_run=True)  # as the command line does
    settings = load_settings(None, target)
    settings.select = ["ALL"]
    table = load_table()
    settings.validate(table)
    linter = Linter(settings, table)
    done("configuration and table")
    files, _ = discover([target], settings.root, settings.exclude + settings.extend_exclude,
                        settings.respect_gitignore)
    done("discovery")
    cache = Cache(cache_dir, table, linter.rules)
    done("reading the cache file")
    with paused(keep=True):  # as lint_files does around the same work
        data = [_read_bytes(p) for p in files]
        done("reading the files")
        texts = [decode(d).text for d in data]
        done("decoding the files")
        digests = [content_hash(d) for d in data]
        done("hashing the files")
        key = rules_fingerprint(linter.rules)
        hits = [cache.get(p, h, key) for p, h in zip(files, digests)]
        done("rebuilding the cached findings")
    missing = [str(p) for p, h in zip(files, hits) if h is None]
    if missing:
        raise SystemExit(f"the cache does not hold {len(missing)} of {len(files)} files (e.g. {missing[0]}): "
                         "fill it first")
    results = [FileResult(str(p), h, source=t) for p, h, t in zip(files, hits, texts)]
    report.render_concise(results)
    done("rendering (concise)")
    for name, ms in phases:
        print(f"{name}\t{ms:.1f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
