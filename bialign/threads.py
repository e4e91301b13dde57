"""How many threads and processes bialign may use: the one place that decides it.

Every pool (BLAS, the encoder's torch threads, worker processes, Ray actors) is sized
from ``usable_cpus()``: the CPUs in this process's affinity mask, capped by the cgroup CPU
quota (a container limited to 1.5 CPUs on a 16-core host gets 2, not 16). More threads
than that oversubscribes the cores and slows numerical code down several times.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ConfigError

_CGROUP = Path("/sys/fs/cgroup")


def _affinity_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def cgroup_cpu_quota(root: Path = _CGROUP) -> float | None:
    """The CPU quota of this process's cgroup in CPUs (e.g. 1.5), or None if unlimited.

    Reads cgroup v2 ``cpu.max`` ("max 100000" or "150000 100000") and, failing that, v1
    ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` (quota -1 means unlimited)."""
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        if quota == "max":
            return None
        return int(quota) / int(period)
    except (OSError, ValueError):
        pass
    for d in (root / "cpu,cpuacct", root / "cpu", root):
        try:
            q = int((d / "cpu.cfs_quota_us").read_text())
            p = int((d / "cpu.cfs_period_us").read_text())
        except (OSError, ValueError):
            continue
        return None if q <= 0 or p <= 0 else q / p
    return None


def usable_cpus() -> int:
    """CPUs this process may use: affinity, capped by the cgroup quota (rounded up)."""
    n = _affinity_cpus()
    quota = cgroup_cpu_quota()
    if quota is not None:
        n = min(n, max(1, math.ceil(quota)))
    return n


def resolve_threads(threads: int | None) -> int:
    """``threads`` if given (at least 1), else ``usable_cpus()``."""
    if threads is None:
        return usable_cpus()
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise ConfigError(f"threads must be a positive integer or None, not {threads!r}")
    return threads


_CURRENT: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "bialign_threads", default=None
)


def current_threads() -> int:
    """The thread budget of the bialign call running in this context (else the CPUs)."""
    n = _CURRENT.get()
    return n if n is not None else usable_cpus()


@contextlib.contextmanager
def limited(threads: int) -> Iterator[None]:
    """Run a block with BLAS and OpenMP pools capped at ``threads``, and tell bialign's
    own parallel steps (``current_threads``) the same budget."""
    token = _CURRENT.set(threads)
    try:
        with _controller().limit(limits=threads):
            yield
    finally:
        _CURRENT.reset(token)


_CONTROLLER: list[tuple[int, Any]] = []


def _controller() -> Any:
    """threadpoolctl's view of the loaded thread pools, scanned again only when a module
    was imported since (a native library such as torch's arrives with an import). The
    scan costs about 0.4 ms: once per call it was 15% of aligning a short document pair
    on a warm cache."""
    from threadpoolctl import ThreadpoolController

    if not _CONTROLLER or _CONTROLLER[0][0] != len(sys.modules):
        _CONTROLLER[:] = [(len(sys.modules), ThreadpoolController())]
    return _CONTROLLER[0][1]


def rescan_pools() -> None:
    """Scan the thread pools again at the next call: an encoder may load a native library
    without importing a module (ctypes)."""
    _CONTROLLER.clear()


#: Matrix products with fewer multiply-adds than this run on one BLAS thread. Threads
#: save nothing on them, and where another process holds a core the caller waits for a
#: descheduled BLAS thread: a 45 x 50 x 512 product took 24 ms with two threads on the
#: shared 2-core machine, 0.2 ms with one (docs/scale.md).
SMALL_PRODUCT = 20_000_000


def dot_t(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b.T``, on one BLAS thread when the product is small (see SMALL_PRODUCT)."""
    if a.shape[0] * b.shape[0] * max(1, a.shape[1] if a.ndim > 1 else 1) >= SMALL_PRODUCT:
        return a @ b.T
    with _controller().limit(limits=1, user_api="blas"):
        return a @ b.T
