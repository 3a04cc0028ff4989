"""`CompiledModule`: a Signature and an executable, called like the model.

The same class serves a fresh compile (`ember.compile`) and a loaded file (`ember.load`): it
checks the arguments against the Signature, runs the executable, writes the new values of
mutated inputs back into the caller's tensors, and rebuilds the model's output pytree.
"""

import warnings

from ember.errors import EmberError, StaleWeightsError
from ember.runtime.native import NativeExecutable, eager_threads
from ember.runtime.signature import Signature

try:
    import torch

    strided = torch.strided  # an mkldnn tensor passes the other fast checks (and has no data pointer)
except ImportError:
    torch = None


class CompiledModule:
    """A model compiled for its example inputs' shapes and dtypes. Call it like the model."""

    def __init__(self, signature: Signature, executable: NativeExecutable, *, target: str, artifact=None,
                 stages: dict[str, str] | None = None, graph=None, weights=(), state=()):
        self.signature = signature
        self.target = target
        self.artifact = artifact
        self.graph = graph  # the captured torch.fx graph (None for a loaded file)
        self._executable = executable
        self._stages = stages or {}
        self._mutated = signature.mutated_positions
        self._single_output = (signature.out_tree is None and not signature.constants
                               and not signature._item_results)
        self._complex = any(s.complex for s in signature.outputs)
        # (name, tensor, version, holder, key) of every parameter and buffer folded into the code:
        # a call after one changed (in place, load_state_dict, a new Parameter in its place)
        # raises instead of using the old values.
        self._weights = tuple(weights)
        # Getters of the model's buffers behind `signature.state` (a fresh compile); a loaded
        # file has none and takes those inputs as trailing arguments.
        self._state = tuple(state)
        self._warned_grad = False
        self._fast = self._fast_dynamic = None
        self._device = getattr(executable, "device_type", "cpu")
        # The fast paths test is_cpu: a device module's calls take the full check.
        host = torch is not None and self._device == "cpu"
        if host and not signature.is_dynamic:
            self._fast = [(getattr(torch, s.dtype), torch.Size(s.shape)) for s in signature.inputs]
        elif host:  # dynamic dims: the shapes of the last call that passed the full check
            self._fast_dynamic = [getattr(torch, s.dtype) for s in signature.inputs]
            self._checked_shapes = None

    @property
    def name(self) -> str:
        return self.signature.name

    @property
    def inputs(self):
        return self.signature.inputs

    @property
    def outputs(self):
        return self.signature.outputs

    @property
    def threads(self) -> int:
        """The threads a call runs on now (the context's setting, not the compiled code's): the
        count set, else eager's (`torch.get_num_threads()`, read at each call). Setting None
        follows eager's again."""
        return self._executable.threads or eager_threads()

    @threads.setter
    def threads(self, threads: int | None) -> None:
        self._executable.threads = check_threads(threads)

    @property
    def stages(self) -> list[str]:
        """The IR levels that `ir()` can show, in pipeline order."""
        return list(self._stages)

    def ir(self, stage: str = "linalg") -> str:
        """The module's IR at one stage (weights elided): see `stages`."""
        if stage not in self._stages:
            raise EmberError(f"no IR stage '{stage}'; this module has: {', '.join(self._stages) or '(none)'}")
        return self._stages[stage]

    def save(self, path) -> None:
        """Writes one `.ember` file: native code for this host, the final LLVM IR, the Signature
        (see `ember.load`)."""
        if self.artifact is None:
            raise EmberError(f"{self.name} has no artifact to save")
        self.artifact.save(path)

    def __call__(self, *args, **kwargs):
        if kwargs or self._state:
            args = self.signature.bind(args, kwargs, tuple(get() for get in self._state))
        for name, tensor, version, data, holder, key in self._weights:  # a few reads per parameter
            if tensor._version != version or holder.get(key) is not tensor or tensor.data_ptr() != data:
                raise StaleWeightsError(
                    f"{self.name}: '{name}' changed after ember.compile (in place, by load_state_dict,"
                    " through .data or assigned anew); ember folds parameters and buffers into the"
                    " compiled code: compile the model again"
                )
        # The common case costs a few attribute reads per argument; anything else (a mismatch
        # to report, a non-contiguous or sign-bit view, a Tensor subclass, numpy) takes the full check.
        inputs = args
        fast = self._fast
        if self._fast_dynamic is not None:
            inputs = self._check_dynamic(args)
        elif fast is None or len(args) != len(fast):
            inputs = self.signature.check(args, self._device)
            self._warn_if_grad(args)
        else:
            for value, (dtype, shape) in zip(args, fast):
                if not (type(value) is torch.Tensor and value.dtype is dtype and value.shape == shape
                        and value.is_cpu and value.layout is strided and value.is_contiguous()
                        and not value.is_neg() and not value.requires_grad):
                    inputs = self.signature.check(args, self._device)
                    self._warn_if_grad(args)
                    break
        outputs = self._executable.run(inputs)
        if self._complex:
            outputs = outputs[:len(self._mutated)] + self.signature.complex_results(outputs[len(self._mutated):])
        if self._mutated:
            for position, value in zip(self._mutated, outputs):
                _write_back(args[position], value)
            outputs = outputs[len(self._mutated):]
        if self._single_output:
            return outputs[0]
        return self.signature.unflatten(outputs)

    def _check_dynamic(self, args):
        """The fast path with dynamic dims: the shapes of the last call that passed the full
        check (whose sizes the executable checks against the dims' ranges), and the cheap checks
        of the static fast path; anything else takes the full check."""
        if len(args) == len(self._fast_dynamic):
            for value, dtype, shape in zip(args, self._fast_dynamic, self._checked_shapes or ()):
                if not (type(value) is torch.Tensor and value.shape == shape and value.dtype is dtype
                        and value.is_cpu and value.layout is strided and value.is_contiguous()
                        and not value.is_neg() and not value.requires_grad):
                    break
            else:
                if self._checked_shapes is not None:
                    return args
        self._warn_if_grad(args)
        inputs = self.signature.check(args, self._device)
        if all(type(a) is torch.Tensor for a in args):
            self._checked_shapes = tuple(a.shape for a in args)
        return inputs

    def _warn_if_grad(self, args) -> None:
        if not self._warned_grad and any(getattr(a, "requires_grad", False) for a in args):
            self._warned_grad = True
            warnings.warn(f"{self.name}: an input requires grad, but gradients do not flow through an"
                          " ember-compiled module (it compiles inference); its outputs do not require grad",
                          stacklevel=3)

    def __str__(self) -> str:
        """The signature and a table of the kernels: ops, result, FLOPs, bytes moved."""
        from ember.runtime.inspection import summary

        return summary(self.signature, self.target, self.artifact.kernels if self.artifact else ())

    def show(self, path) -> None:
        """Writes the kernel graph as SVG: kernels as clusters of their ops, edges by shape."""
        from ember.runtime.inspection import kernel_dot, render_svg

        render_svg(kernel_dot(self.signature, self.artifact.kernels if self.artifact else ()), path)

    def __repr__(self) -> str:
        sig = ", ".join(f"{s.name}: {s.describe()}" for s in self.inputs)
        return f"<ember.CompiledModule {self.name}({sig}) target={self.target}>"


def _write_back(destination, value) -> None:
    if torch is not None and isinstance(destination, torch.Tensor):
        destination.copy_(value)
    else:
        import numpy

        numpy.copyto(destination, value)


def check_threads(threads) -> int | None:
    """`threads` as given: a positive int, or None (eager's count at each call)."""
    if threads is None:
        return None
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise EmberError(f"threads must be a positive int (1: single-thread) or None (eager's count,"
                         f" torch.get_num_threads()), got {threads!r}")
    return threads
