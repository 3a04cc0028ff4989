"""The cuda target's runtime: runs a module's launch plan (ember.runtime.cuda_plan) on torch
CUDA tensors, on torch's current stream, through the CUDA driver API.

Needs torch with CUDA (any torch >= 2.11) and the driver's libcuda.so.1, reached with ctypes:
neither MLIR, torch-mlir nor cuda-bindings, so that a `.ember` compiled on a machine without a
GPU loads on one with a GPU and nothing of ember's compiler (see `ember.load`). The PTX of each
kernel module is JIT-compiled by the driver for the device when the module is loaded; weights
are copied to the device once; each thread's context owns a device arena (intermediates and
the status word). A call launches every kernel on the current stream, then reads the status
word back (the one host round trip, which a runtime check needs) and raises the check's error.
"""

import ctypes
import functools
import threading

from ember.errors import EmberError, InputValueError
from ember.runtime.native import seed_drawer

try:
    import torch
except ImportError:
    torch = None

_SCALARS = {"i64": ctypes.c_int64, "i32": ctypes.c_int32, "i16": ctypes.c_int16, "i8": ctypes.c_int8,
            "i1": ctypes.c_bool, "f32": ctypes.c_float, "f64": ctypes.c_double}


class CudaError(EmberError):
    """A CUDA driver call failed (its error name is in the message), or there is no driver."""


class _Driver:
    def __init__(self):
        try:
            self.lib = ctypes.CDLL("libcuda.so.1")
        except OSError as e:
            raise CudaError(f"no CUDA driver on this machine (libcuda.so.1: {e})") from None

    def check(self, result: int, what: str) -> None:
        if result:
            name = ctypes.c_char_p()
            self.lib.cuGetErrorName(result, ctypes.byref(name))
            raise CudaError(f"{what} failed: {(name.value or b'CUDA error %d' % result).decode()}")

    def load(self, image: bytes) -> ctypes.c_void_p:
        """A module from a cubin, or from PTX text (NUL-terminated), which the driver compiles."""
        module = ctypes.c_void_p()
        self.check(self.lib.cuModuleLoadData(ctypes.byref(module), ctypes.c_char_p(image)), "cuModuleLoadData")
        return module

    def function(self, module: ctypes.c_void_p, name: str) -> ctypes.c_void_p:
        function = ctypes.c_void_p()
        self.check(self.lib.cuModuleGetFunction(ctypes.byref(function), module, name.encode()),
                   f"cuModuleGetFunction({name})")
        return function


@functools.cache
def driver() -> _Driver:
    return _Driver()


class _Context:
    """One thread's arena, seed and kernel parameter arrays."""

    def __init__(self, executable: "CudaExecutable"):
        self._executable = executable
        plan = executable.plan
        self.arena = torch.empty(max(executable.abi.arena_size, 4), dtype=torch.uint8, device=executable.device)
        self.status = self.arena[plan["status"]: plan["status"] + 4].view(torch.int32)
        self.seed = ctypes.c_int64(0)
        self.draw_seed = seed_drawer(self.seed)
        self.argument_slots = []  # (slot, buffer index) to point at this call's tensors
        self.launches = []
        for launch in plan["launches"]:
            values = [self._param(p) for p in launch["params"]]
            pointers = (ctypes.c_void_p * len(values))(*[ctypes.addressof(v) for v in values])
            self.launches.append((executable.functions[launch["module"], launch["function"]], launch["grid"],
                                  launch["block"], values, pointers))

    def _param(self, param):
        kind, value = param
        if kind == "ptr":
            slot = ctypes.c_uint64(0)
            where, *rest = value
            if where == "arg":
                self.argument_slots.append((slot, self._executable.arguments[rest[0]]))
            elif where == "arena":
                slot.value = self.arena.data_ptr() + rest[0]
            else:
                slot.value = self._executable.weights[rest[0]].data_ptr()
            return slot
        if value == ["seed"]:
            return self.seed
        return _SCALARS[kind](value)


