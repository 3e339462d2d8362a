"""Comparing two manifests of one model in two frameworks: which hyperparameters diverge, and the fix.

Calls are paired by kind (the table's `counterpart` links: Dense <-> Linear, BatchNormalization <->
BatchNorm1d/2d/3d, ...) and by order within each kind (a sequence alignment). For each pair, every
hyperparameter of A is looked up in B under its counterpart name, converted to B's convention (the table's
`convert`) and compared; a divergence carries the argument or code that makes B match A, graded exact or
approximate. What the table cannot say - initialiser vocabularies, layout and logits conventions, where no
argument gives exact equality - is the small data below; the rest is the engine.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from defaultlint.audit.manifest import EXPLICIT, UNKNOWN, Entry, Hyper
from defaultlint.core.table import FRAMEWORK_NAMES, Api, Table, convert

EXACT, APPROXIMATE = "exact", "approximate"

# Initialisers: one canonical name per distribution, and how each framework writes it. `{w}` is the tensor
# in torch code. Glorot/Xavier and the torch defaults give the same distribution (not the same draws: the
# random generators differ). Checked against the real frameworks by tests/test_equivalence.py.
INITIALIZERS: dict[str, dict[str, str]] = {
    "glorot_uniform": {"keras": "'glorot_uniform'", "torch": "torch.nn.init.xavier_uniform_({w})"},
    "he_uniform": {"keras": "'he_uniform'", "torch": "torch.nn.init.kaiming_uniform_({w}, nonlinearity='relu')"},
    "orthogonal": {"keras": "'orthogonal'", "torch": "torch.nn.init.orthogonal_({w})", "grade": "approximate"},
    "zeros": {"keras": "'zeros'", "torch": "torch.nn.init.zeros_({w})"},
    "ones": {"keras": "'ones'", "torch": "torch.nn.init.ones_({w})"},
    "torch_weight": {
        "keras": "keras.initializers.VarianceScaling(scale=1 / 3, mode='fan_in', distribution='uniform')",
        "torch": "kaiming_uniform_(a=math.sqrt(5))",
    },
    "torch_bias": {
        "keras": "keras.initializers.RandomUniform(-1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))",
        "torch": "uniform_(-1/math.sqrt(fan_in), 1/math.sqrt(fan_in))",
    },
}
# An implicit fact of one framework that the other writes as a parameter value: fact -> (parameter, value).
# torch LSTM draws the forget-gate bias like every other bias: Keras unit_forget_bias=False.
FACT_AS_PARAM: dict[str, tuple[str, str]] = {"forget_bias_init": ("unit_forget_bias", "False")}
INIT_PARAMS = frozenset({"kernel_initializer", "bias_initializer", "weight_init", "bias_init",
                         "recurrent_initializer", "recurrent_init"})

# One setting spelled differently by each framework, by parameter name (either side's): "off" values and
# vocabularies (Keras 'sum_over_batch_size' is torch's 'mean').
SPELLINGS: dict[str, list[dict[str, str]]] = {
    "weight_decay": [{"keras": "None", "torch": "0"}],
    "ignore_index": [{"keras": "None", "torch": "-100"}],
    "reduction": [{"keras": "'sum_over_batch_size'", "torch": "'mean'"}, {"keras": "'sum'", "torch": "'sum'"},
                  {"keras": "None", "torch": "'none'"}, {"keras": "'none'", "torch": "'none'"}],
}

# (API, parameter) on either side -> why no argument makes the two exactly equal.
_ADAM_EPS = ("no argument gives exact equality: epsilon enters at a different place (Keras adds it to sqrt(v) "
             "before the bias correction, torch to sqrt(v_hat) after it), so Keras epsilon acts as torch "
             "eps = epsilon / sqrt(1 - beta_2**t), which tends to epsilon as the step t grows")
_RMSPROP_EPS = "no argument gives exact equality: Keras adds epsilon inside the square root, torch outside"
_BN_MOMENTUM = ("the running means then agree exactly, the running variances only approximately: Keras averages "
                "the biased batch variance, torch the unbiased one (n / (n - 1) times larger, n = values per "
                "channel in the batch)")
NOT_EXACT: dict[tuple[str, str], str] = {
    ("torch.optim.Adam", "eps"): _ADAM_EPS, ("keras.optimizers.Adam", "epsilon"): _ADAM_EPS,
    ("torch.optim.AdamW", "eps"): _ADAM_EPS, ("keras.optimizers.AdamW", "epsilon"): _ADAM_EPS,
    ("torch.optim.RMSprop", "eps"): _RMSPROP_EPS, ("keras.optimizers.RMSprop", "epsilon"): _RMSPROP_EPS,
    **{(f"torch.nn.BatchNorm{d}d", "momentum"): _BN_MOMENTUM for d in (1, 2, 3)},
    ("keras.layers.BatchNormalization", "momentum"): _BN_MOMENTUM,
}

# Parameters that exist on one side only but change what the code means. (parameter, value) -> for the
# framework lacking the parameter: (what it means, how B written in that framework matches it).
CONVENTIONS: dict[tuple[str, str], dict[str, str]] = {
    ("data_format", "channels_last"): {
        "torch": "torch is channels-first: feed the port x.permute(0, 3, 1, 2) (NHWC -> NCHW); a Flatten after "
                 "the convolutions then orders features (C, H, W), not (H, W, C): permute the weights of the "
                 "layer after it when porting weights",
    },
    ("from_logits", "False"): {
        "torch": "Keras expects probabilities (the model ends in softmax); nn.CrossEntropyLoss applies "
                 "log_softmax itself: drop the final softmax from the torch model so that it outputs logits",
    },
}
# The reverse: a parameter B has and A's framework lacks; the value that matches A's convention.
CONVENTION_MATCH: dict[tuple[str, str], str] = {
    ("data_format", "torch"): "'channels_first'",
    ("from_logits", "torch"): "True",
}
# Arguments B needs besides the value itself: (B API, parameter) -> the extra keyword arguments.
COMPANIONS: dict[tuple[str, str], str] = {
    ("torch.optim.Adam", "weight_decay"): "decoupled_weight_decay=True",
}


@dataclass
class Divergence:
    kind: str
    a_where: str
    b_where: str
    a_param: str
    a_value: str
    b_param: str
    b_value: str
    want: str  # the value in B's convention that matches A
    fix: str  # the argument or code that makes B match A
    grade: str  # exact | approximate
    note: str = ""


@dataclass
class Pair:
    kind: str
    a: Entry | None
    b: Entry | None
    divergences: list[Divergence] = field(default_factory=list)
    fix: str = ""  # B's call rewritten with every divergent argument


@dataclass
class Comparison:
    a: str
    b: str
    pairs: list[Pair]

    @property
    def divergences(self) -> list[Divergence]:
        return [d for p in self.pairs for d in p.divergences]

    @property
    def unpaired(self) -> list[Pair]:
        return [p for p in self.pairs if p.a is None or p.b is None]


# -- kinds ------------------------------------------------------------------------------------------
def kinds(table: Table) -> dict[str, str]:
    """API name -> its kind: the connected component of counterpart links, named by its sorted members."""
    parent: dict[str, str] = {n: n for n in table.apis}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for api in table.apis.values():
        if api.counterpart and api.counterpart in parent:
            a, b = find(api.name), find(api.counterpart)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for n in parent:
        groups.setdefault(find(n), []).append(n)
    out = {}
    for members in groups.values():
        label = " ↔ ".join(sorted({m.rsplit(".", 1)[-1] for m in members}))
        for m in members:
            out[m] = label
    return out


def align(a: list[Entry], b: list[Entry], score) -> list[tuple[Entry | None, Entry | None]]:
    """Order-preserving alignment maximising the summed pair scores (a gap scores 0)."""
    n, m = len(a), len(b)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1], score(a[i], b[j]) + best[i + 1][j + 1])
    out: list[tuple[Entry | None, Entry | None]] = []
    i = j = 0
    while i < n and j < m:
        if best[i][j] == score(a[i], b[j]) + best[i + 1][j + 1]:
            out.append((a[i], b[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((a[i], None))
            i += 1
        else:
            out.append((None, b[j]))
            j += 1
    out.extend((x, None) for x in a[i:])
    out.extend((None, y) for y in b[j:])
    return out


# -- values -----------------------------------------------------------------------------------------
def _literal(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _MISSING


_MISSING = object()


def translate(value: str, names: tuple[str, ...], source: str, target: str) -> str | None:
    """`value` of framework `source` spelled for framework `target`, when SPELLINGS knows it."""
    x = _literal(value)
    for name in names:
        for group in SPELLINGS.get(name, ()):
            if source in group and target in group and x is not _MISSING and _equal(_literal(group[source]), x):
                return group[target]
    return None


def same(a: str, b: str, name: str = "") -> bool | None:
    """True/False when the two values (Python source) are equal or not; None when it cannot be told."""
    x, y = _literal(a), _literal(b)
    if x is _MISSING or y is _MISSING:
        return True if a.replace(" ", "") == b.replace(" ", "") else None
    return _equal(x, y)


def _equal(x, y) -> bool:
    if isinstance(x, (tuple, list)) and isinstance(y, (tuple, list)):
        return len(x) == len(y) and all(_equal(p, q) for p, q in zip(x, y))
    if isinstance(x, (tuple, list)) or isinstance(y, (tuple, list)):  # 3 is (3, 3) for a 2-D size
        seq, one = (x, y) if isinstance(x, (tuple, list)) else (y, x)
        return all(_equal(p, one) for p in seq)
    if isinstance(x, bool) or isinstance(y, bool):
        return x is y
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=0.0)
    return x == y


def _init_name(value: str, framework: str) -> str | None:
    def norm(s: str) -> str:
        s = re.sub(r"^(?:tf\.)?(?:keras\.)?(?:initializers\.)?", "", s.strip().strip("'\""))
        return re.sub(r"[^a-z0-9]", "", s.lower().removesuffix("()"))

    for name, spelled in INITIALIZERS.items():
        if framework in spelled and norm(spelled[framework].format(w="")) == norm(value.format(w="")):
            return name
    if framework == "keras":  # keras accepts the class names too: GlorotUniform()
        for name in INITIALIZERS:
            if norm(name) == norm(value):
                return name
    return None


def _split(api: Api, entry: Entry) -> dict[str, tuple[str, Hyper]]:
    """Atoms of an entry: name -> (value, hyper); a tuple parameter whose counterpart is several names
    (torch betas <-> Keras beta_1, beta_2) is split into those names' values."""
    out: dict[str, tuple[str, Hyper]] = {}
    for h in entry.params:
        cp = api.fact(h.name).counterpart if api.param(h.name) else None
        if cp and "," in cp:
            items = _literal(h.value)
            names = [n.strip() for n in cp.split(",")]
            if isinstance(items, tuple) and len(items) == len(names):
                for n, v in zip(names, items):
                    out[f"{h.name}[{n}]"] = (repr(v), h)
                continue
        out[h.name] = (h.value, h)
    return out


