"""Editor latency: time from a didChange to the publishDiagnostics for that version, through the real server.

    python bench/latency.py          # prints the median and the slowest of the probes

Starts `defaultlint server` as a subprocess and speaks JSON-RPC to it over its pipes, as an editor does.
A generated model file of about 1,000 lines is opened; then each probe waits out the server's throttle (so
the change is one made after a pause, as when a user stops typing), changes one line, and times the round
trip until the diagnostics for the new version arrive.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

BLOCK = '''
class Block{i}(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3)
        self.bn = nn.BatchNorm2d(c)
        self.fc = nn.Linear(c, c)

    def forward(self, x):
        return self.fc(self.bn(self.conv(x)))
'''


def model_file(lines: int = 1000) -> str:
    """A PyTorch model file of about `lines` lines with three framework calls per block of ten."""
    blocks = (lines - 2) // BLOCK.count("\n")
    return "import torch\nimport torch.nn as nn\n" + "".join(BLOCK.format(i=i) for i in range(blocks))


class Client:
    """The smallest LSP client that can open, change and wait for diagnostics."""

    def __init__(self, cwd: Path):
        self.proc = subprocess.Popen([sys.executable, "-m", "defaultlint", "server"], cwd=cwd,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.ids = 0

    def send(self, method: str, params: dict, request: bool = False) -> int | None:
        message: dict = {"jsonrpc": "2.0", "method": method, "params": params}
        if request:
            self.ids += 1
            message["id"] = self.ids
        body = json.dumps(message).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()
        return message.get("id")

    def read(self) -> dict:
        length = 0
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def wait(self, match) -> dict:
        while True:
            message = self.read()
            if match(message):
                return message

    def close(self) -> None:
        rid = self.send("shutdown", {}, request=True)
        self.wait(lambda m: m.get("id") == rid)
        self.send("exit", {})
        self.proc.wait(timeout=10)


def probe(runs: int = 20, lines: int = 1000, throttle: float = 0.25) -> tuple[list[float], int, int]:
    """(milliseconds per change, lines in the document, diagnostics published) for `runs` changes."""
    folder = Path(__file__).resolve().parent  # no pyproject.toml here: the default settings
    text = model_file(lines)
    uri = (folder / "latency_model.py").as_uri()
    client = Client(folder)
    rid = client.send("initialize", {"processId": None, "rootUri": folder.as_uri(), "capabilities": {},
                                      "initializationOptions": {"throttle": throttle}}, request=True)
    client.wait(lambda m: m.get("id") == rid)
    client.send("initialized", {})
    client.send("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1,
                                                          "text": text}})

    def diagnostics(version: int):
        return lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                          and m["params"]["uri"] == uri and m["params"].get("version") == version)

    published = len(client.wait(diagnostics(1))["params"]["diagnostics"])
    times = []
    for version in range(2, runs + 2):
        time.sleep(throttle + 0.05)  # a change after a pause; the harness may wait, the tests never do
        new = text.replace("self.fc = nn.Linear(c, c)", f"self.fc = nn.Linear(c, c + {version})", 1)
        start = time.perf_counter()
        client.send("textDocument/didChange", {"textDocument": {"uri": uri, "version": version},
                                               "contentChanges": [{"text": new}]})
        client.wait(diagnostics(version))
        times.append((time.perf_counter() - start) * 1000)
    client.close()
    return times, len(text.splitlines()), published


if __name__ == "__main__":
    ms, n, published = probe()
    print(f"didChange -> publishDiagnostics on a {n}-line file ({published} diagnostics): "
          f"median {statistics.median(ms):.1f} ms, slowest {max(ms):.1f} ms over {len(ms)} changes")
