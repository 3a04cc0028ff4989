"""Ctrl-C deferred while ember's heavy imports run.

An interrupt that lands inside a module's first import leaves that module half-initialized in
the process for good: torch._dynamo without `exc`, sympy without `printing`, torch-mlir's
dialect registered without its module (measured: after Ctrl-C at 0.2-1.6 s into a first
`ember.compile`, every later compile of that process failed). Those imports run under
`deferred()`: a Ctrl-C meanwhile is held, and raised as KeyboardInterrupt (or handed to the
previous handler) as soon as they are done, a second or two later at most.
"""

import contextlib
import signal
import threading


@contextlib.contextmanager
def deferred():
    if threading.current_thread() is not threading.main_thread():  # signals reach the main thread only
        yield
        return
    pending = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pending.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pending and callable(previous):
            previous(signal.SIGINT, pending[0])
