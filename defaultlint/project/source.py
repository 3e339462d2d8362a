"""Reading Python source as the interpreter would: bytes, encoding (BOM, coding cookie, else UTF-8), text.

Kept apart from the checker so that a run served from the cache reads files without importing it."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Source:
    text: str
    encoding: str
    bom: bool


class ReadError(Exception):
    pass


def decode(data: bytes) -> Source:
    """Decode Python source bytes as the interpreter would (BOM, coding cookie, else UTF-8)."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as e:
        raise ReadError(f"cannot decode: {e}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        raise ReadError(f"cannot decode as {encoding}: {e}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return Source(text, "utf-8" if encoding == "utf-8-sig" else encoding, bom)


def encode(source: Source, text: str) -> bytes:
    data = text.encode(source.encoding)
    return b"\xef\xbb\xbf" + data if source.bom else data


def read_source(path: Path) -> Source:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ReadError("is a directory") from None
    except OSError as e:
        raise ReadError(e.strerror or str(e)) from None
    return decode(data)


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise ReadError("is a directory") from None
    except OSError as e:
        raise ReadError(e.strerror or str(e)) from None
