"""The lowered (LLVM-dialect) module of any target: the ABI its entry records, and its bytes.
Target-neutral: what `ember-entry-point` and `ember-plan-memory` wrote on the entry."""

import io

from mlir import ir

from ember.errors import EmberError
from ember.passes.caller_seed import SEED_GLOBAL, SEEDED
from ember.passes.entry_point import ENTRY, SET_THREADS
from ember.runtime.native import Abi


def abi_of(module: ir.Module) -> Abi:
    """The ABI that `ember-entry-point` and `ember-plan-memory` recorded on the lowered entry."""
    # llvm.func on the CPU; a device target's host entry stays a func.func of launches
    functions = [op for op in module.body.operations if op.operation.name in ("llvm.func", "func.func")]
    entries = [f for f in functions if ENTRY in f.attributes
               and not f.attributes["sym_name"].value.startswith("_mlir_ciface_")]
    if len(entries) != 1:
        raise EmberError("the lowered module has no entry point: its pipeline must run ember-entry-point")
    _check_no_global_seed(module)
    entry = entries[0].attributes
    errors = tuple(ir.StringAttr(a).value for a in entry["ember.errors"]) if "ember.errors" in entry else ()
    return Abi(
        entry=entry["sym_name"].value,
        arena_size=entry["ember.arena_size"].value if "ember.arena_size" in entry else 0,
        uses_openmp=any(f.attributes["sym_name"].value == SET_THREADS for f in functions),
        errors=errors,
        seeded=SEEDED in entry,
    )


def _check_no_global_seed(module: ir.Module) -> None:
    """A pipeline without `ember-caller-seed` leaves torch-mlir's RNG state in a global of the
    native code: the same numbers in every process whatever torch.manual_seed says, and a race
    between threads. Refused rather than run."""
    for op in module.body.operations:
        if op.operation.name == "llvm.mlir.global" and op.attributes["sym_name"].value == SEED_GLOBAL:
            raise EmberError(
                "the model draws random numbers, and its pipeline keeps their seed in a global of the"
                " compiled code (@global_seed); run ember-caller-seed first (ember-cpu-fuse does) so"
                " that each call takes its seed from torch's generator"
            )


def bytecode(module: ir.Module) -> bytes:
    buffer = io.BytesIO()
    module.operation.write_bytecode(buffer)
    return buffer.getvalue()
