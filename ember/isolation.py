"""Compiles where a native crash cannot take the user's process down with it.

The upstream MLIR wheel is built with assertions: an input that trips one (a `memref.load` of
`i1` reaching `finalize-memref-to-llvm` did, for 8% of a corpus of small torch modules) aborts
the whole process with SIGABRT, not an exception. Isolated, the pass pipeline down to the LLVM
dialect runs in a forked child, which sends back the result as MLIR bytecode together with each
stage's IR (through a temporary file: a pipe is slow for weights); the parent JITs it. A child that dies of a signal becomes an `IsolatedCrashError`
naming the stage, the pass and a reproducer file.

torch-mlir's import and lowering (native code too: it died of SIGSEGV on int8 `x * 3`) runs the
same way, in a child of its own before the passes (`call_isolated`).

The setting (`ember.compile(isolate=...)`, else the environment variable `EMBER_ISOLATE`):
- "passes" (True, "1"; the default): torch-mlir's lowering and the pass pipeline in children,
  LLVM's code generation in the parent;
- "full": the child also tries LLVM's code generation (ExecutionEngine) before the parent
  repeats it, so that an abort there is contained too, at the price of JIT-ing twice;
- "off" (False, "0"): everything in-process.
Containment costs a fork and a copy of the IR (weights included) per child, through a file: on
this project's 2-core machine BERT-base's compile took 15.8 s isolated against 13.4 s in-process,
the seed MLP's is within noise.
"""

import faulthandler
import functools
import logging
import os
import pickle
import signal
import sys
import tempfile
import time
import traceback
from multiprocessing import Pipe

from mlir import ir
from mlir.execution_engine import ExecutionEngine

from ember import errors
from ember.errors import EmberError, IsolatedCrashError
from ember.passes.pass_manager import Step, expand, pipeline_text, run_pipeline, write_reproducer

ENV_VAR = "EMBER_ISOLATE"
TIMEOUT_VAR = "EMBER_ISOLATE_TIMEOUT"
DEFAULT_TIMEOUT = 900.0  # seconds without a word from the child (one pass) before it is killed
MODES = ("off", "passes", "full")
_SPELLINGS = {False: "off", True: "passes", "0": "off", "1": "passes", "false": "off", "true": "passes"}


def isolation_mode(isolate: bool | str | None) -> str:
    """The setting: the argument, else `EMBER_ISOLATE`, else "passes"."""
    if isolate is None:
        isolate = os.environ.get(ENV_VAR, "").strip().lower() or "passes"
    mode = _SPELLINGS.get(isolate.lower() if isinstance(isolate, str) else isolate, isolate)
    if mode not in MODES:
        raise EmberError(f"isolate must be one of True, False, {', '.join(repr(m) for m in MODES)}; got {isolate!r}")
    return mode


def lower(module: ir.Module, stages: list[tuple[str, str]], label: str, snapshot, *, mode: str,
          opt_level: int, jit_libs: list[str]) -> tuple[ir.Module, dict[str, str]]:
    """Runs `stages` ((name, pipeline text), in order) on `module`; returns the lowered module and
    {stage: snapshot(module)} taken after each stage. Isolated, the module returned is a new one,
    read back from the child; `module` itself is left as it was."""
    progress = Progress(label)
    if mode == "off":
        snapshots = {}
        for stage, text in stages:
            progress.stage(stage)
            run_pipeline(module, text, label=label)
            snapshots[stage] = snapshot(module)
        progress.done()
        return module, snapshots
    steps = [(stage, step) for stage, text in stages for step in expand(text)]

    def where(last) -> str:
        return steps[last[1]][0] if 0 <= last[1] < len(steps) else "start"

    def heard(last) -> None:
        if last[0] == "started" and 0 <= last[1] < len(steps):
            progress.stage(steps[last[1]][0])

    last, status = _supervise(
        lambda sender, deliver: _child(module, steps, label, snapshot, mode == "full", jit_libs, opt_level, sender,
                                       deliver),
        f"the isolated compile of {label}", where, heard)
    progress.done()
    if last[0] == "done":
        _, snapshots, bytecode = last
        with module.context:
            return ir.Module.parse(bytecode), snapshots
    if last[0] == "error":
        raise _rebuild_error(*last[1:])
    _raise_crash(module, steps, last[1], status, label)


