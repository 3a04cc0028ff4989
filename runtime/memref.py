"""ctypes layouts of MLIR's ranked memref descriptors, built once per argument."""

import ctypes
import functools
import math


@functools.cache
def descriptor_type(rank: int) -> type[ctypes.Structure]:
    """`{allocated, aligned, offset, sizes[rank], strides[rank]}`, MLIR's C layout."""
    fields = [("allocated", ctypes.c_void_p), ("aligned", ctypes.c_void_p), ("offset", ctypes.c_int64)]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type(f"MemRef{rank}D", (ctypes.Structure,), {"_fields_": fields})


def contiguous_strides(shape: tuple[int, ...]) -> list[int]:
    return [math.prod(shape[i + 1 :]) for i in range(len(shape))]


def make_descriptor(shape: tuple[int, ...]) -> ctypes.Structure:
    """A descriptor for a contiguous buffer of `shape`; its pointers are filled per call."""
    descriptor = descriptor_type(len(shape))()
    set_shape(descriptor, shape)
    return descriptor


def set_shape(descriptor: ctypes.Structure, shape: tuple[int, ...]) -> None:
    """The sizes and contiguous strides of `shape` (a dynamic entry's, per call)."""
    if shape:
        descriptor.sizes[:] = list(shape)
        descriptor.strides[:] = contiguous_strides(shape)