def _other_name(a_api: Api, b_api: Api, name: str, b_atoms: dict) -> str | None:
    """The name under which B holds A's `name`, or None when B has no such hyperparameter."""
    candidates: list[str] = []
    fact = a_api.fact(name) if a_api.param(name) else None
    imp = next((i for i in a_api.implicit if i.name == name), None)
    cp = (fact.counterpart if fact else None) or (imp.counterpart if imp else None)
    if cp and "," not in cp:
        candidates.append(cp)
    candidates.append(name)
    for p in b_api.params:  # the reverse link, for rows annotated on one side only
        pcp = b_api.fact(p.name).counterpart
        if pcp and "," in pcp and name in [n.strip() for n in pcp.split(",")]:
            candidates.append(f"{p.name}[{name}]")
        elif pcp == name:
            candidates.append(p.name)
    for i in b_api.implicit:
        if i.counterpart == name:
            candidates.append(i.name)
    return next((c for c in candidates if c in b_atoms), None)


# -- comparison -------------------------------------------------------------------------------------
def compare_entries(a: list[Entry], b: list[Entry], table: Table, a_name: str = "A", b_name: str = "B") -> Comparison:
    kind_of = kinds(table)
    order: list[str] = []
    by_kind_a: dict[str, list[Entry]] = {}
    by_kind_b: dict[str, list[Entry]] = {}
    for side, store in ((a, by_kind_a), (b, by_kind_b)):
        for e in side:
            k = kind_of.get(e.api)
            if k is None:
                continue
            if k not in order:
                order.append(k)
            store.setdefault(k, []).append(e)

    def score(x: Entry, y: Entry) -> float:
        if x.framework == y.framework and x.api != y.api:
            return 0.0
        pairs = _compare_pair(table, x, y, _label(x, y))
        return 1.0 + 1.0 / (1 + sum(d.grade == EXACT and d.a_param in _explicit(x) for d in pairs))

    pairs: list[Pair] = []
    for k in order:
        for x, y in align(by_kind_a.get(k, []), by_kind_b.get(k, []), score):
            p = Pair(_label(x, y), x, y)
            if x is not None and y is not None:
                p.divergences = _compare_pair(table, x, y, p.kind)
                p.fix = _call_fix(table, y, p.divergences)
            pairs.append(p)
    pairs.sort(key=lambda p: _pos(p.a) if p.a else _pos(p.b, later=True))
    return Comparison(a_name, b_name, pairs)