def _supervise(work, what: str, where, heard=lambda last: None):
    """Runs work(sender, deliver) in a forked child, which sends its messages (`deliver` for
    the last, large one: a compiled module's bytecode, a model's weights); returns the last
    message and the child's exit status. A child silent for `$EMBER_ISOLATE_TIMEOUT` seconds is
    killed (fork beside other threads can deadlock) and reported, naming where(last message);
    Ctrl-C or any error here kills the child too: it never outlives the call."""
    receiver, sender = Pipe(duplex=False)
    # The last message goes through a file: a pipe moved BERT-base's 340 MB of weights at
    # ~130 MB/s (2.6 s), a file in the page cache at memory speed.
    handle, result = tempfile.mkstemp(prefix="ember-result-", suffix=".pickle")
    os.close(handle)
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        receiver.close()
        try:
            faulthandler.disable()  # the parent reports a crash; a dump of the child's stack would mislead
            _forward_logs(sender)
            work(sender, functools.partial(_deliver, sender, result))
        except EmberError as e:
            sender.send(("error", type(e).__name__, str(e), getattr(e, "reproducer", None), getattr(e, "ops", ())))
        except BaseException as e:  # a Python bug in a pass: an error for the parent, not a crash
            sender.send(("error", "EmberError", f"{type(e).__name__}: {e}\n{traceback.format_exc()}", None, ()))
        finally:
            sender.close()
            os._exit(0)  # no atexit handlers, no torch teardown: they belong to the parent
    sender.close()
    last = ("started", -1)
    limit = float(os.environ.get(TIMEOUT_VAR, DEFAULT_TIMEOUT))
    try:
        while True:
            if not receiver.poll(limit):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise IsolatedCrashError(
                    f"{what} did not answer within {limit:g} s (stage '{where(last)}') and was killed;"
                    f" ${TIMEOUT_VAR} sets the bound", stage="timeout")
            message = receiver.recv()
            if message[0] == "log":  # the child's decisions, logged here as if made here
                logging.getLogger(message[1]).log(message[2], "%s", message[3])
                continue
            if message[0] == "delivered":
                with open(result, "rb") as f:
                    message, has_blob = pickle.load(f)
                    if has_blob:
                        message = (*message, f.read())
            last = message
            heard(last)
    except EOFError:  # the child closed its end: it finished or died
        pass
    except IsolatedCrashError:  # the timeout above: the child is killed and reaped already
        raise
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    finally:
        receiver.close()
        os.remove(result)
    _, status = os.waitpid(pid, 0)
    return last, status


def _deliver(sender, path: str, message: tuple, write_blob=None) -> None:
    """The child's last message, through the file at `path`: written whole, then announced.
    `write_blob(file)` appends bytes that the message gets as its last item (bytecode, written
    straight to the file rather than copied into a message first)."""
    with open(path, "wb") as f:
        pickle.dump((message, write_blob is not None), f, protocol=pickle.HIGHEST_PROTOCOL)
        if write_blob is not None:
            write_blob(f)
    sender.send(("delivered",))


class _PipeHandler(logging.Handler):
    def __init__(self, sender):
        super().__init__()
        self.sender = sender

    def emit(self, record):
        self.sender.send(("log", record.name, record.levelno, record.getMessage()))


def _forward_logs(sender) -> None:
    """The child's `ember` log records go to the parent's loggers (its handlers, EMBER_LOG's and
    any the user added), not to the handlers the child inherited."""
    logger = logging.getLogger("ember")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    logger.addHandler(_PipeHandler(sender))
    logger.propagate = False


