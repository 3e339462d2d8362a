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


def test_a_large_document_does_not_hold_up_other_requests():
    big = "import torch.nn as nn\n" + "".join(f"b{i} = nn.BatchNorm2d({i})\n" for i in range(6000))
    small = "import torch.nn as nn\nbn = nn.BatchNorm2d(4)\n"
    p = subprocess.Popen([sys.executable, "-m", "defaultlint", "server"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        p.stdin.write(_frame({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                              "params": {"capabilities": {}, "processId": None, "rootUri": None}})
                      + _frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
        for uri, text in (("file:///tmp/small.py", small), ("file:///tmp/big.py", big)):
            p.stdin.write(_frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uri, "languageId": "python", "version": 1, "text": text}}}))
        p.stdin.write(_frame({"jsonrpc": "2.0", "id": 7, "method": "textDocument/hover", "params": {
            "textDocument": {"uri": "file:///tmp/small.py"}, "position": {"line": 1, "character": 10}}}))
        p.stdin.flush()
        order, hover = [], None
        while "file:///tmp/big.py" not in order:  # read until the big document's diagnostics arrive
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                byte = p.stdout.read(1)
                assert byte, "the server ended"
                header += byte
            message = json.loads(p.stdout.read(int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])))
            if message.get("id") == 7:
                order.append(7)
                hover = message
            elif message.get("method") == "textDocument/publishDiagnostics":
                order.append(message["params"]["uri"])
        assert order.index(7) < order.index("file:///tmp/big.py")  # answered while big.py was being checked
        assert "torch.nn.BatchNorm2d" in hover["result"]["contents"]["value"]
    finally:
        p.kill()
        p.wait()
