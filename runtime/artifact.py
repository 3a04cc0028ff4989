"""The product of a compile, and the `.ember` file that carries it out of the process.

An `Artifact` holds the final LLVM-dialect IR (MLIR bytecode, with the weights), native code for
the host where it was saved (a shared library), the Signature and the ABI of its entry, the
target and its options, the versions and CPU features that made it, and a content hash.

A `.ember` file is a zip archive (no pickle; loading runs no Python from the file) of
`manifest.json` and the blobs it lists with their SHA-256. It holds native code: trust it as you
would a `.so`. The hashes detect corruption and truncation, not a malicious author.
`load` needs neither torch-mlir nor MLIR nor an LLVM JIT: it maps the shared library; only a host
that lacks CPU features the native code uses re-JITs the LLVM IR (where `mlir` is installed).
"""

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass, field, replace

from ember.errors import ArtifactError
from ember.runtime.native import Abi
from ember.runtime.signature import Signature

FORMAT = "ember"
FORMAT_VERSION = 1
NATIVE = "native.so"
LLVM_IR = "llvm.mlirbc"
# The x86 ISA extensions that decide whether native code runs on a host (/proc/cpuinfo flags).
_ISA_PREFIXES = ("sse", "ssse", "avx", "fma", "f16c", "bmi", "amx", "vpclmul", "vaes", "gfni", "movbe",
                 "popcnt", "lzcnt", "abm", "adx", "sha_ni")


def host_cpu_features() -> tuple[str, ...]:
    """The host's ISA extensions, as /proc/cpuinfo names them."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = line.split(":", 1)[1].split()
                    return tuple(sorted(f for f in flags if f.startswith(_ISA_PREFIXES)))
    except OSError:
        pass
    return ()


@dataclass(frozen=True)
class Artifact:
    """A compiled model, ready to save, load or export."""

    signature: Signature
    abi: Abi
    target: str
    options: dict
    llvm_ir: bytes  # the final LLVM-dialect module, MLIR bytecode
    versions: dict
    cpu_features: tuple[str, ...] = field(default_factory=host_cpu_features)
    native: bytes | None = None  # a shared library for `cpu_features`; made by `save`
    kernels: tuple = ()  # the kernel table (ember.passes.kernel_table), for inspection
    device: dict | None = None  # a device target's launch plan (ember.runtime.cuda_plan); no host library
    device_blobs: dict | None = None  # what the plan names: kernels' PTX, weights

    def blobs(self) -> dict[str, bytes]:
        blobs = {LLVM_IR: self.llvm_ir, NATIVE: self.native, **(self.device_blobs or {})}
        return {name: data for name, data in blobs.items() if data is not None}

    def manifest(self) -> dict:
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "signature": self.signature.to_json(),
            "abi": self.abi.to_json(),
            "target": self.target,
            "options": self.options,
            "versions": self.versions,
            "cpu_features": list(self.cpu_features),
            "kernels": list(self.kernels),
            "device": self.device,
            "blobs": {name: hashlib.sha256(data).hexdigest() for name, data in self.blobs().items()},
        }
        manifest["content_hash"] = _hash(manifest)
        return manifest

    @property
    def content_hash(self) -> str:
        return self.manifest()["content_hash"]

    def with_native(self) -> "Artifact":
        """This artifact with a shared library for the host (compiles it; needs MLIR and a C
        compiler). A device target's artifact has none: its plan and kernels are what runs."""
        if self.native is not None or self.device is not None:
            return self
        from ember.runtime.jit import shared_library

        return replace(self, native=shared_library(self), cpu_features=host_cpu_features())

    def save(self, path) -> None:
        """Writes the `.ember` file (atomically: a partial file never has the final name)."""
        artifact = self.with_native()
        path = os.fspath(path)
        temporary = f"{path}.{os.getpid()}.tmp"
        try:
            with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr("manifest.json", json.dumps(artifact.manifest(), indent=1, sort_keys=True))
                for name, data in artifact.blobs().items():
                    archive.writestr(name, data)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)


def _hash(manifest: dict) -> str:
    content = {k: v for k, v in manifest.items() if k != "content_hash"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def read(path) -> Artifact:
    """Reads and verifies a `.ember` file. Raises ArtifactError for another format version or a
    truncated or corrupted file."""
    path = os.fspath(path)
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                raise ArtifactError(f"{path} is not an ember artifact (format {manifest.get('format')!r})")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise ArtifactError(
                    f"{path} has format version {manifest.get('format_version')}; this ember reads "
                    f"version {FORMAT_VERSION}: compile the model again with this ember"
                )
            blobs = {name: archive.read(name) for name in manifest["blobs"]}
    except ArtifactError:
        raise
    except FileNotFoundError:
        raise ArtifactError(f"no such file: {path}") from None
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, OSError) as e:
        raise ArtifactError(f"{path} is truncated or corrupted: {type(e).__name__}: {e}") from None
    if _hash(manifest) != manifest.get("content_hash"):
        raise ArtifactError(f"{path} is corrupted: its manifest does not match its content hash")
    for name, data in blobs.items():
        if hashlib.sha256(data).hexdigest() != manifest["blobs"][name]:
            raise ArtifactError(f"{path} is corrupted: '{name}' does not match its hash")
    try:
        return Artifact(
            signature=Signature.from_json(manifest["signature"]),
            abi=Abi.from_json(manifest["abi"]),
            target=manifest["target"],
            options=manifest["options"],
            llvm_ir=blobs[LLVM_IR],
            versions=manifest["versions"],
            cpu_features=tuple(manifest["cpu_features"]),
            native=blobs.get(NATIVE),
            kernels=tuple(manifest.get("kernels", ())),
            device=manifest.get("device"),
            device_blobs={n: d for n, d in blobs.items() if n not in (LLVM_IR, NATIVE)} or None,
        )
    except (KeyError, TypeError) as e:
        raise ArtifactError(f"{path} has an incomplete manifest: {type(e).__name__}: {e}") from None


def load(path, *, threads: int | None = None):
    """Loads a `.ember` file saved by `CompiledModule.save` as a callable CompiledModule."""
    from ember.runtime.module import CompiledModule, check_threads
    from ember.runtime.targets import lookup_target

    artifact = read(path)
    target = lookup_target(artifact.target)
    executable = target.executable(artifact, check_threads(threads))
    return CompiledModule(artifact.signature, executable, target=artifact.target, artifact=artifact)
