"""The Ray Data integration against a local Ray instance, checked against align_many."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import bialign
from bialign.io.jsonl import pair_record

ray = pytest.importorskip("ray", reason="Ray is in the test extra; install bialign[ray]")


@pytest.fixture(scope="module")
def local_ray() -> Iterator[Any]:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


def _rows(rows: Any) -> dict[tuple[Any, ...], float]:
    """Each pair, keyed by document, texts and indices, with its score."""
    return {
        (r["doc"], r["en"], r["es"], tuple(r["src"]), tuple(r["tgt"])): float(r["score"])
        for r in rows
    }


def test_ray_data_gives_the_pairs_align_many_gives(
    local_ray: Any, flores: tuple[list[str], list[str]]
) -> None:
    from bialign.ray_data import PairAligner

    en, es = flores
    docs = [
        {"id": f"d{k}", "text": "\n".join(en[5 * k : 5 * k + 5] + es[5 * k : 5 * k + 5])}
        for k in range(10)
    ]
    docs.append({"id": "en-only", "text": "\n".join(en[:3])})  # no pairs, logged
    expected: dict[tuple[Any, ...], float] = {}
    for doc, result in zip(docs, bialign.align_many([d["text"] for d in docs]), strict=True):
        if result.corpus is not None:
            expected |= _rows(pair_record(p, ("en", "es"), doc["id"]) for p in result.corpus.pairs)
    assert len(expected) >= 40
    ds = local_ray.data.from_items(docs)
    rows = ds.map_batches(
        PairAligner,
        fn_constructor_kwargs={"text_column": "text", "id_column": "id"},
        concurrency=2,
        num_cpus=1,
        batch_size=4,
    ).take_all()
    got = _rows(rows)
    assert got.keys() == expected.keys()
    assert all(abs(got[k] - expected[k]) < 1e-5 for k in got)  # pair_record rounds to 6

    # Document pairs, with the failing document kept as an error row.
    pairs = local_ray.data.from_items(
        [{"id": "p0", "en": en[:4], "es": es[:4]}, {"id": "p1", "en": [], "es": es[:2]}]
    )
    rows = pairs.map_batches(
        PairAligner,
        fn_constructor_kwargs={
            "src_column": "en",
            "tgt_column": "es",
            "id_column": "id",
            "errors_column": "error",
        },  # fmt: skip
        concurrency=1,
        batch_size=2,
    ).take_all()
    good = [r for r in rows if not r["error"]]
    assert [(list(r["src"]), list(r["tgt"])) for r in good] == [([k], [k]) for k in range(4)]
    (bad,) = [r for r in rows if r["error"]]
    assert bad["doc"] == "p1" and "no text" in bad["error"]


def test_build_dataset_on_ray_publishes_the_pairs_of_the_local_build(
    local_ray: Any, flores: tuple[list[str], list[str]], tmp_path: Any
) -> None:
    """The build-dataset job on Ray (pages sorted and aligned by actors, matching and the
    final stage on the driver) against bialign.build.build_dataset on the same pages."""
    import pyarrow.parquet as pq
    from test_dataset import _write_crawl

    from bialign.build import build_dataset, read_inputs
    from bialign.ray_data import build_dataset_ray

    crawl = tmp_path / "crawl"
    _write_crawl(crawl, flores)
    local = build_dataset(crawl, tmp_path / "local", progress=False)
    pages = [{"id": d.id, "text": Path(d.content).read_text()} for d in read_inputs(crawl)]
    on_ray = build_dataset_ray(
        local_ray.data.from_items(pages), tmp_path / "ray", concurrency=1, batch_size=4
    )

    def published(out: Any) -> dict[tuple[str, ...], float]:
        rows = {}
        for path in (out / "parquet").iterdir():
            for r in pq.read_table(path).to_pylist():
                key = (path.stem, r["doc"], r["translation"]["en"], r["translation"]["es"])
                rows[key] = r["score"]
        return rows

    want, got = published(tmp_path / "local"), published(tmp_path / "ray")
    assert got.keys() == want.keys() and len(got) >= 35
    assert all(abs(got[k] - want[k]) < 1e-5 for k in got)
    counts = ("documents", "mixed_documents", "matched_document_pairs", "unmatched_documents",
              "failed_documents", "aligned_pairs", "published")  # fmt: skip
    for name in counts:
        assert getattr(on_ray, name) == getattr(local, name), name


def test_a_killed_ray_job_resumes_to_the_same_dataset(
    local_ray: Any, flores: tuple[list[str], list[str]], tmp_path: Any, monkeypatch: Any
) -> None:
    """The driver killed after sorting, then while pairs arrive (three items complete, a
    fourth cut off with rows already written, a line cut off), then resumed: the resumed
    job sorts and matches nothing again, aligns only what was not complete, and publishes
    what an uninterrupted job publishes."""
    import json

    import pyarrow.parquet as pq
    from test_dataset import _write_crawl

    import bialign.build as build
    import bialign.ray_data as rd
    from bialign.build import read_inputs

    crawl = tmp_path / "crawl"
    _write_crawl(crawl, flores)
    pages = [{"id": d.id, "text": Path(d.content).read_text()} for d in read_inputs(crawl)]
    pages[0]["text"] += "\u2028"  # a line separator inside a page: the spool stays lines

    def run(out: Any, **kw: Any) -> Any:
        return rd.build_dataset_ray(
            local_ray.data.from_items(pages), out, concurrency=1, batch_size=4, **kw
        )

    def published(out: Any) -> list[tuple[Any, ...]]:
        return sorted(
            (path.stem, r["doc"], r["translation"]["en"], r["translation"]["es"])
            for path in (out / "parquet").iterdir()
            for r in pq.read_table(path).to_pylist()
        )

    def stop(*a: Any, **k: Any) -> Any:
        raise KeyboardInterrupt

    markers: list[str] = []
    real_add = rd._RayWork.add

    def counting_add(self: Any, item: str, row: dict[str, Any], marker: bool) -> None:
        real_add(self, item, row, marker)
        markers.extend([item] if marker else [])

    monkeypatch.setattr(rd._RayWork, "add", counting_add)
    whole = run(tmp_path / "whole")
    items = len(markers)
    monkeypatch.undo()
    # Killed after sorting, before matching.
    out, work = tmp_path / "out", tmp_path / "out" / rd.RAY_WORK_FOLDER
    monkeypatch.setattr(build, "_match_stage", stop)
    with pytest.raises(KeyboardInterrupt):
        run(out)
    monkeypatch.undo()
    assert (work / "sorted.done").exists() and not (work / "matches.json").exists()
    # Killed after the third item is complete and a row of the fourth is written.
    seen: list[str] = []

    def killed_add(self: Any, item: str, row: dict[str, Any], marker: bool) -> None:
        if len(seen) == 3 and not marker and row.get("error") == "":
            real_add(self, item, row, marker)
            self._spool.flush()
            raise KeyboardInterrupt
        real_add(self, item, row, marker)
        seen.extend([item] if marker else [])

    monkeypatch.setattr(rd._RayWork, "add", killed_add)
    with pytest.raises(KeyboardInterrupt):
        run(out, resume=True)
    monkeypatch.undo()
    with open(work / "aligned.jsonl", "a") as f:
        f.write('{"item": "cut off mid-li')
    # The resumed job must not sort or match again, and aligns only the rest.
    markers.clear()
    monkeypatch.setattr(rd._RayWork, "add", counting_add)
    monkeypatch.setattr(rd, "PageSorter", stop)
    monkeypatch.setattr(build, "_match_stage", stop)
    resumed = run(out, resume=True)
    monkeypatch.undo()
    assert len(markers) == items - 3 and not set(markers) & set(seen)
    assert published(out) == published(tmp_path / "whole")
    assert (resumed.aligned_pairs, resumed.published) == (whole.aligned_pairs, whole.published)
    assert (
        json.loads((out / "build.json").read_text())["splits"]
        == json.loads((tmp_path / "whole" / "build.json").read_text())["splits"]
    )
    assert not work.exists()
    # Other settings are refused, not mixed into the old work.
    monkeypatch.setattr(build, "_match_stage", stop)
    with pytest.raises(KeyboardInterrupt):
        run(tmp_path / "third")
    monkeypatch.undo()
    with pytest.raises(bialign.ConfigError, match="other settings"):
        run(tmp_path / "third", resume=True, langs=("es", "en"))