def _label(x: Entry | None, y: Entry | None) -> str:
    names = [e.api.rsplit(".", 1)[-1] for e in (x, y) if e is not None]
    return " ↔ ".join(dict.fromkeys(names))


def _explicit(e: Entry) -> set[str]:
    return {h.name for h in e.params if h.source == EXPLICIT}


def _pos(e: Entry, later: bool = False) -> tuple:
    return (later, e.path, e.line, e.column)


def _where(e: Entry) -> str:
    return f"{e.path}:{e.line}"


def _compare_pair(table: Table, ea: Entry, eb: Entry, kind: str) -> list[Divergence]:
    a_api, b_api = table.apis.get(ea.api), table.apis.get(eb.api)
    if a_api is None or b_api is None:
        return []
    a_atoms, b_atoms = _split(a_api, ea), _split(b_api, eb)
    out: list[Divergence] = []
    matched_b: set[str] = set()
    for a_key, (a_value, ha) in a_atoms.items():
        base = a_key.split("[", 1)[0]
        lookup = a_key[a_key.index("[") + 1:-1] if "[" in a_key else a_key
        b_key = _other_name(a_api, b_api, lookup, b_atoms) if "[" in a_key else _other_name(a_api, b_api, base, b_atoms)
        if b_key is None:
            d = _convention(ea, eb, ha, kind, a_side=True)
            if d:
                out.append(d)
            continue
        matched_b.add(b_key)
        b_value, hb = b_atoms[b_key]
        if UNKNOWN in (ha.source, hb.source):
            continue
        b_param = b_key.split("[", 1)[0]
        d = _compare_values(table, a_api, b_api, ea, eb, base, a_value, b_key, b_param, b_value, kind)
        if d:
            out.append(d)
    for b_key, (_, hb) in b_atoms.items():
        if b_key not in matched_b and "[" not in b_key:
            d = _convention(eb, ea, hb, kind, a_side=False)
            if d:
                out.append(d)
    return out


