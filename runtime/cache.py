"""The on-disk compile cache: a model compiled before, by this ember on this host, loads instead.

`$EMBER_CACHE_DIR` (default `$XDG_CACHE_HOME/ember`, else `~/.cache/ember`); `EMBER_CACHE=0`
turns it off. An entry is a `.ember` file (the artifact, with native code) and the IR stages
beside it, named by a SHA-256 over everything that decides the compiled code: the captured
linalg IR (graph and weights), the signature, the target and its options (pipeline, opt level),
the versions of torch, torch-mlir and MLIR, a hash of ember's own source files (an editable
install keeps one version string forever) and the host's CPU features (a shared cache must not
hand AVX-512 code to an AVX2 host). Writes are atomic (a temporary file, then a rename), so
processes compiling the same model at once both succeed; an entry that fails to read (corrupted,
truncated) is compiled again and replaced; the oldest entries go when the directory grows past
`$EMBER_CACHE_MAX_MB` (default 2048).
"""

import functools
import hashlib
import json
import logging
import os

from ember.errors import ArtifactError
from ember.runtime import artifact as artifact_file
from ember.runtime.artifact import Artifact, host_cpu_features

log = logging.getLogger("ember")
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def enabled() -> bool:
    return os.environ.get("EMBER_CACHE", "1").strip().lower() not in ("0", "false", "off", "no")


def directory() -> str:
    path = os.environ.get("EMBER_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "ember")
    os.makedirs(path, exist_ok=True)
    return path


@functools.cache
def source_hash() -> str:
    """A hash of ember's own source files (its Python, C and IRDL)."""
    digest = hashlib.sha256()
    for root in sorted({os.path.dirname(os.path.abspath(m.__file__)) for m in _ember_modules()}):
        for folder, _, files in sorted(os.walk(root)):
            for name in sorted(files):
                if name.endswith((".py", ".c", ".mlir")):
                    with open(os.path.join(folder, name), "rb") as f:
                        digest.update(name.encode() + b"\0" + f.read())
    return digest.hexdigest()


def _ember_modules():
    import ember
    import ember.dialects
    import ember.frontend
    import ember.passes
    import ember.runtime
    import ember.tools

    return [ember, ember.dialects, ember.frontend, ember.passes, ember.runtime, ember.tools]


def key(linalg_text: str, weights: tuple, signature, target: str, options: dict, versions: dict) -> str:
    """The entry of a compile: its IR and weights (the (name, array) pairs elided from the text),
    signature, target, options and the versions and host that made it."""
    digest = hashlib.sha256(linalg_text.encode())
    for name, array in weights:
        digest.update(f"{name}:{array.dtype}:{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    digest.update(json.dumps({
        "signature": signature.to_json(), "target": target, "options": options, "versions": versions,
        "ember_source": source_hash(), "cpu": host_cpu_features(), "format": artifact_file.FORMAT_VERSION,
    }, sort_keys=True).encode())
    return digest.hexdigest()


def _paths(entry: str) -> tuple[str, str]:
    base = os.path.join(directory(), entry[:40])
    return base + ".ember", base + ".stages.json"


def lookup(entry: str) -> tuple[Artifact, dict] | None:
    """The cached artifact and stages of `entry`, or None (missing or unreadable)."""
    model, stages = _paths(entry)
    if not os.path.exists(model):
        return None
    try:
        found = artifact_file.read(model)
        with open(stages) as f:
            snapshots = json.load(f)
    except (ArtifactError, OSError, ValueError) as e:
        log.info("ember cache: entry %s unreadable (%s); compiling again", entry[:12], e)
        return None
    os.utime(model)  # recently used: evicted last
    log.info("ember cache: hit %s", entry[:12])
    return found, snapshots


def store(entry: str, artifact: Artifact, stages: dict) -> None:
    model, stage_path = _paths(entry)
    temporary = f"{stage_path}.{os.getpid()}.tmp"
    with open(temporary, "w") as f:
        json.dump(stages, f)
    os.replace(temporary, stage_path)
    artifact.save(model)  # atomic too; the model last: an entry counts once its .ember exists
    log.info("ember cache: stored %s", entry[:12])
    _evict(int(float(os.environ.get("EMBER_CACHE_MAX_MB", "2048")) * 2**20))


def _evict(limit: int) -> None:
    entries = []
    for name in os.listdir(directory()):
        if name.endswith(".ember"):
            path = os.path.join(directory(), name)
            try:
                entries.append((os.path.getmtime(path), os.path.getsize(path), path))
            except OSError:
                pass
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        for stale in (path, path[: -len(".ember")] + ".stages.json"):
            try:
                os.remove(stale)
            except OSError:
                pass
        total -= size
