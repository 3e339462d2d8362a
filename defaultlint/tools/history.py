"""The release history of the table's defaults, read statically from the frameworks' published wheels.

    python -m defaultlint.tools.history keras 3.0.0 3.1.0 ... --write rules/keras/history.toml
    python -m defaultlint.tools.history torchvision --minor 0.15 0.28 --write rules/torchvision/history.toml

For each release the wheel is downloaded (`pip download --no-deps`, any Python tag; cached, never installed,
never kept in the repository) and opened as a zip. Every class and function row of the framework is found in
its Python sources by following the package's own imports from the public name, and its signature is read
from the syntax tree: nothing from the wheel is imported or run. Each default that differs between
consecutive releases becomes an `[[extracted]]` entry with its provenance (wheel file name and sha256). Values
resolved at run time or written in C are not read here: their rows keep hand-verified changes with sources.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import io
import operator
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defaultlint.core.table import ApiKind, Table
from defaultlint.core.versions import format_version, parse_version

CACHE = Path.home() / ".cache" / "defaultlint-history"


@dataclass(frozen=True)
class Wheel:
    distribution: str
    version: str
    path: Path
    sha256: str


def download(distribution: str, version: str, cache: Path = CACHE) -> Wheel:
    """The wheel of one release (downloaded once into `cache`)."""
    folder = cache / distribution / version
    found = sorted(folder.glob("*.whl")) if folder.is_dir() else []
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--only-binary", ":all:",
                        f"{distribution}=={version}", "-d", str(folder)], check=True)
        found = sorted(folder.glob("*.whl"))
    if not found:
        raise FileNotFoundError(f"no wheel for {distribution}=={version}")
    data = found[0].read_bytes()
    return Wheel(distribution, version, found[0], hashlib.sha256(data).hexdigest())


class RemoteFile(io.RawIOBase):
    """A published file read in pieces with HTTP range requests, so that a zip's directory and the few members
    needed are all that is fetched of a wheel of several hundred megabytes."""

    BLOCK = 1 << 18

    def __init__(self, url: str, size: int):
        self.url, self.size, self.pos = url, size, 0
        self._blocks: dict[int, bytes] = {}

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = offset if whence == 0 else self.pos + offset if whence == 1 else self.size + offset
        return self.pos

    def _block(self, index: int) -> bytes:
        if index not in self._blocks:
            import urllib.request

            start = index * self.BLOCK
            end = min(self.size, start + self.BLOCK) - 1
            request = urllib.request.Request(self.url, headers={"Range": f"bytes={start}-{end}"})
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - the registry's own file
                self._blocks[index] = response.read()
        return self._blocks[index]

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.pos)
        done = 0
        while done < n:
            index, offset = divmod(self.pos + done, self.BLOCK)
            chunk = self._block(index)[offset: offset + n - done]
            buffer[done: done + len(chunk)] = chunk
            done += len(chunk)
        self.pos += n
        return n


def remote(distribution: str, version: str) -> tuple[zipfile.ZipFile, Wheel]:
    """A release's wheel opened where it is published, and its provenance (file name and the registry's sha256).
    The smallest wheel of the release is read: every platform's wheel holds the same Python sources."""
    import json
    import urllib.request

    request = urllib.request.Request(f"https://pypi.org/simple/{distribution}/",
                                     headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310 - the package registry
        files = json.load(r)["files"]
    prefix = f"{distribution.replace('-', '_')}-{version}-"
    wheels = [f for f in files if f["filename"].endswith(".whl") and f["filename"].startswith(prefix)
              and f.get("size") and not f.get("yanked")]
    if not wheels:
        raise FileNotFoundError(f"no wheel for {distribution}=={version}")
    f = min(wheels, key=lambda w: w["size"])
    handle = io.BufferedReader(RemoteFile(f["url"], f["size"]), buffer_size=RemoteFile.BLOCK)
    return zipfile.ZipFile(handle), Wheel(distribution, version, Path(f["filename"]), f["hashes"]["sha256"])


class Sources:
    """The Python modules of a wheel: module name -> syntax tree, each member read and parsed when asked."""

    def __init__(self, files: dict[str, str], archive: zipfile.ZipFile | None = None, root: str | None = None):
        self.files = files  # module name -> source text, or (with an archive) the member's name
        self.archive = archive
        self.root = root  # the top-level name the framework has in this wheel, when not its own
        self._trees: dict[str, ast.Module | None] = {}

    @classmethod
    def of_wheel(cls, path: Path) -> "Sources":
        return cls.of_zip(zipfile.ZipFile(path))

    @classmethod
    def of_zip(cls, archive: zipfile.ZipFile) -> "Sources":
        members = {}
        for name in archive.namelist():
            if not name.endswith(".py") or ".dist-info/" in name or ".data/" in name:
                continue
            module = name[:-3].replace("/", ".")
            if module.endswith(".__init__"):
                module = module[: -len(".__init__")]
            members[module] = name
        return cls(members, archive)

    def text(self, module: str) -> str | None:
        value = self.files.get(module)
        if value is None or self.archive is None:
            return value
        return self.archive.read(value).decode("utf-8", errors="replace")

    def tree(self, module: str) -> ast.Module | None:
        if module not in self._trees:
            text = self.text(module)
            try:
                self._trees[module] = ast.parse(text) if text is not None else None
            except SyntaxError:
                self._trees[module] = None
        return self._trees[module]

    def constants(self, module: str) -> dict[str, ast.expr]:
        """Module-level names bound once to a literal (HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical")."""
        tree = self.tree(module)
        out: dict[str, ast.expr] = {}
        seen: set[str] = set()
        body = list(tree.body) if tree is not None else []
        for cls in [n for n in body if isinstance(n, ast.ClassDef)]:  # class-level constants: Class.NAME
            body.extend(_Prefixed(cls.name, st) for st in cls.body if isinstance(st, ast.Assign))
        for node in body:
            prefix = ""
            if isinstance(node, _Prefixed):
                prefix, node = node.prefix + ".", node.node
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = prefix + node.targets[0].id
                if name in seen:
                    out.pop(name, None)
                    continue
                seen.add(name)
                try:
                    ast.literal_eval(node.value)
                    out[name] = node.value
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    pass
        return out

    def imports(self, module: str) -> dict[str, str]:
        """Names a module binds by `import a.b as x` / `from a import b as x`: name -> full path."""
        tree = self.tree(module)
        out: dict[str, str] = {}
        for node in tree.body if tree is not None else []:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        out[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, node, self.is_package(module))
                for alias in node.names:
                    if alias.name != "*":
                        out[alias.asname or alias.name] = f"{base}.{alias.name}"
        return out

    def is_package(self, module: str) -> bool:
        return any(m.startswith(module + ".") for m in self.files)

    # -- finding a public name's definition ------------------------------------------------------------
    def find(self, dotted: str, depth: int = 0) -> tuple[str, ast.AST] | None:
        """The (module, class or function definition) a dotted public name reaches, following imports."""
        if depth > 30:
            return None
        parts = dotted.split(".")
        for i in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:i])
            if module in self.files:
                return self._member(module, parts[i:], depth)
        return None

    def _member(self, module: str, path: list[str], depth: int) -> tuple[str, ast.AST] | None:
        name, rest = path[0], path[1:]
        tree = self.tree(module)
        if tree is None:
            return None
        if f"{module}.{name}" in self.files and not rest:
            return None  # a module, not a definition
        if f"{module}.{name}" in self.files:
            return self._member(f"{module}.{name}", rest, depth + 1)
        found = None
        for node in tree.body:  # the last binding wins, as at import
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                found = ("def", node)
            elif isinstance(node, ast.ImportFrom) and node.module is not None or isinstance(node, ast.ImportFrom):
                base = _absolute(module, node, self.is_package(module))
                for alias in node.names:
                    if alias.name == "*":
                        continue
                    if (alias.asname or alias.name) == name:
                        found = ("import", f"{base}.{alias.name}")
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                    and node.targets[0].id == name and isinstance(node.value, (ast.Name, ast.Attribute)):
                found = ("alias", ast.unparse(node.value))
        if found is None:
            for node in tree.body:  # a star import may bring it
                if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                    hit = self.find(f"{_absolute(module, node, self.is_package(module))}.{name}", depth + 1)
                    if hit is not None:
                        found = ("hit", hit)
                        break
        if found is None:
            return None
        kind, value = found
        if kind == "hit":
            hit = value
        elif kind == "def":
            hit = (module, value)
        elif kind == "import" and value in self.files:  # a module imported under the name: go on inside it
            return self._member(value, rest, depth + 1) if rest else None
        elif kind == "import":
            hit = self.find(value, depth + 1) if value.count(".") else None
        else:
            hit = self.find(f"{module}.{value}", depth + 1) or self.find(value, depth + 1)
        if hit is None or not rest:
            return hit
        owner_module, owner = hit
        if isinstance(owner, ast.ClassDef):  # Class.method
            for node in owner.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == rest[0]:
                    return owner_module, node
        return None

    def constructor(self, module: str, cls: ast.ClassDef, depth: int = 0) -> tuple[str, ast.FunctionDef] | None:
        """The __init__ a class uses and its module: its own, else the first base's (bases found through imports)."""
        for node in cls.body:
            if isinstance(node, ast.FunctionDef) and node.name == "__init__":
                return module, node
        if depth > 10:
            return None
        for base in cls.bases:
            dotted = ast.unparse(base)
            hit = self._resolve_in(module, dotted)
            if hit is not None and isinstance(hit[1], ast.ClassDef):
                init = self.constructor(hit[0], hit[1], depth + 1)
                if init is not None:
                    return init
        return None

    def _resolve_in(self, module: str, dotted: str) -> tuple[str, ast.AST] | None:
        head = dotted.split(".")[0]
        tree = self.tree(module)
        if tree is None:
            return None
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == dotted:
                return module, node
            if isinstance(node, ast.ImportFrom):
                base = _absolute(module, node, self.is_package(module))
                for alias in node.names:
                    if (alias.asname or alias.name) == head:
                        return self.find(f"{base}.{alias.name}{dotted[len(head):]}")
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if (alias.asname or alias.name.split(".")[0]) == head:
                        return self.find(alias.name if alias.asname else dotted)
        return None