def _compare_values(table, a_api: Api, b_api: Api, ea: Entry, eb: Entry, a_param: str, a_value: str,
                    b_key: str, b_param: str, b_value: str, kind: str) -> Divergence | None:
    note = a_api.fact(a_param).note if a_api.param(a_param) else None
    note = note or (b_api.fact(b_param).note if b_api.param(b_param) else None) or ""
    if a_param in INIT_PARAMS or b_param in INIT_PARAMS:
        return _compare_init(ea, eb, b_api, a_param, a_value, b_param, b_value, kind, note)
    if a_param == b_param == "padding" and ea.framework != eb.framework:
        return _compare_padding(ea, eb, a_value, b_value, kind)
    across = ea.framework != eb.framework
    if a_param in FACT_AS_PARAM and FACT_AS_PARAM[a_param][0] == b_param:
        a_value = FACT_AS_PARAM[a_param][1]
    if b_param in FACT_AS_PARAM and FACT_AS_PARAM[b_param][0] == a_param:
        if same(a_value, FACT_AS_PARAM[b_param][1]) is not False:
            return None
        b_value = f"{b_value} (≙ {a_param}={FACT_AS_PARAM[b_param][1]})"
        differs = True
    else:
        differs = False
    want = a_value
    if across:
        want = (translate(a_value, (b_param, a_param), ea.framework, eb.framework)
                or convert(b_api, b_param, a_value) or a_value)
    if not differs and same(want, b_value, b_param) is not False:
        return None
    if b_api.param(b_param) is None:  # B holds it as a fact no argument sets (torch losses take logits)
        rule = CONVENTIONS.get((a_param, str(_literal(a_value))), {}).get(eb.framework)
        imp = next((i for i in b_api.implicit if i.name == b_param), None)
        fix = rule or (imp.explicit.replace("{obj}", "layer") if imp and imp.explicit else
                       f"no argument of {eb.callee} sets {b_param}")
        return Divergence(kind, _where(ea), _where(eb), a_param, a_value, b_param, b_value, want, fix,
                          EXACT if rule or (imp and imp.explicit) else APPROXIMATE, note)
    reason = (NOT_EXACT.get((b_api.name, b_param)) or NOT_EXACT.get((a_api.name, a_param))) if across else None
    grade = APPROXIMATE if reason else EXACT
    if reason and "epsilon" in reason:
        note = ""  # the reason says it all
    if "[" in b_key:  # one element of a tuple parameter
        inner = b_key[b_key.index("[") + 1:-1]
        return Divergence(kind, _where(ea), _where(eb), a_param, a_value, f"{b_param} ({inner})", b_value, want,
                          f"{b_param}=<tuple with {inner}={want}>", grade, _join(note, reason))
    fix = f"{b_param}={want}"
    companion = COMPANIONS.get((b_api.name, b_param))
    if companion and same(want, "0", b_param) is False:
        fix += f", {companion}"
    return Divergence(kind, _where(ea), _where(eb), a_param, a_value, b_param, b_value, want, fix, grade,
                      _join(note, reason))


