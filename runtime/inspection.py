"""What a compiled model shows of itself: a table of its kernels and a picture of their graph.

Both read the artifact's kernel table (plain data), so a loaded `.ember` shows them without
MLIR. The picture is Graphviz DOT rendered to SVG by the `dot` program (Debian's `graphviz`).
"""

import shutil
import subprocess

from ember.errors import EmberError


def _human(n: float, unit: str) -> str:
    for prefix in ("", "K", "M", "G", "T"):
        if abs(n) < 1000:
            return f"{n:.3g} {prefix}{unit}"
        n /= 1000
    return f"{n:.3g} P{unit}"


def summary(signature, target: str, kernels) -> str:
    lines = [f"ember.CompiledModule {signature}", f"target: {target}"]
    if not kernels:
        return "\n".join(lines + ["(no kernel table)"])
    rows = [("kernel", "kind", "ops", "result", "FLOPs", "bytes")]
    for k in kernels:
        ops = " ".join(k["ops"])
        rows.append((k["name"], k["kind"], ops if len(ops) <= 48 else ops[:45] + "...",
                     f"{k['dtype']}{k['shape']}", _human(k["flops"], "").strip(), _human(k["bytes"], "B")))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    flops, moved = sum(k["flops"] for k in kernels), sum(k["bytes"] for k in kernels)
    lines.append(f"{len(kernels)} kernels, {_human(flops, 'FLOP')}, {_human(moved, 'B')} moved per call")
    return "\n".join(lines)


def kernel_dot(signature, kernels) -> str:
    """The kernel graph in DOT: a cluster per kernel (its ops inside), edges labelled by shape."""
    out = ["digraph ember {", "  rankdir=TB;", '  node [shape=box, fontname="monospace", fontsize=10];']
    for i, spec in enumerate(signature.inputs):
        out.append(f'  "input {i}" [shape=ellipse, label="{spec.name}\\n{spec.dtype}{list(spec.shape)}"];')
    for k in kernels:
        out.append(f'  subgraph "cluster_{k["name"]}" {{')
        out.append(f'    label="{k["name"]}: {k["kind"]}"; style=rounded;')
        for j, op in enumerate(k["ops"]):
            out.append(f'    "{k["name"]}.{j}" [label="{op}"];')
        for j in range(1, len(k["ops"])):
            out.append(f'    "{k["name"]}.{j - 1}" -> "{k["name"]}.{j}" [style=dotted, arrowhead=none];')
        out.append("  }")
    for k in kernels:
        for source in k["inputs"]:
            if source["from"] == "weight":
                continue
            tail = f'{source["from"]}.{len(_kernel(kernels, source["from"])["ops"]) - 1}' \
                if source["from"].startswith("k") else source["from"]
            out.append(f'  "{tail}" -> "{k["name"]}.0" [label="{source["shape"]}"];')
    if kernels:
        last = kernels[-1]
        out.append('  "output" [shape=ellipse];')
        out.append(f'  "{last["name"]}.{len(last["ops"]) - 1}" -> "output" [label="{last["shape"]}"];')
    out.append("}")
    return "\n".join(out) + "\n"


def _kernel(kernels, name):
    return next(k for k in kernels if k["name"] == name)


def render_svg(dot_text: str, path) -> None:
    dot = shutil.which("dot")
    if dot is None:
        raise EmberError("rendering the kernel graph needs Graphviz's `dot` program (apt install graphviz)")
    done = subprocess.run([dot, "-Tsvg", "-o", str(path)], input=dot_text, text=True, capture_output=True)
    if done.returncode:
        raise EmberError(f"dot failed: {done.stderr.strip()}")
