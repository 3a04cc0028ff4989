"""The call path of a compiled entry point, JIT-ed in this process or loaded from a library.

The entry has ember's ABI (`ember-entry-point`): `int32 entry(inputs..., [seed,] outputs...,
arena, threads)`, every buffer a memref descriptor; `seed` (an int64, see `ember-caller-seed`)
only where the model draws random numbers. It is called through MLIR's packed wrapper
(`_mlir__mlir_ciface_<entry>(void **args)`, args[i] pointing at argument i and the last at the
result), which the JIT and the saved shared library both contain; one precomputed argument
array per context keeps a call to a few attribute writes.

A `Context` is one caller's state: the arena for intermediates, the thread count, the
descriptors. Each Python thread gets its own, so calls from several threads run at once.
Needs neither torch-mlir nor MLIR (a loaded artifact runs without them); torch only for torch
tensors.
"""

import ctypes
import threading
from dataclasses import dataclass

from ember.errors import EmberError, RuntimeCheckError, runtime_error_class
from ember.runtime.memref import make_descriptor, set_shape
from ember.runtime.signature import Signature

try:
    import torch
except ImportError:
    torch = None

ALIGNMENT = 64


@dataclass(frozen=True)
class Abi:
    """What the caller of an entry must know beyond the Signature: the entry's symbol, the arena
    bytes it needs, whether it runs OpenMP loops, its runtime errors (status code k is
    `errors[k - 1]`, "ExceptionClass: message"), and whether it takes a seed after its inputs."""

    entry: str
    arena_size: int
    uses_openmp: bool = False
    errors: tuple[str, ...] = ()
    seeded: bool = False

    @property
    def packed_symbol(self) -> str:
        return f"_mlir__mlir_ciface_{self.entry}"

    def to_json(self) -> dict:
        return {"entry": self.entry, "arena_size": self.arena_size, "uses_openmp": self.uses_openmp,
                "errors": list(self.errors), "seeded": self.seeded}

    @staticmethod
    def from_json(d: dict) -> "Abi":
        return Abi(d["entry"], d["arena_size"], d["uses_openmp"], tuple(d["errors"]), d.get("seeded", False))

    def error(self, status: int, model: str) -> EmberError:
        if 0 < status <= len(self.errors):
            kind, _, message = self.errors[status - 1].partition(": ")
            return runtime_error_class(kind)(f"{model}: {message}")
        return RuntimeCheckError(f"{model}: the compiled code reported error status {status}")


