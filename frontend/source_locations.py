"""Turns MLIR locations from the FX importer into the user's own source lines."""

import os
import re
import traceback

import torch

_FILE_LINE = re.compile(r'"([^"]+)":(\d+):\d+')
_LIBRARY_DIRS = (
    os.path.dirname(os.path.dirname(torch.__file__)) + os.sep,  # site-packages
    os.path.dirname(os.__file__) + os.sep,  # the standard library
    os.path.dirname(__file__) + os.sep,  # ember's frontend, which wraps plain functions
)


_TRACEBACK_FRAME = re.compile(r'File "([^"]+)", line (\d+)')


def user_frames_in_traceback(text: str) -> list[str]:
    """`file:line` frames of the user's code named in a Python traceback-style message."""
    return _own([f"{path}:{line}" for path, line in _TRACEBACK_FRAME.findall(text)])


def user_frames_of(error: BaseException) -> list[str]:
    """`file:line` frames of the user's code in the traceback of a raised `error`."""
    return _own([f"{f.filename}:{f.lineno}" for f in traceback.extract_tb(error.__traceback__)])


def _own(frames: list[str]) -> list[str]:
    # <eval_with_key>, <string>: code that torch.fx or exec generated, not the user's file
    return [f for f in frames if not f.startswith(_LIBRARY_DIRS) and "site-packages" not in f and not f.startswith("<")]


def user_frames(location: str) -> list[str]:
    """`file:line` frames of a printed location, innermost first, library frames dropped.

    The FX importer writes a node's stack trace as `callsite(inner at outer...)`; the user's
    code is whatever is not inside torch, the standard library or site-packages.
    """
    frames = [f"{path}:{line}" for path, line in _FILE_LINE.findall(location)]
    return _own(frames) or frames


def source_line(frame: str) -> str:
    """The text of the source line a `file:line` frame points at, or ''."""
    path, _, line = frame.rpartition(":")
    try:
        with open(path, encoding="utf-8") as f:
            for number, text in enumerate(f, start=1):
                if number == int(line):
                    return text.strip()
    except (OSError, ValueError):
        pass
    return ""