@dataclass(frozen=True)
class _Prefixed:
    prefix: str  # the class a class-level assignment belongs to
    node: ast.Assign


def _absolute(module: str, node: ast.ImportFrom, package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    keep = len(parts) - node.level + (1 if package else 0)
    base = ".".join(parts[:keep])
    return f"{base}.{node.module}" if node.module else base


def defaults(fn: ast.FunctionDef, method: bool, constants: dict[str, ast.expr] | None = None,
             imports: dict[str, str] | None = None) -> dict[str, str]:
    """Parameter -> its default's source, normalised as the table writes it: repr for literals (arithmetic of
    literals folded: 1.0 / 3), a module-level constant replaced by its value, a name imported under an alias
    written by its full path (F.relu -> torch.nn.functional.relu); parameters without one omitted."""
    constants = constants or {}
    imports = imports or {}

    def _source(node: ast.expr) -> str:
        if isinstance(node, ast.Name) and node.id in constants:
            node = constants[node.id]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and f"{node.value.id}.{node.attr}" in constants:  # ResizeMethod.BILINEAR = 'bilinear'
            node = constants[f"{node.value.id}.{node.attr}"]
        folded = _fold(node)
        if folded is not None:
            return repr(folded)
        root = node
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in imports:
            return imports[root.id] + ast.unparse(node)[len(root.id):]
        return _literal_source(node)

    a = fn.args
    positional = [*a.posonlyargs, *a.args]
    if method and positional:
        positional = positional[1:]  # self / cls
    out = {}
    for arg, default in zip(positional[len(positional) - len(a.defaults):], a.defaults):
        out[arg.arg] = _source(default)
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        if default is not None:
            out[arg.arg] = _source(default)
    if a.kwarg is not None:
        out["**"] = ""  # takes any keyword: a parameter missing here may still be accepted
    return out


_ARITHMETIC = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _fold(node: ast.expr):
    """The value of arithmetic on number literals (`1.0 / 3`), or None."""
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        left, right = _fold(node.left), _fold(node.right)
        if isinstance(left, (int, float)) and isinstance(right, (int, float)) and not (
                isinstance(node.op, ast.Div) and right == 0):
            return _ARITHMETIC[type(node.op)](left, right)
        return None
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _fold(node.operand)
        return -inner if isinstance(inner, (int, float)) else None
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return node.value
    return None


def _equal(a: str, b: str) -> bool:
    """Two defaults' sources that mean the same value: 0 and 0.0; a function and its name as a string ('relu'
    and F.relu, which the layers accept alike); an enum member and the string of its name
    (InterpolationMode.BILINEAR and 'bilinear', which the transforms accept alike)."""
    try:
        if ast.literal_eval(a) == ast.literal_eval(b):
            return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if a.count(".") >= 2 and b.count(".") >= 2 and a.split(".")[-2:] == b.split(".")[-2:] \
            and all(p.isidentifier() for p in (a + "." + b).split(".")):
        return True  # the same Class.MEMBER reached from a module that moved (keras.utils -> keras.src.utils)
    try:
        x, y = ast.literal_eval(a), ast.literal_eval(b)
        if isinstance(x, str) and isinstance(y, str) and x.replace("_", "").lower() == y.replace("_", "").lower():
            return True  # an identifier in snake_case and in CamelCase ('zeros', 'Zeros'; 'he_normal', 'HeNormal')
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    for member, text in ((a, b), (b, a)):
        name = member.rsplit(".", 1)[-1]
        if "." in member and name.isidentifier():  # a function and its name ('relu', F.relu), alike as arguments
            try:
                if ast.literal_eval(text) == name:
                    return True
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                pass
        if "." in member and name.isupper():
            try:
                if ast.literal_eval(text) == name.lower():
                    return True
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                pass
    return False


def _literal_source(node: ast.expr) -> str:
    try:
        return repr(ast.literal_eval(node))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return ast.unparse(node)


def signature_defaults(sources: Sources, api) -> dict[str, str] | None:
    """The defaults of one table row in a release, or None where the release lacks it. A wheel that ships the
    framework under another top-level name (tf-keras as `tf_keras`) says so in `sources.root`."""
    name = api.name if sources.root is None else sources.root + "." + api.name.split(".", 1)[1]
    hit = sources.find(name)
    if hit is None:
        return None
    module, node = hit
    if isinstance(node, ast.ClassDef):
        found = sources.constructor(module, node)
        if found is None:
            return None
        home, init = found
        return defaults(init, method=True, constants=sources.constants(home), imports=sources.imports(home))
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return defaults(node, method=api.kind is ApiKind.METHOD, constants=sources.constants(module),  # type: ignore[arg-type]
                        imports=sources.imports(module))
    return None


@dataclass(frozen=True)
class Added:
    api: str
    param: str
    version: str
    wheel: str
    sha256: str


@dataclass(frozen=True)
class Extracted:
    api: str
    param: str
    version: str
    before: str
    after: str
    wheel: str
    sha256: str


def history(table: Table, framework: str, releases: list[Wheel],
            opened: dict[str, Sources] | None = None) -> list:
    """Each default of the framework's rows that differs between consecutive releases (Extracted), and each
    parameter a release adds (Added), oldest first.
    `opened` gives the sources of releases read where they are published (by version)."""
    rows = [a for a in table.apis.values() if a.framework == framework and a.verified is None]
    previous: dict[str, dict[str, str] | None] = {}
    previous_params: dict[str, set[str]] = {}
    out: list = []
    for wheel in releases:
        sources = (opened or {}).get(wheel.version) or Sources.of_wheel(wheel.path)
        for api in rows:
            now = signature_defaults(sources, api)
            before = previous.get(api.name)
            if now is not None and before is not None:
                for param, value in now.items():
                    fact = api.facts.get(param)
                    if fact is not None and fact.resolves:
                        continue  # a sentinel resolved at run time: the signature does not say the value
                    spec = api.param(param)
                    if spec is None or not table.is_hyper(api, spec):
                        continue  # not in today's signature, or not a hyperparameter (name, dtype, ...)
                    if param in before and before[param] != value and not _equal(before[param], value):
                        out.append(Extracted(api.name, param, wheel.version, before[param], value,
                                             wheel.path.name, wheel.sha256))
            seen = previous_params.get(api.name)
            if now is not None and seen is not None and "**" not in (before or {}):
                for param in now:  # a keyword no older release read takes: writing it there is an error
                    spec = api.param(param)
                    if spec is not None and table.is_hyper(api, spec) and param not in seen:
                        out.append(Added(api.name, param, wheel.version, wheel.path.name, wheel.sha256))
            if now is not None:
                previous_params[api.name] = (seen or set()) | set(now)
                previous[api.name] = now  # a release where the row could not be found keeps the last one read
    return out


def to_toml(framework: str, verified: str, found: list[Extracted], releases: list[Wheel]) -> str:
    lines = [
        "# Generated by `python -m defaultlint.tools.history` from the published wheels (read, never run);",
        "# regenerate rather than edit. Releases read: " + ", ".join(w.version for w in releases) + ".",
        "", "[meta]", f'framework = "{framework}"', f'verified_version = "{verified}"',
    ]
    for e in found:
        if isinstance(e, Added):
            lines += ["", "[[added]]", f'api = "{e.api}"', f'param = "{e.param}"', f'version = "{e.version}"',
                      f'wheel = "{e.wheel}"', f'sha256 = "{e.sha256}"']
            continue
        lines += ["", "[[extracted]]", f'api = "{e.api}"', f'param = "{e.param}"', f'version = "{e.version}"',
                  f"before = {_toml(e.before)}", f"after = {_toml(e.after)}", f'wheel = "{e.wheel}"',
                  f'sha256 = "{e.sha256}"']
    return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(argv: list[str]) -> int:
    from defaultlint.project.tables import load_table

    p = argparse.ArgumentParser(prog="python -m defaultlint.tools.history", description=__doc__.split("\n")[0])
    p.add_argument("framework")
    p.add_argument("releases", nargs="+", help="releases to read, oldest first (the newest is the verified one)")
    p.add_argument("--distribution", help="the PyPI distribution (default: the framework's first)")
    p.add_argument("--write", type=Path, help="write the data file here (default: print it)")
    p.add_argument("--root", action="append", default=[], metavar="DISTRIBUTION=NAME",
                   help="a distribution that ships the framework under another top-level name (tf-keras=tf_keras)")
    p.add_argument("--remote", action="store_true",
                   help="read the wheels where they are published, fetching only the members needed "
                        "(for frameworks whose wheels weigh hundreds of megabytes)")
    args = p.parse_args(argv)
    table = load_table()
    fw = table.frameworks[args.framework]
    dist = args.distribution or fw.distributions[0]
    roots = dict(r.split("=", 1) for r in args.root)
    opened: dict[str, Sources] = {}
    wheels = []
    for spec in args.releases:  # VERSION, or DISTRIBUTION==VERSION for a release published under another name
        d, _, v = spec.rpartition("==")
        d = d or dist
        if args.remote:
            archive, wheel = remote(d, v)
        else:
            wheel = download(d, v)
            archive = zipfile.ZipFile(wheel.path)
        opened[v] = Sources.of_zip(archive)
        opened[v].root = roots.get(d)
        wheels.append(wheel)
    releases = sorted(wheels, key=lambda w: parse_version(w.version))
    found = history(table, args.framework, releases, opened)
    text = to_toml(args.framework, format_version(fw.verified), found, releases)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
