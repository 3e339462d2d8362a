"""Where a warm run's time goes: each phase of `defaultlint PATH --select ALL` served from the cache, timed
on its own.

    python bench/warm_profile.py PATH CACHE_DIR     # prints one "phase milliseconds" line per phase

Run as a fresh process after a run that filled CACHE_DIR with `--select ALL`; the phases are those of
`cli._check` and `cache.serve`, in order: a run whose files are all unchanged loads no table.
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from defaultlint import cli  # noqa: E402,F401  (the imports of a command-line run)
from defaultlint.core.ftypes import FileResult  # noqa: E402
from defaultlint.formats import report  # noqa: E402
from defaultlint.project import cache as c  # noqa: E402
from defaultlint.project.config import load_settings  # noqa: E402
from defaultlint.project.discovery import discover  # noqa: E402
from defaultlint.project.gcpause import own_process, paused  # noqa: E402
from defaultlint.project.source import decode, read_bytes  # noqa: E402


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
    done("configuration")
    files, _ = discover([target], settings.root, settings.exclude + settings.extend_exclude,
                        settings.respect_gitignore)
    done("discovery")
    key = c.user_key()
    digest = c.table_fingerprint()
    plan = c._read_signed(c.plan_path(cache_dir, settings, digest), key)
    if not plan:
        raise SystemExit("no plan for this configuration in the cache: fill it first")
    variant = plan["variants"][""]
    done("the plan (hash of the table's files and the settings)")
    cache = c.Cache(cache_dir, None, None, key, rules_key=variant["rules"], table_digest=digest)
    done("reading the cache file")
    with paused(keep=True):  # as serve does around the same work
        data = [read_bytes(p) for p in files]
        done("reading the files")
        texts = [decode(d).text for d in data]
        done("decoding the files")
        digests = [c.content_hash(d) for d in data]
        done("hashing the files")
        hits = [cache.get(p, h, variant["rules"]) for p, h in zip(files, digests)]
        done("rebuilding the cached findings")
    missing = [str(p) for p, h in zip(files, hits) if h is None]
    if missing:
        raise SystemExit(f"the cache does not hold {len(missing)} of {len(files)} files (e.g. {missing[0]}): "
                         "fill it first")
    results = [FileResult(str(p), h, source=t) for p, h, t in zip(files, hits, texts)]
    report.render_full(results)
    done("rendering (full)")
    for name, ms in phases:
        print(f"{name}\t{ms:.1f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
