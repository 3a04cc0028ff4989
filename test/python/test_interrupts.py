"""Ctrl-C at any moment of a first compile leaves the process able to compile again. Each case
is a fresh process (a first compile's imports happen once per process) that sends itself SIGINT
after a delay, expects KeyboardInterrupt, then compiles and runs a model."""

import subprocess
import sys

import pytest

SCRIPT = """
import os, signal, sys, torch
signal.signal(signal.SIGALRM, lambda *a: os.kill(os.getpid(), signal.SIGINT))
signal.setitimer(signal.ITIMER_REAL, float(sys.argv[1]))
import ember
try:
    ember.compile(lambda x: x + 1, (torch.randn(3),))
    signal.setitimer(signal.ITIMER_REAL, 0)
    print("finished first")
except KeyboardInterrupt:
    print("interrupted")
x = torch.randn(3)
torch.testing.assert_close(ember.compile(lambda x: x * 2, (x,))(x), x * 2)
print("compiled again")
"""


# Before, Ctrl-C at 0.2-1.6 s left torch._dynamo, sympy or torch-mlir's dialect half-imported.
@pytest.mark.parametrize("delay", [0.3, 0.9, 1.5])
def test_ctrl_c_during_the_first_compile(delay):
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(delay)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split()[-2:] == ["compiled", "again"], run.stdout + run.stderr[-3000:]


CHILD_SCRIPT = """
import os, signal, time, torch
import ember
from ember import isolation
ember.compile(lambda x: x + 1, (torch.randn(3),))  # the first compile's imports, done
children, real_fork = [], os.fork
def fork():
    pid = real_fork()
    children.append(pid)
    return pid
isolation.os.fork = fork
isolation.run_pipeline = lambda *args, **kwargs: time.sleep(600)  # a long pass in the child
signal.signal(signal.SIGALRM, lambda *a: os.kill(os.getpid(), signal.SIGINT))
signal.setitimer(signal.ITIMER_REAL, 3.0)
try:
    ember.compile(lambda x: x * 3, (torch.randn(3),), isolate=True)
except KeyboardInterrupt:
    print("interrupted")
try:
    os.waitpid(children[-1], os.WNOHANG)
    print("child left")
except ChildProcessError:
    print("child reaped")
"""


def test_ctrl_c_during_an_isolated_compile_ends_its_child():
    run = subprocess.run([sys.executable, "-c", CHILD_SCRIPT], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.split()[-3:] == ["interrupted", "child", "reaped"], run.stdout + run.stderr[-3000:]
