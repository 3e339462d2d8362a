"""The editor server answers malformed requests with JSON-RPC errors and survives oversized messages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("pygls")


def _frame(obj) -> bytes:
    body = json.dumps(obj).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def _responses(out: bytes) -> list[dict]:
    msgs, pos = [], 0
    while True:
        head = out.find(b"\r\n\r\n", pos)
        if head < 0:
            return msgs
        length = int(out[pos:head].split(b"Content-Length: ")[1].split(b"\r\n")[0])
        msgs.append(json.loads(out[head + 4: head + 4 + length]))
        pos = head + 4 + length


def _session(*frames: bytes) -> tuple[list[dict], str, int]:
    init = _frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                   "params": {"capabilities": {}, "processId": None, "rootUri": None}})
    end = _frame({"jsonrpc": "2.0", "id": 99, "method": "shutdown"}) + _frame({"jsonrpc": "2.0", "method": "exit"})
    p = subprocess.run([sys.executable, "-m", "defaultlint", "server"], input=init + b"".join(frames) + end,
                       capture_output=True, timeout=120)
    return _responses(p.stdout), p.stderr.decode(), p.returncode


def test_invalid_params_get_a_json_rpc_error_and_the_session_goes_on():
    bad = _frame({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {"bogus": 1}})
    msgs, _, _ = _session(bad)
    by_id = {m.get("id"): m for m in msgs if "id" in m}
    assert by_id[2]["error"]["code"] == -32602
    assert by_id[99].get("result", "missing") is None  # shutdown still answered


def test_an_oversized_message_is_refused_without_reading_it_into_memory():
    huge = b"Content-Length: 99999999999\r\n\r\n{}"
    p = subprocess.run([sys.executable, "-m", "defaultlint", "server"], input=huge, capture_output=True, timeout=120)
    assert b"MemoryError" not in p.stderr and b"Traceback" not in p.stderr
