"""`python rss_watch.py PID [INTERVAL_S]`: the peak memory of PID and its descendants, sampled.

bench.py's worker runs this beside a compile (a process of its own: no sampling thread in the
compiling process, which forks). It prints "ready", samples every INTERVAL_S (default 0.01) the
RSS of PID plus the private memory (Private_Clean + Private_Dirty of smaps_rollup) of each
descendant (ember's isolation forks the lowering and the passes: a forked child shares the
parent's pages until it writes them, so its private memory is what it adds), and when its stdin
closes prints the largest sum in kB. Linux only (/proc); elsewhere it prints 0.

A child's smaps_rollup is read every CHILD_EVERY-th sample only: the kernel walks the child's
page tables under its mmap lock for each read, and at every 10 ms that walk of a 3 GB child
(BERT-base's passes) held the lock most of the time and slowed the child's allocations: the
compile took 22.5 s watched against 15.8 s unwatched. The last child sample (its memory at its
peak, just before it exits and hands back its result) is at most CHILD_EVERY samples old.
"""

import os
import sys


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def _kb(path: str, fields: tuple[str, ...]) -> int:
    total = 0
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(fields):
                    total += int(line.split()[1])
    except OSError:
        pass
    return total


CHILD_EVERY = 10


def children_kb(pid: int, me: int) -> int:
    total = 0
    pending = [c for c in _children(pid) if c != me]
    while pending:
        child = pending.pop()
        total += _kb(f"/proc/{child}/smaps_rollup", ("Private_Clean:", "Private_Dirty:"))
        pending += _children(child)
    return total


def sample(pid: int, me: int, children: int) -> int:
    return _kb(f"/proc/{pid}/status", ("VmRSS:",)) + children


def main() -> int:
    pid = int(sys.argv[1])
    interval = float(sys.argv[2]) if len(sys.argv) > 2 else 0.01
    me = os.getpid()
    if not os.path.exists(f"/proc/{pid}/status"):
        print("ready", flush=True)
        sys.stdin.read()
        print(0, flush=True)
        return 0
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(sys.stdin, selectors.EVENT_READ)
    children = children_kb(pid, me)
    peak = sample(pid, me, children)
    print("ready", flush=True)
    count = 0
    while not selector.select(timeout=interval):
        count += 1
        if count % CHILD_EVERY == 0:
            children = children_kb(pid, me)
        elif children and not _children(pid):  # the child is gone: its memory with it
            children = 0
        peak = max(peak, sample(pid, me, children))
    peak = max(peak, sample(pid, me, children_kb(pid, me)))
    print(peak, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
