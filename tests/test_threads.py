"""One place sizes every pool: affinity, cgroup quota (v1 and v2), and threads=."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_info

import bialign
from bialign import threads as th


@pytest.mark.parametrize(
    ("files", "quota"),
    [
        ({"cpu.max": "max 100000\n"}, None),
        ({"cpu.max": "150000 100000\n"}, 1.5),
        ({"cpu.max": "50000 100000\n"}, 0.5),
        ({"cpu.max": "garbage"}, None),
        ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3.0),
        ({"cpu,cpuacct/cpu.cfs_quota_us": "-1\n", "cpu,cpuacct/cpu.cfs_period_us": "100000"}, None),
        ({}, None),
    ],
)
def test_cgroup_quota_v1_and_v2(tmp_path: Path, files: dict[str, str], quota: float | None) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert th.cgroup_cpu_quota(tmp_path) == quota


def test_usable_cpus_is_affinity_capped_by_the_quota(monkeypatch: pytest.MonkeyPatch) -> None:
    affinity = len(os.sched_getaffinity(0))
    monkeypatch.setattr(th, "cgroup_cpu_quota", lambda: None)
    assert th.usable_cpus() == affinity
    monkeypatch.setattr(th, "cgroup_cpu_quota", lambda: 0.5)
    assert th.usable_cpus() == 1
    monkeypatch.setattr(th, "cgroup_cpu_quota", lambda: affinity + 0.5)
    assert th.usable_cpus() == affinity  # a quota above the affinity changes nothing


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", True])
def test_bad_thread_counts_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="threads"):
        th.resolve_threads(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threads"):
        bialign.Aligner(threads=bad)  # type: ignore[arg-type]


class RecordingEncoder:
    """Notes the BLAS thread limit and bialign's thread budget while it is called."""

    def __init__(self) -> None:
        self.blas: list[int] = []
        self.budget: list[int] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.blas += [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        self.budget.append(th.current_threads())
        return np.array([[len(t), t.count("a") + 1.0, 1.0] for t in texts], dtype=np.float32)


def test_threads_caps_blas_and_the_budget_during_alignment() -> None:
    enc = RecordingEncoder()
    src = ["The house is red.", "The cat sleeps."]
    tgt = ["La casa es roja.", "El gato duerme."]
    bialign.align_documents(src, tgt, model=enc, threads=1)
    assert enc.budget and set(enc.budget) == {1}
    assert set(enc.blas) <= {1}
    assert th.current_threads() == th.usable_cpus()  # restored afterwards
    results = list(bialign.align_many([(src, tgt)], model=enc, threads=1, progress=False))
    assert results[0].error is None and set(enc.budget) == {1}


def test_small_products_run_on_one_blas_thread_and_give_the_same_numbers() -> None:
    """dot_t: a small product is computed on one thread (no waiting for a descheduled
    BLAS thread), with exactly the numbers of a @ b.T."""
    import numpy as np
    from threadpoolctl import threadpool_info

    from bialign import threads

    rng = np.random.default_rng(1)
    a = rng.standard_normal((45, 64)).astype(np.float32)
    b = rng.standard_normal((50, 64)).astype(np.float32)
    seen: list[int] = []
    real_matmul = np.matmul

    class Spy(np.ndarray):
        def __matmul__(self, other):  # type: ignore[no-untyped-def]
            # numpy's own BLAS (another library, loaded by an earlier test, is not used)
            blas = [
                lib
                for lib in threadpool_info()
                if lib["user_api"] == "blas" and "numpy" in lib["filepath"]
            ]
            seen.extend(lib["num_threads"] for lib in blas)
            return real_matmul(np.asarray(self), other)

    out = threads.dot_t(a.view(Spy), b)
    assert np.array_equal(np.asarray(out), a @ b.T)
    assert seen and set(seen) == {1}


def test_the_pool_scan_is_kept_until_a_module_is_imported_or_an_encoder_loads() -> None:
    """limited() rescans the thread pools only when something new may have loaded one."""
    import sys
    import types

    from bialign import threads

    threads.rescan_pools()
    first = threads._controller()
    assert threads._controller() is first  # nothing new: the same scan
    sys.modules["_bialign_test_module"] = types.ModuleType("_bialign_test_module")
    try:
        second = threads._controller()
        assert second is not first  # an import may have brought a library
        threads.rescan_pools()
        assert threads._controller() is not second
    finally:
        del sys.modules["_bialign_test_module"]