class Context:
    """One caller's state for an entry: the arena, the thread count, the seed slot (of a model
    that draws random numbers) and the packed arguments. The descriptors point at the buffers
    of the call being made and are valid only during it: the entry must be called through
    `NativeExecutable.run`, which sets them, never again with what a previous call left."""

    def __init__(self, signature: Signature, abi: Abi, threads: int):
        size = max(abi.arena_size, 1)
        self._arena_storage = (ctypes.c_byte * (size + ALIGNMENT))()
        arena = -(-ctypes.addressof(self._arena_storage) // ALIGNMENT) * ALIGNMENT
        arena_descriptor = make_descriptor((size,))
        arena_descriptor.allocated = arena_descriptor.aligned = arena
        # A dynamic dim's size (and the strides it affects) is written per call.
        shapes = [tuple(d if isinstance(d, int) else 0 for d in s.shape)
                  for s in (*signature.inputs, *signature.entry_outputs)]
        self.descriptors = [make_descriptor(shape) for shape in shapes]
        self.shapes = None  # a dynamic entry's input shapes of the last call (its descriptors hold them)
        self.output_shapes = None
        self.prototypes = None
        self.threads = ctypes.c_int32(threads)
        self.status = ctypes.c_int32(0)
        # The packed wrapper's argument i points at a slot that holds descriptor i's address.
        self._slots = [ctypes.c_void_p(ctypes.addressof(d)) for d in [*self.descriptors, arena_descriptor]]
        self._keep = arena_descriptor
        pointers = [ctypes.addressof(s) for s in self._slots]
        self.seed = None
        if abi.seeded:  # the seed goes by value, between the inputs and the outputs
            self.seed = ctypes.c_int64(0)
            self.draw_seed = seed_drawer(self.seed)
            pointers.insert(len(signature.inputs), ctypes.addressof(self.seed))
        pointers += [ctypes.addressof(self.threads), ctypes.addressof(self.status)]
        self.packed = (ctypes.c_void_p * len(pointers))(*pointers)


def seed_drawer(slot: ctypes.c_int64):
    """A function that writes a fresh seed into `slot`: one draw of torch's default generator
    (numpy's global one where torch is not installed) per call.

    Why a draw per call and not a state kept by the compiled code: `torch.manual_seed(s)` then
    makes the draws of a compiled (or saved and loaded) model reproducible as it makes eager's
    (and a fresh process, which torch seeds alike, draws as eager's does: the same numbers until
    seeded otherwise), a model draws new numbers on every call, and two threads, each with its
    own context, draw different numbers without sharing state. The seed keys the compiled code's
    counter-based generator (`ember-caller-seed`); bit equality with eager's numbers is not the aim.
    """
    if torch is not None:
        view = torch.frombuffer(slot, dtype=torch.int64)  # random_ writes into the slot itself
        return view.random_  # uniform on [0, 2^63): one 64-bit draw of the default generator
    import numpy

    def draw() -> None:
        slot.value = int(numpy.random.randint(0, 2**63 - 1, dtype=numpy.int64))

    return draw


# The threads eager PyTorch runs its ops on (`torch.set_num_threads` changes them), read when a
# call runs: torch's own function, no wrapper on the per-call path; 1 without torch.
eager_threads = torch.get_num_threads if torch is not None else (lambda: 1)


class NativeExecutable:
    """A callable entry point: `run(inputs)` returns the entry's outputs as new tensors (or numpy
    arrays, for numpy inputs)."""

    device_type = "cpu"  # where its inputs and outputs live

    def __init__(self, signature: Signature, abi: Abi, address: int, keepalive, threads: int | None = None):
        if not address:
            raise EmberError(f"the compiled code of {signature.name} has no {abi.packed_symbol}")
        self.signature = signature
        self.abi = abi
        self.threads = threads  # None: eager's count (torch.get_num_threads()) at each call
        self._function = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(address)
        self._keepalive = keepalive  # the engine or library that holds the code
        self._local = threading.local()
        outputs = signature.entry_outputs
        # torch.empty_like of a kept tensor is the cheapest way to get a fresh output tensor.
        self._prototypes = None
        self._dynamic = signature.is_dynamic
        self._dtypes = [getattr(torch, s.dtype) for s in outputs] if torch is not None else []
        if torch is not None and not self._dynamic:
            self._prototypes = [torch.empty(s.shape, dtype=getattr(torch, s.dtype)) for s in outputs]

    def context(self) -> Context:
        """This thread's context (made on its first call)."""
        context = getattr(self._local, "context", None)
        if context is None:
            context = self._local.context = Context(self.signature, self.abi, self.threads or eager_threads())
        return context

    def run(self, inputs) -> list:
        try:
            context = self._local.context
        except AttributeError:
            context = self.context()
        descriptors = context.descriptors
        if self._dynamic:
            outputs = self._dynamic_outputs(inputs, context)
        elif torch is not None and (not inputs or isinstance(inputs[0], torch.Tensor)):
            outputs = [torch.empty_like(p) for p in self._prototypes]
            for descriptor, tensor in zip(descriptors, (*inputs, *outputs)):
                descriptor.allocated = descriptor.aligned = tensor.data_ptr()
        else:
            import numpy

            outputs = [numpy.empty(s.shape, dtype=s.dtype) for s in self.signature.entry_outputs]
            for descriptor, array in zip(descriptors, (*inputs, *outputs)):
                descriptor.allocated = descriptor.aligned = array.ctypes.data
        threads = self.threads or eager_threads()
        if context.threads.value != threads:
            context.threads.value = threads
        if context.seed is not None:
            context.draw_seed()
        self._function(context.packed)  # ctypes lets go of the GIL during the call
        status = context.status.value
        if status:
            raise self.abi.error(status, self.signature.name)
        return outputs

    def _dynamic_outputs(self, inputs, context) -> list:
        """New outputs of the shapes that this call's sizes give, with every descriptor pointing
        at its buffer. Sizes, strides and output shapes are computed (and the dims' ranges
        checked) when the input shapes differ from the context's last call."""
        key = [x.shape for x in inputs]
        torch_call = torch is not None and (not inputs or isinstance(inputs[0], torch.Tensor))
        if key != context.shapes or torch_call != (context.prototypes is not None):
            sizes = self.signature.dim_sizes(inputs)  # raises for a size out of range
            context.output_shapes = self.signature.entry_output_shapes(sizes)
            for descriptor, shape in zip(context.descriptors, [tuple(k) for k in key] + context.output_shapes):
                set_shape(descriptor, shape)
            # torch.empty_like of a kept tensor is the cheapest way to a fresh output
            context.prototypes = [torch.empty(shape, dtype=dtype) for shape, dtype in
                                  zip(context.output_shapes, self._dtypes)] if torch_call else None
            context.shapes = key
        if torch_call:
            outputs = [torch.empty_like(p) for p in context.prototypes]
            for descriptor, tensor in zip(context.descriptors, (*inputs, *outputs)):
                descriptor.allocated = descriptor.aligned = tensor.data_ptr()
        else:
            import numpy

            outputs = [numpy.empty(shape, dtype=s.dtype)
                       for shape, s in zip(context.output_shapes, self.signature.entry_outputs)]
            for descriptor, array in zip(context.descriptors, (*inputs, *outputs)):
                descriptor.allocated = descriptor.aligned = array.ctypes.data
        return outputs
