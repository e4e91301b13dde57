"""Ray Data integration: align a column of documents on a cluster, one encoder per actor.

>>> import ray, bialign.ray_data  # doctest: +SKIP
>>> ds = ray.data.read_json("docs.jsonl")  # columns "id", "text"  # doctest: +SKIP
>>> pairs = ds.map_batches(  # doctest: +SKIP
...     bialign.ray_data.PairAligner,
...     fn_constructor_kwargs={"text_column": "text", "id_column": "id"},
...     concurrency=4,  # actors; each loads the encoder once
...     batch_size=16,
... )
>>> pairs.write_parquet("pairs/")  # doctest: +SKIP

See docs/scale.md for a multi-node example and the throughput to expect.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .corpus import ParallelCorpus
from .embed import load_embedder
from .errors import BialignError, ConfigError
from .io.jsonl import pair_record
from .options import Options
from .pipeline import Aligner

log = logging.getLogger("bialign.ray_data")


class PairAligner:
    """A callable class for ``Dataset.map_batches``: documents in, one row per pair out.

    Give ``text_column`` for mixed-language documents, or ``src_column`` and
    ``tgt_column`` for pairs of documents; ``id_column`` is copied to each pair's
    ``doc`` column. Output columns: ``doc``, the two languages (``en``, ``es`` by
    default), ``score``, ``confidence``, ``src`` and ``tgt`` (segment indices): the fields
    of a JSONL pair (:func:`bialign.io.jsonl.pair_record`). A document that raises a
    bialign error (one language only, empty) yields no rows and is logged as a warning;
    with ``errors_column="error"`` it yields one row carrying the message instead.
    The settings are ``options`` (a :class:`bialign.Options`) and/or its fields as
    keywords (``langs``, ``model``, ``split``, ``min_pair_score``, ...), as for
    :func:`bialign.align`.

    Each actor uses as many threads (encoder, BLAS, language identification) as the CPUs
    Ray assigned it (``num_cpus``; or ``threads=``), not every core of the node: several
    actors each running one thread per core oversubscribe the machine and slow it down.
    """

    def __init__(
        self,
        text_column: str | None = "text",
        *,
        src_column: str | None = None,
        tgt_column: str | None = None,
        id_column: str | None = None,
        errors_column: str | None = None,
        options: Options | None = None,
        **changes: Any,
    ) -> None:
        if (src_column is None) != (tgt_column is None):
            raise ConfigError("give both src_column and tgt_column, or neither")
        if src_column is None and text_column is None:
            raise ConfigError("give text_column, or src_column and tgt_column")
        self.text_column = None if src_column else text_column
        self.src_column, self.tgt_column = src_column, tgt_column
        self.id_column, self.errors_column = id_column, errors_column
        opts = Options.of(options, **changes)
        threads = opts.threads if opts.threads is not None else _assigned_cpus()
        self.aligner = Aligner(
            opts,
            progress=False if opts.progress is None else opts.progress,
            threads=threads,
            model=load_embedder(opts.model, threads=threads),
        )
        self.langs = self.aligner.langs

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[Any]]:
        a, b = self.langs
        columns = ["doc", a, b, "score", "confidence", "src", "tgt"]
        out: dict[str, list[Any]] = {name: [] for name in columns}
        if self.errors_column:
            out[self.errors_column] = []
        first = self.text_column or self.src_column
        assert first is not None
        for k in range(len(batch[first])):
            doc_id = str(batch[self.id_column][k]) if self.id_column else ""
            try:
                corpus = self._align(batch, k)
            except BialignError as exc:
                if not self.errors_column:
                    log.warning("bialign: document %r skipped: %s", doc_id or k, exc)
                    continue
                empty = {"doc": doc_id, a: "", b: "", "score": 0.0, "confidence": 0.0}
                for name in columns:
                    out[name].append(empty.get(name, []))
                out[self.errors_column].append(str(exc))
                continue
            for p in corpus.pairs:
                record = pair_record(p, self.langs, doc_id)
                for name in columns:
                    out[name].append(record[name])
                if self.errors_column:
                    out[self.errors_column].append("")
        return out

    def _align(self, batch: Mapping[str, Any], k: int) -> ParallelCorpus:
        if self.text_column:
            return self.aligner.align(_plain(batch[self.text_column][k]))
        assert self.src_column and self.tgt_column
        src = _plain(batch[self.src_column][k])
        tgt = _plain(batch[self.tgt_column][k])
        return self.aligner.align_documents(src, tgt)


def _assigned_cpus() -> int | None:
    """CPUs Ray assigned to this actor (None outside Ray: then the machine's cores)."""
    try:
        import ray

        cpus = ray.get_runtime_context().get_assigned_resources().get("CPU")
    except Exception:  # not in a Ray worker, or an older Ray without the call
        return None
    return max(1, int(round(cpus))) if cpus else None


def _plain(value: Any) -> Any:
    """Ray hands list columns over as numpy arrays: make them lists of str again."""
    if hasattr(value, "tolist") and not isinstance(value, str):
        return [str(x) for x in value.tolist()]
    return value