def call_isolated(fn, label: str, stage: str, reproducer):
    """fn() (its result picklable) in a forked child: a native crash inside it raises
    IsolatedCrashError naming `stage` and the path that reproducer() writes, and an EmberError
    it raises is raised here."""

    def work(sender, deliver):
        if "torch" in sys.modules:  # the parent's intra-op threads do not exist here
            sys.modules["torch"].set_num_threads(1)
        deliver(("done", fn()))

    last, status = _supervise(work, f"{stage} of {label}", lambda last: stage)
    if last[0] == "done":
        return last[1]
    if last[0] == "error":
        raise _rebuild_error(*last[1:])
    path = reproducer()
    raise IsolatedCrashError(
        f"{stage} of {label} crashed: the isolated process {_how(status)} (a native abort; the"
        f" calling process is unharmed).\nreproducer: {path}", stage=stage, reproducer=path)


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"died of {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with status {os.WEXITSTATUS(status)} before reporting"


class Progress:
    """On a terminal, a compile that takes more than a few seconds shows its stage and elapsed
    time on stderr (one line, rewritten); elsewhere it stays silent."""

    AFTER_SECONDS = 3.0

    def __init__(self, label: str):
        self.label, self.start, self.shown, self.current = label, time.perf_counter(), False, None

    def stage(self, name: str) -> None:
        if name == self.current:
            return
        self.current = name
        elapsed = time.perf_counter() - self.start
        if elapsed >= self.AFTER_SECONDS and sys.stderr.isatty():
            sys.stderr.write(f"\r\x1b[Kember: compiling {self.label}: {name} ({elapsed:.1f} s)")
            sys.stderr.flush()
            self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write(f"\r\x1b[Kember: compiled {self.label} in {time.perf_counter() - self.start:.1f} s\n")


def _child(module, steps, label, snapshot, trial_jit, jit_libs, opt_level, sender, deliver) -> None:
    # The parent's thread-pool threads do not exist in a forked child: stay single-threaded.
    module.context.enable_multithreading(False)
    snapshots = {}
    first = 0
    while first < len(steps):  # stage by stage: one copy of the IR per stage, not per pass
        stage = steps[first][0]
        last = first
        while last < len(steps) and steps[last][0] == stage:
            last += 1
        run_pipeline(module, [step for _, step in steps[first:last]], label=label,
                     on_step=lambda i, base=first: sender.send(("started", base + i)))
        snapshots[stage] = snapshot(module)
        first = last
    if trial_jit:
        sender.send(("started", len(steps)))
        ExecutionEngine(module, opt_level=opt_level, shared_libs=jit_libs)
    # Bytecode: ~10x faster to write and read back than text with large weights.
    deliver(("done", snapshots), write_blob=module.operation.write_bytecode)


def _rebuild_error(kind: str, message: str, reproducer: str | None, ops: tuple = ()) -> EmberError:
    error = getattr(errors, kind, EmberError)(message)
    if ops:
        error.ops = tuple(ops)  # LoweringError's failed ops: ember.partition splits on them
    if reproducer is not None:
        error.reproducer = reproducer
    return error


def _raise_crash(module: ir.Module, steps: list[tuple[str, Step]], index: int, status: int, label: str):
    how = _how(status)
    if index < 0:
        raise IsolatedCrashError(f"the isolated compile of {label} {how} before its first pass", stage="start")
    if index == len(steps):
        stage, what, replay = "jit", "LLVM's code generation (ExecutionEngine)", steps
    else:
        stage, step = steps[index]
        what, replay = f"pass '{step.name}'", steps[: index + 1]
    # `module` is still the IR from before the first stage: replaying every pass up to the one
    # that crashed reproduces the crash.
    path = write_reproducer(module.operation, pipeline_text([s for _, s in replay]), f"{label}-crash")
    raise IsolatedCrashError(
        f"compiling {label} crashed in stage '{stage}', {what}: the isolated compiler process {how}"
        " (a native abort inside MLIR/LLVM; the calling process is unharmed).\n"
        f"reproducer: {path}\n  replay it with: ember-opt --run-reproducer {path}",
        stage=stage,
        reproducer=path,
    )