def _compare_init(ea: Entry, eb: Entry, b_api: Api, a_param: str, a_value: str, b_param: str, b_value: str,
                  kind: str, note: str) -> Divergence | None:
    a_init, b_init = _init_name(a_value, ea.framework), _init_name(b_value, eb.framework)
    if a_init is not None and a_init == b_init:
        return None
    if a_init is None and b_init is None and same(a_value, b_value) is not False:
        return None
    spelled = INITIALIZERS.get(a_init or "", {}).get(eb.framework)
    tensors = [_tensor(b_api, b_param)]
    if a_init == "zeros" and "bias_ih" in tensors[0]:  # torch RNNs add two biases: both must be zero
        tensors.append(tensors[0].replace("bias_ih", "bias_hh"))
    tensor = tensors[0]
    if spelled is None:
        fix = f"write {a_value} in {FRAMEWORK_NAMES.get(eb.framework, eb.framework)} (no known equivalent)"
        grade = APPROXIMATE
    elif eb.framework == "torch":
        calls = []
        for t in tensors:
            one = spelled.format(w=f"layer.{t}")
            calls.append(one if one.startswith("torch.") else "torch.nn.init." + one.replace("(", f"(layer.{t}, ", 1))
        fix = "; ".join(calls)
        grade = INITIALIZERS[a_init].get("grade", EXACT)  # type: ignore[index]
    else:
        fix = f"{b_param}={spelled}"
        grade = INITIALIZERS[a_init].get("grade", EXACT)  # type: ignore[index]
    extra = "same distribution, not the same draws (the random generators differ)"
    if a_init in ("zeros", "ones"):
        extra = ""
    if a_init == "orthogonal":
        extra = ("Keras makes the (units, 4 * units) recurrent kernel orthogonal as one matrix, torch's weight_hh is "
                 "its transpose: orthogonal_ gives the same kind of matrix, not a verified identical distribution")
    if "fan_in" in fix:
        extra += "; fan_in is the layer's input size times the kernel's spatial size"
    return Divergence(kind, _where(ea), _where(eb), a_param, a_value, b_param, b_value,
                      spelled.format(w=tensor) if spelled else a_value, fix, grade, _join(note, extra))


