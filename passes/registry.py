"""One registry of ember's passes and named pipelines, shared by `ember-opt` and `ember.compile`.

A pass is a frozen dataclass: its kebab-case `NAME`, a one-line `SUMMARY`, its options as typed
fields, and `run(module_op)`. Options come from MLIR's syntax, `ember-tile{tile-sizes=8,32}`:
kebab-case keys map to the snake_case fields and are converted to the fields' types.
"""

import dataclasses
import importlib
import typing
from typing import Callable, ClassVar

from ember.errors import PipelineSyntaxError
from ember.passes.pipeline_syntax import parse_options

# name → module that defines it; imported on first use so that `ember-opt --help` stays fast.
_PASS_MODULES: dict[str, str] = {
    "ember-check-llvm-lowered": "ember.passes.check_llvm_lowered",
    "ember-bool-to-byte": "ember.passes.bool_to_byte",
    "ember-seal-buffer-islands": "ember.passes.seal_buffer_islands",
    "ember-fold-constants": "ember.passes.fold_constants",
    "ember-entry-point": "ember.passes.entry_point",
    "ember-caller-seed": "ember.passes.caller_seed",
    "ember-distinct-results": "ember.passes.distinct_results",
    "ember-runtime-checks": "ember.passes.runtime_checks",
    "ember-check-indices": "ember.passes.check_indices",
    "ember-safe-integer-division": "ember.passes.safe_integer_division",
    "ember-plan-memory": "ember.passes.plan_memory",
    "ember-outline-kernels": "ember.passes.outline_kernels",
    "ember-weights-as-bytes": "ember.passes.weights_as_bytes",
    "ember-limit-unrolling": "ember.passes.limit_unrolling",
    "ember-pad-weight-rows": "ember.passes.pad_weight_rows",
    "ember-parallelize-tiles": "ember.passes.parallelize_tiles",
    "ember-erase-dead-results": "ember.passes.erase_dead_results",
    "ember-conv-channels-inner": "ember.passes.conv_channels_inner",
    "ember-expand-log1p-expm1": "ember.passes.expand_log1p_expm1",
    "ember-expand-exp": "ember.passes.expand_exp",
    "ember-expand-erf": "ember.passes.expand_erf",
    "ember-widen-reductions": "ember.passes.widen_reductions",
    "ember-split-reductions": "ember.passes.split_reductions",
    "ember-fuse-groups": "ember.passes.fuse_groups",
    "ember-dissolve-groups": "ember.passes.dissolve_groups",
    "ember-tile-and-vectorize": "ember.passes.tile_and_vectorize",
    "ember-pad-to-copy": "ember.passes.pad_to_copy",
    "ember-fuse-elementwise": "ember.passes.fuse_elementwise",
    "ember-pointwise-conv-as-matmul": "ember.passes.pointwise_conv_as_matmul",
    "ember-vectorize-copies": "ember.passes.vectorize_copies",
    "ember-gpu-host-kernels": "ember.passes.gpu_host_kernels",
    "ember-gpu-map-loops": "ember.passes.gpu_map_loops",
    "ember-emulate-gpu": "ember.passes.emulate_gpu",
    "ember-gpu-sink-scalars": "ember.passes.gpu_sink_scalars",
    "ember-parallel-dims-outer": "ember.passes.parallel_dims_outer",
    "ember-gpu-reductions": "ember.passes.gpu_reductions",
    "ember-gpu-tile-contractions": "ember.passes.gpu_tile_contractions",
    "ember-gpu-fuse-loops": "ember.passes.gpu_fuse_loops",
    "ember-gpu-workgroup-memory": "ember.passes.gpu_workgroup_memory",
}
_PASSES: dict[str, type] = {}
_PIPELINES: dict[str, "NamedPipeline"] = {}


class PassFailure(Exception):
    """Raised by a pass that has already emitted its located error diagnostics."""


class EmberPass:
    """Base of ember's Python passes. Subclasses are frozen dataclasses registered by name.

    A pass fails by emitting located errors (`op.location.emit_error(...)`) and raising
    PassFailure; any other exception fails it too, reported with its traceback.
    """

    NAME: ClassVar[str]
    SUMMARY: ClassVar[str]

    def run(self, op) -> None:  # `op` is the operation the pass is anchored on (a module)
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class NamedPipeline:
    """A pipeline registered under one name; `build(**options)` returns its pipeline text."""

    name: str
    summary: str
    build: Callable[..., str]


def register_pass(cls):
    """Class decorator: registers an EmberPass subclass under its NAME."""
    cls = dataclasses.dataclass(frozen=True)(cls)
    _PASSES[cls.NAME] = cls
    return cls


def register_pipeline(name: str, summary: str):
    def wrap(build):
        _PIPELINES[name] = NamedPipeline(name, summary, build)
        return build

    return wrap


def _load_all() -> None:
    for module in set(_PASS_MODULES.values()):
        importlib.import_module(module)
    importlib.import_module("ember.passes.pipelines")


def pass_names() -> list[str]:
    return sorted(_PASS_MODULES)


def lookup_pass(name: str) -> type | None:
    if name in _PASS_MODULES and name not in _PASSES:
        importlib.import_module(_PASS_MODULES[name])
    return _PASSES.get(name)


def lookup_pipeline(name: str) -> NamedPipeline | None:
    if not _PIPELINES:
        importlib.import_module("ember.passes.pipelines")
    return _PIPELINES.get(name)


def all_passes() -> dict[str, type]:
    _load_all()
    return dict(sorted(_PASSES.items()))


def all_pipelines() -> dict[str, NamedPipeline]:
    _load_all()
    return dict(sorted(_PIPELINES.items()))


def _convert(value: str, annotation, where: str):
    origin = typing.get_origin(annotation)
    try:
        if annotation is bool:
            if value not in ("true", "false", "1", "0"):
                raise ValueError(value)
            return value in ("true", "1")
        if annotation in (int, float, str):
            return annotation(value)
        if origin is tuple:
            item = typing.get_args(annotation)[0]
            return tuple(item(v) for v in value.strip("[]").split(",") if v.strip())
    except ValueError:
        pass
    raise PipelineSyntaxError(f"{where}: expected a value of type {getattr(annotation, '__name__', annotation)}, got '{value}'")


def option_fields(cls) -> dict[str, dataclasses.Field]:
    """The pass's options by their kebab-case names."""
    return {f.name.replace("_", "-"): f for f in dataclasses.fields(cls)}


def make_options(name: str, option_text: str, accepted: dict[str, type]) -> dict:
    """Parses `key=value` text against `accepted` (kebab-case key → type) into keyword args."""
    kwargs = {}
    for key, value in parse_options(option_text).items():
        if key not in accepted:
            raise PipelineSyntaxError(
                f"'{name}' has no option '{key}'; its options are: {', '.join(accepted) or '(none)'}"
            )
        kwargs[key.replace("-", "_")] = _convert(value, accepted[key], f"option '{key}' of '{name}'")
    return kwargs


def instantiate_pass(name: str, option_text: str = "") -> EmberPass:
    cls = lookup_pass(name)
    hints = typing.get_type_hints(cls)
    accepted = {key: hints[f.name] for key, f in option_fields(cls).items()}
    return cls(**make_options(name, option_text, accepted))
