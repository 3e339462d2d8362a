"""The benchmark corpus: pinned releases of real third-party model code, fetched from PyPI.

`python bench/corpus.py` downloads each package (`pip download --no-deps`, no install) into the cache
folder (default ~/.cache/defaultlint-bench, or $DEFAULTLINT_BENCH_DIR), unpacks only the model code, and
prints the file and line counts. Nothing here is committed; re-running reuses what is there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

CACHE = Path(os.environ.get("DEFAULTLINT_BENCH_DIR", "~/.cache/defaultlint-bench")).expanduser()

# transformers: the families that ship both a PyTorch and a TensorFlow implementation in this release.
_HF = ("bert", "gpt2", "t5", "vit", "resnet", "convnext", "whisper", "clip", "wav2vec2", "roberta",
       "bart", "distilbert", "albert", "electra", "swin", "segformer", "deit", "mobilevit", "efficientformer")

# (distribution, version, extra pip arguments, folders of model code inside the archive)
PACKAGES = [
    ("transformers", "4.46.3", [], [f"transformers/models/{m}/" for m in _HF]),
    ("timm", "1.0.15", [], ["timm/models/", "timm/layers/"]),
    ("keras", "3.15.1", [], ["keras/src/applications/"]),
    ("torchvision", "0.20.1",
     ["--only-binary=:all:", "--platform", "manylinux1_x86_64", "--python-version", "3.11"], ["torchvision/models/"]),
    ("segmentation_models_pytorch", "0.3.4", [], ["segmentation_models_pytorch/"]),
]


def corpus_dir() -> Path:
    return CACHE / "corpus"


def fetch(dist: str, version: str, extra: list[str]) -> Path:
    dl = CACHE / "downloads"
    dl.mkdir(parents=True, exist_ok=True)
    stem = dist.replace("-", "_").lower()
    for p in dl.iterdir():
        if p.name.lower().startswith(f"{stem}-{version}") or p.name.lower().startswith(f"{dist.lower()}-{version}"):
            return p
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dl),
                    f"{dist}=={version}", *extra], check=True)
    return fetch(dist, version, extra)


def unpack(archive: Path, dest: Path, folders: list[str]) -> None:
    def wanted(name: str) -> str | None:
        for f in folders:
            i = name.find(f)
            if i != -1 and name.endswith(".py") and (i == 0 or name[i - 1] == "/"):
                return name[i:]
        return None

    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                rel = wanted(info.filename)
                if rel:
                    out = dest / rel
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(z.read(info))
    else:
        with tarfile.open(archive) as t:
            for m in t.getmembers():
                rel = wanted(m.name)
                if rel and m.isfile():
                    out = dest / rel
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(t.extractfile(m).read())  # type: ignore[union-attr]


def prepare() -> dict:
    """Fetch and unpack every package; returns {name: {version, files, lines, path}}."""
    stats = {}
    for dist, version, extra, folders in PACKAGES:
        dest = corpus_dir() / f"{dist}-{version}"
        if not (dest / ".done").exists():
            unpack(fetch(dist, version, extra), dest, folders)
            (dest / ".done").write_text("")
        files = sorted(dest.rglob("*.py"))
        lines = sum(p.read_bytes().count(b"\n") for p in files)
        stats[dist] = {"version": version, "files": len(files), "lines": lines, "path": str(dest)}
    (CACHE / "corpus.json").write_text(json.dumps(stats, indent=2))
    return stats


if __name__ == "__main__":
    total_f = total_l = 0
    for name, s in prepare().items():
        print(f"{name:30} {s['version']:10} {s['files']:6} files {s['lines']:9,} lines")
        total_f += s["files"]
        total_l += s["lines"]
    print(f"{'total':41} {total_f:6} files {total_l:9,} lines")