def _tensor(api: Api, param: str) -> str:
    """The attribute of a torch module an initialisation fact is about (`weight`, `weight_hh_l0`, ...)."""
    imp = next((i for i in api.implicit if i.name == param), None)
    m = re.search(r"\{obj\}\.(\w+)", imp.explicit or "") if imp else None
    return m.group(1) if m else ("bias" if "bias" in param else "weight")


def _pads(e: Entry, value: str) -> tuple | str | None:
    """Convolution padding as the amount added on each side per dimension ('same' when it depends on
    the input size), so that Keras 'same'/'valid' and torch integers compare."""
    v = _literal(value)
    def num(*names):
        h = next((e.get(n) for n in names if e.get(n)), None)
        x = _literal(h.value) if h else 1
        return x if isinstance(x, tuple) else (x,)
    k, d, st = num("kernel_size"), num("dilation", "dilation_rate"), num("stride", "strides")
    if v == "valid" or v == 0:
        return (0,)
    if isinstance(v, int):
        return (v,)
    if isinstance(v, tuple):
        return v
    if v == "same" and all(isinstance(x, int) for x in (*k, *d, *st)) and set(st) == {1} \
            and all(x % 2 == 1 for x in k):
        dims = max(len(k), len(d))
        k, d = k * dims if len(k) == 1 else k, d * dims if len(d) == 1 else d
        return tuple((kk - 1) // 2 * dd for kk, dd in zip(k, d))
    return None


def _compare_padding(ea: Entry, eb: Entry, a_value: str, b_value: str, kind: str) -> Divergence | None:
    pa, pb = _pads(ea, a_value), _pads(eb, b_value)
    if pa is not None and pb is not None and (_equal(pa, pb) or (len(set(pa)) == 1 and _equal(pb, pa[0]))):
        return None
    if pa is None and _literal(a_value) == _literal(b_value):
        return None
    if pa is None:
        want, grade = a_value, APPROXIMATE
    elif eb.framework == "keras":
        same_pad = _pads(eb, "'same'")
        want = "'valid'" if set(pa) == {0} else ("'same'" if same_pad is not None and _equal(same_pad, pa) else None)
        grade = EXACT
        if want is None:
            want, grade = f"'valid' after keras.layers.ZeroPadding2D({pa[0] if len(set(pa)) == 1 else pa})", EXACT
    else:
        want, grade = str(pa[0] if len(set(pa)) == 1 else pa), EXACT
    return Divergence(kind, _where(ea), _where(eb), "padding", a_value, "padding", b_value, want,
                      f"padding={want}", grade, "")


def _convention(e: Entry, other: Entry, h: Hyper, kind: str, a_side: bool) -> Divergence | None:
    """A parameter one side has and the other framework lacks, when it changes what the code means."""
    value = str(_literal(h.value)) if _literal(h.value) is not _MISSING else h.value
    rule = CONVENTIONS.get((h.name, value))
    if rule is None or other.framework not in rule or h.source == UNKNOWN:
        return None
    if a_side:  # A (e) has it, B (other) lacks it: tell how B's framework matches
        return Divergence(kind, _where(e), _where(other), h.name, h.value, "-", "-", "-", rule[other.framework],
                          EXACT, "")
    want = CONVENTION_MATCH.get((h.name, other.framework))
    if want is None:
        return None
    return Divergence(kind, _where(other), _where(e), "-", "-", h.name, h.value, want, f"{h.name}={want}", EXACT,
                      rule[other.framework])


def _call_fix(table: Table, eb: Entry, divergences: list[Divergence]) -> str:
    """B's call with the divergent arguments written in (the one-line fix of the pair)."""
    wanted = {d.b_param: d.fix[len(d.b_param) + 1:] for d in divergences if d.fix.startswith(f"{d.b_param}=")}
    if not wanted:
        return ""
    args = []
    for name, text in eb.args:
        if name in wanted:
            value = wanted.pop(name)
            keyword = text.split("=", 1)[0].strip() == name and "=" in text
            args.append(f"{name}={value}" if keyword else value.split(", ")[0] if "=" not in value else value)
        else:
            args.append(text)
    args += [f"{n}={v}" for n, v in wanted.items()]
    return f"{eb.callee}({', '.join(args)})"


def _join(*parts: str | None) -> str:
    return "; ".join(p.rstrip(".") for p in parts if p)


# -- input ------------------------------------------------------------------------------------------
def load_side(path: Path, table: Table, rules) -> list[Entry]:
    """A side of the comparison: a Python file or folder, or a JSON manifest."""
    from defaultlint.audit.manifest import entries_for_paths, from_json

    if path.suffix == ".json":
        return from_json(path.read_text(encoding="utf-8"))
    entries, errors = entries_for_paths([path], table, rules)
    if errors:
        raise ValueError("; ".join(errors))
    return entries


# -- output -----------------------------------------------------------------------------------------
def to_json(c: Comparison) -> str:
    data = {
        "a": c.a, "b": c.b,
        "divergences": [asdict(d) for d in c.divergences],
        "pairs": [{"kind": p.kind, "a": _where(p.a) if p.a else None, "b": _where(p.b) if p.b else None,
                   "a_api": p.a.api if p.a else None, "b_api": p.b.api if p.b else None, "fix": p.fix,
                   "divergences": len(p.divergences)} for p in c.pairs],
        "unpaired": [{"side": "a" if p.a else "b", "where": _where(p.a or p.b), "api": (p.a or p.b).api}
                     for p in c.unpaired],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _line(d: Divergence) -> str:
    a = f"{d.a_param}={d.a_value}" if d.a_param != "-" else "(no such parameter)"
    b = f"{d.b_param}={d.b_value}" if d.b_param != "-" else "(no such parameter)"
    return f"{a} vs {b}"


def to_markdown(c: Comparison) -> str:
    out = [f"# Port audit: `{c.a}` → `{c.b}`", "", _summary(c), "",
           "| Kind | A | B | A value vs B value | Make B match A | Grade | Note |", "|---|---|---|---|---|---|---|"]
    for d in c.divergences:
        cells = [d.kind, f"`{d.a_where}`", f"`{d.b_where}`", f"`{_line(d)}`", f"`{d.fix}`", d.grade, d.note]
        out.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    fixes = [p for p in c.pairs if p.fix]
    if fixes:
        out += ["", "Calls of B rewritten:", ""] + [f"- `{p.b and _where(p.b)}`: `{p.fix}`" for p in fixes]
    if c.unpaired:
        out += ["", "Without partner:", ""]
        out += [f"- only in {'A' if p.a else 'B'}: `{_where(p.a or p.b)}` `{(p.a or p.b).api}`"  # type: ignore
                for p in c.unpaired]
    return "\n".join(out) + "\n"


def _summary(c: Comparison) -> str:
    ds = c.divergences
    paired = sum(p.a is not None and p.b is not None for p in c.pairs)
    return (f"{paired} paired calls, {len(ds)} divergences ({sum(d.grade == EXACT for d in ds)} with an exact fix, "
            f"{sum(d.grade == APPROXIMATE for d in ds)} approximate), {len(c.unpaired)} calls without partner.")


def print_rich(console, c: Comparison) -> None:
    from rich.markup import escape

    console.print(f"[bold]{escape(c.a)} → {escape(c.b)}[/bold]")
    for p in c.pairs:
        if p.a is None or p.b is None:
            e = p.a or p.b
            console.print(f"[yellow]only in {'A' if p.a else 'B'}, without partner:[/yellow] {escape(_where(e))} "
                          f"{escape(e.api)}")  # type: ignore[union-attr]
            continue
        if not p.divergences:
            continue
        console.print(f"\n[bold]{escape(_where(p.a))} ↔ {escape(_where(p.b))}[/bold]  {escape(p.kind)}")
        for d in p.divergences:
            colour = "green" if d.grade == EXACT else "yellow"
            console.print(f"  {escape(_line(d))}\n"
                          f"    → [cyan]{escape(d.fix)}[/cyan] [{colour}]({d.grade})[/{colour}]")
            if d.note:
                console.print(f"      [dim]{escape(d.note)}[/dim]")
        if p.fix:
            console.print(f"    B rewritten: [cyan]{escape(p.fix)}[/cyan]")
    console.print("\n" + _summary(c), markup=False)