class _Gpu:
    """The CUDA device that torch uses: kernels loaded by the driver, launched on torch's stream."""

    def __init__(self, plan: dict, blobs: dict):
        self.device = torch.device("cuda", torch.cuda.current_device())
        torch.cuda.init()  # torch's primary context, current on this thread: the driver calls use it
        cuda = driver()
        # A cubin where it was made for this device's chip; else the driver JIT-compiles the PTX.
        major, minor = torch.cuda.get_device_capability(self.device)
        native = f"sm_{major}{minor}"
        self._modules = {name: cuda.load(blobs[m["cubin"]] if m.get("cubin") and m.get("chip") == native
                                         else blobs[m["ptx"]] + b"\0")
                         for name, m in plan["modules"].items()}

    def kernel(self, launch: dict):
        return driver().function(self._modules[launch["module"]], launch["function"])

    def stream(self) -> ctypes.c_void_p:
        """torch's current stream, looked up once per call (a Python call into torch each)."""
        return ctypes.c_void_p(torch.cuda.current_stream(self.device).cuda_stream)

    def launch(self, kernel, grid, block, values, pointers, what: str, stream) -> None:
        cuda = driver()
        cuda.check(cuda.lib.cuLaunchKernel(kernel, *grid, *block, 0, stream, pointers, None), f"cuLaunchKernel ({what})")


class HostKernels:
    """The plan's kernels as the host runs them: `ember-emulate-gpu`'s functions of the same
    mapped kernels (each `<module>_<kernel>`, taking the kernel's parameters, then the grid
    and block sizes), called through the ExecutionEngine's packed wrappers, found by
    `lookup(symbol)` (`ExecutionEngine.raw_lookup`): an array of pointers to the arguments, as
    cuLaunchKernel takes them, on CPU tensors. With it the launch plan, its parameters and its
    buffers run (and are tested) where there is no GPU; only the driver calls differ."""

    def __init__(self, lookup):
        self.device = torch.device("cpu")
        self._lookup = lookup

    def kernel(self, launch: dict):
        symbol = f"{launch['module']}_{launch['function']}"
        address = self._lookup(symbol)
        if not address:
            raise CudaError(f"no emulated kernel {symbol}")
        return ctypes.CFUNCTYPE(None, ctypes.c_void_p)(address)

    def stream(self) -> None:
        return None  # the host runs the kernels in order

    def launch(self, kernel, grid, block, values, pointers, what: str, stream) -> None:
        sizes = [ctypes.c_int64(n) for n in (*grid, *block)]
        arguments = (ctypes.c_void_p * (len(values) + 6))(*pointers, *[ctypes.addressof(n) for n in sizes])
        kernel(arguments)


class CudaExecutable:
    """A callable cuda-compiled entry: `run(inputs)` (CUDA tensors) returns new CUDA tensors.
    `device` runs the kernels: torch's CUDA device by default, or HostKernels."""

    device_type = "cuda"

    def __init__(self, artifact, threads: int | None = None, device=None):
        self.signature, self.abi, self.plan, self.threads = artifact.signature, artifact.abi, artifact.device, threads
        self.unavailable = None
        if device is None and (torch is None or not torch.cuda.is_available()):
            # Compiling (and saving) needs no GPU; a call does.
            self.unavailable = (f"{artifact.signature.name} is compiled for CUDA, and this process has no CUDA"
                                " device (torch.cuda.is_available() is False)")
            return
        blobs = artifact.device_blobs
        self.runner = device or _Gpu(self.plan, blobs)
        self.device = self.runner.device
        self.device_type = self.device.type  # what the Signature checks inputs against
        self.functions = {(l["module"], l["function"]): self.runner.kernel(l) for l in self.plan["launches"]}
        self.weights = {name: torch.frombuffer(bytearray(blobs[w["blob"]]), dtype=torch.uint8).to(self.device)
                        for name, w in self.plan["weights"].items()}
        # the entry's buffer arguments, in order, are the inputs and then the outputs
        self.arguments = {k: i for i, k in enumerate(self.plan["arguments"])}
        self._local = threading.local()

    def context(self) -> _Context:
        context = getattr(self._local, "context", None)
        if context is None:
            context = self._local.context = _Context(self)
        return context

    def run(self, inputs) -> list:
        if self.unavailable:  # the Signature has checked that the inputs are CUDA tensors
            raise CudaError(self.unavailable)
        for spec, value in zip(self.signature.inputs, inputs):
            if value.device != self.device:
                raise InputValueError(f"{self.signature.name}: input '{spec.name}' is on {value.device}, and the"
                                      f" module runs on {self.device} (torch.cuda.current_device() when loaded)")
        context = self.context()
        outputs = [torch.empty(s.shape, dtype=getattr(torch, s.dtype), device=self.device)
                   for s in self.signature.entry_outputs]
        buffers = [*inputs, *outputs]
        for slot, index in context.argument_slots:
            slot.value = buffers[index].data_ptr()
        context.draw_seed()
        context.status.zero_()
        stream = self.runner.stream()
        for function, grid, block, values, pointers in context.launches:
            self.runner.launch(function, grid, block, values, pointers, self.signature.name, stream)
        status = int(context.status.item())  # waits for the stream
        if status:
            raise self.abi.error(status, self.signature.name)
        return outputs
