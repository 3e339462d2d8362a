"""Writing a file so that it is always either the old one or the new one, never a part: the data goes to
a temporary file in the same folder, which is then renamed over the target (one atomic step)."""

from __future__ import annotations

import os
from pathlib import Path


def replace_file(target: Path, data: bytes, mode: int | None = None, sync: bool = False) -> None:
    """Replace `target` with `data`; `mode` sets the permissions, `sync` waits until the data is on disk
    (for the user's files; caches need not). On any error, or an interrupt, the temporary file is removed."""
    import tempfile  # only when writing: most runs write nothing

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".defaultlint.tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
