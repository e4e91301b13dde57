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

:func:`build_dataset_ray` runs ``bialign build-dataset`` as a Ray job: pages are sorted
(:class:`PageSorter`) and aligned by actors, matching and the final stage run on the
driver. See docs/scale.md for a multi-node example and the throughput to expect.
"""

from __future__ import annotations

import hashlib
import json
import logging
import warnings
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .build import _write_atomic
from .corpus import ParallelCorpus
from .embed import load_embedder
from .errors import BialignError, ConfigError
from .io.jsonl import pair_record
from .options import Options
from .pipeline import Aligner

if TYPE_CHECKING:  # pragma: no cover
    from .dataset import CleanConfig
    from .publish import BuildSummary

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
    With ``marker_column``, each document ends with one row where that column is True
    (and False on the others): a consumer that writes rows as they come knows which
    documents are complete (``build_dataset_ray`` resumes by it).
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
        marker_column: str | None = None,
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
        if marker_column is not None and marker_column in (errors_column, "doc"):
            raise ConfigError(f"marker_column {marker_column!r} is taken by another column")
        self.marker_column = marker_column
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
        extra = [c for c in (self.errors_column, self.marker_column) if c]
        out: dict[str, list[Any]] = {name: [] for name in [*columns, *extra]}
        first = self.text_column or self.src_column
        assert first is not None

        def add(record: dict[str, Any], error: str = "", marker: bool = False) -> None:
            for name in columns:
                out[name].append(record.get(name, []))
            if self.errors_column:
                out[self.errors_column].append(error)
            if self.marker_column:
                out[self.marker_column].append(marker)

        empty = {a: "", b: "", "score": 0.0, "confidence": 0.0}
        for k in range(len(batch[first])):
            doc_id = str(batch[self.id_column][k]) if self.id_column else ""
            try:
                corpus = self._align(batch, k)
            except BialignError as exc:
                if self.errors_column:
                    add({"doc": doc_id, **empty}, str(exc))
                else:
                    log.warning("bialign: document %r skipped: %s", doc_id or k, exc)
            else:
                for p in corpus.pairs:
                    add(pair_record(p, self.langs, doc_id))
            if self.marker_column:
                add({"doc": doc_id, **empty}, marker=True)  # the document is complete
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


class PageSorter:
    """A callable class for ``Dataset.map_batches``: the sort stage of
    ``build-dataset``. Each page is read and a sample of its segments labelled, and the
    row comes out with ``id``, ``text``, ``kind`` (``"mixed"``, one of the two
    languages, or ``"failed"``), ``minority`` (the count of the other language in a
    one-language page's sample), as :func:`bialign.build.classify` decides, and
    ``links`` (a one-language HTML page's hreflang alternates, as JSON) and ``url``
    (the page's address from ``url_column``, "" without one) and ``key`` (a hash of the
    id and the text, that tells pages apart where ids repeat). No encoder is loaded:
    sorting needs only the language detector."""

    def __init__(
        self,
        text_column: str = "text",
        *,
        id_column: str | None = "id",
        url_column: str | None = None,
        options: Options | None = None,
        **changes: Any,
    ) -> None:
        self.text_column, self.id_column, self.url_column = text_column, id_column, url_column
        opts = Options.of(options, **changes)
        threads = opts.threads if opts.threads is not None else _assigned_cpus()
        self.aligner = Aligner(opts, progress=False, threads=threads)

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, list[Any]]:
        from .build import InputDocument, _links, classify

        out: dict[str, list[Any]] = {"id": [], "text": [], "kind": [], "minority": [],
                                     "links": [], "url": [], "key": []}  # fmt: skip
        texts = batch[self.text_column]
        for k in range(len(texts)):
            doc_id = str(batch[self.id_column][k]) if self.id_column else str(k)
            text = _plain(texts[k])
            try:
                counts = self.aligner.sample_languages(self.aligner.read(text, doc_id), doc_id)
                kind, minority = classify(counts, self.aligner.langs)
            except BialignError:
                kind, minority = "failed", 0
            url = str(batch[self.url_column][k] or "") if self.url_column else ""
            mono = kind in self.aligner.langs
            links = _links(InputDocument(doc_id, text, url)) if mono else {}
            key = hashlib.sha1(f"{doc_id}\x1f{text}".encode()).hexdigest()[:20]
            for name, value in (("id", doc_id), ("text", text), ("kind", kind),
                                ("minority", minority), ("links", json.dumps(links)),
                                ("url", url), ("key", key)):  # fmt: skip
                out[name].append(value)
        return out


#: The folder, inside the output folder, that holds a Ray job's work until it publishes.
RAY_WORK_FOLDER = ".work-ray"


class _RayWork:
    """``OUT/.work-ray``: what a Ray job has finished, so that a killed driver goes on
    (``resume=True``) without repeating or losing a document: the sorted pages (Parquet,
    then a marker), the matches, and the pair rows of every aligned item whose last row
    (PairAligner's marker) arrived. Items are keyed by their position in the job's
    plan, so pages that share an id stay apart."""

    def __init__(self, folder: Path, run: dict[str, Any], resume: bool) -> None:
        import shutil

        self.folder = folder
        meta = folder / "run.json"
        if folder.exists() and not resume:
            shutil.rmtree(folder)
        if folder.exists() and meta.exists():
            try:
                old = json.loads(meta.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                old = {}
            if old != run:
                differ = ", ".join(f"{k}: {old.get(k)!r} then, {v!r} now"
                                   for k, v in run.items() if old.get(k) != v)  # fmt: skip
                raise ConfigError(
                    f"{folder} holds the work of a Ray job with other settings ({differ}); "
                    "rerun without resume=True to start again"
                )
        else:
            shutil.rmtree(folder, ignore_errors=True)  # nothing usable: start afresh
            folder.mkdir(parents=True)
            _write_atomic(meta, json.dumps(run))
        self.sorted_dir = folder / "sorted"
        self.sorted_done = (folder / "sorted.done").exists()
        matches = folder / "matches.json"
        self.matches: list[list[Any]] | None = (
            json.loads(matches.read_text(encoding="utf-8")) if matches.exists() else None
        )
        # The spool: one JSON line per row ({"item": k, "row": ...}) and one per item
        # done ({"done": k}). Read back, it keeps only the rows of items done, so that an
        # item cut off by a kill is aligned again without its old rows.
        self.rows: list[dict[str, Any]] = []
        self.done: set[str] = set()
        spool = folder / "aligned.jsonl"
        kept: list[bytes] = []
        if spool.exists():
            pending: dict[str, list[bytes]] = {}
            for line in spool.read_bytes().split(b"\n")[:-1]:  # the last: cut off or ""
                rec = json.loads(line)
                if "done" in rec:
                    self.done.add(rec["done"])
                    kept += [*pending.pop(rec["done"], []), line]
                else:
                    pending.setdefault(rec["item"], []).append(line)
            for line in kept:
                rec = json.loads(line)
                if "row" in rec:
                    self.rows.append(rec["row"])
        _write_atomic(spool, b"".join(x + b"\n" for x in kept).decode("utf-8"))
        self._spool = open(spool, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self._pending: dict[str, list[dict[str, Any]]] = {}

    def save_sorted(self, sorted_pages: Any) -> Any:
        """Write the sorted pages and read them back (the job continues from the files)."""
        import shutil

        shutil.rmtree(self.sorted_dir, ignore_errors=True)
        self.sorted_dir.mkdir()
        sorted_pages.write_parquet(str(self.sorted_dir))
        (self.folder / "sorted.done").write_text("", encoding="utf-8")
        return self.load_sorted()

    def load_sorted(self) -> Any:
        import ray

        if not any(self.sorted_dir.glob("*.parquet")):  # no pages at all
            return ray.data.from_items([])
        return ray.data.read_parquet(str(self.sorted_dir))

    def save_matches(self, matches: list[list[Any]]) -> None:
        _write_atomic(self.folder / "matches.json", json.dumps(matches))
        self.matches = matches

    def add(self, item: str, row: dict[str, Any], marker: bool) -> None:
        """One row of PairAligner's output for the item keyed ``item``; an item's rows
        count once its marker row arrives."""
        if marker:
            self._spool.write(json.dumps({"done": item}) + "\n")
            self._spool.flush()
            self.rows += self._pending.pop(item, [])
            self.done.add(item)
            return
        rec = _jsonable(row)
        # ensure_ascii: U+2028 and the like stay escaped, so lines split on "\n" only.
        self._spool.write(json.dumps({"item": item, "row": rec}) + "\n")
        self._pending.setdefault(item, []).append(rec)

    def close(self) -> None:
        if not self._spool.closed:
            self._spool.close()

    def remove(self) -> None:
        import shutil

        self.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def build_dataset_ray(
    pages: Any,
    out: str | Path,
    *,
    text_column: str = "text",
    id_column: str = "id",
    url_column: str | None = None,
    langs: tuple[str, str] = ("en", "es"),
    model: str | None = None,
    clean_config: CleanConfig | None = None,
    sizes: dict[str, float] | None = None,
    near_duplicates: float | None = 0.8,
    concurrency: int | tuple[int, int] = 2,
    num_cpus: float = 1,
    batch_size: int = 16,
    resume: bool = False,
) -> BuildSummary:
    """``bialign build-dataset`` on a Ray cluster, for a ``ray.data.Dataset`` of pages
    (``text_column``, ``id_column``; ``url_column``, when given, holds each page's
    address, evidence for document matching as in build-dataset).

    Actors (``concurrency``, ``num_cpus`` each) sort the pages (:class:`PageSorter`)
    and align the mixed ones and the matched pairs (:class:`PairAligner`); the driver
    matches the one-language pages (:func:`bialign.match_documents` needs them side by
    side, so their texts come to the driver) and runs the final stage (clean,
    deduplicate, split, publish) on every pair. The pairs are those of
    :func:`bialign.build.build_dataset` on the same pages; they are published ordered
    by document rather than in input order, which Ray does not keep.

    The job's work is kept in ``OUT/.work-ray`` as it goes; after the driver is killed,
    ``resume=True`` goes on from it (the sorted pages, the matches, every document whose
    pairs were all received) and publishes what an uninterrupted job would."""
    from .build import (
        MIXED_SHARE,
        _Decision,
        _match_stage,
        _plan,
        _records_from_rows,
        finish_dataset,
        match_evidence,
    )
    from .dataset import check_sizes
    from .embed import load_embedder
    from .options import check_langs
    from .publish import BuildSummary

    langs = check_langs(langs)
    sizes = check_sizes(sizes)
    if model is not None and not isinstance(model, str):
        raise ConfigError("model must be None or a model name: actors load their own encoder")
    actors = {"concurrency": concurrency, "num_cpus": num_cpus, "batch_size": batch_size}
    sorter = {"text_column": text_column, "id_column": id_column, "url_column": url_column,
              "langs": langs}  # fmt: skip
    # (A resumed job trusts that the pages are the ones the killed job was given.)
    run = {"langs": list(langs), "model": model, "url_column": url_column,
           "text_column": text_column, "id_column": id_column}  # fmt: skip
    work = _RayWork(Path(out) / RAY_WORK_FOLDER, run, resume)
    try:
        if work.sorted_done:
            sorted_pages = work.load_sorted()
        else:
            sorted_pages = work.save_sorted(
                pages.map_batches(PageSorter, fn_constructor_kwargs=sorter, **actors)
            )
        kinds = Counter(r["kind"] for r in sorted_pages.select_columns(["kind"]).iter_rows())
        with warnings.catch_warnings():  # expr= filters are newer than this Ray's minimum
            warnings.filterwarnings("ignore", "Use 'expr' instead of 'fn'")
            one_language = sorted_pages.filter(lambda r: r["kind"] in langs)
            mixed = sorted_pages.filter(lambda r: r["kind"] == "mixed")
        # The one-language pages, in a fixed order (Ray does not keep the input's).
        one = sorted(one_language.iter_rows(),
                     key=lambda r: (r["id"], r["text"], r["url"], r["links"]))  # fmt: skip
        decisions = [
            _Decision(r["id"], r["kind"], int(r["minority"]),
                      links=json.loads(r.get("links") or "{}"), url=r.get("url") or "")
            for r in one
        ]  # fmt: skip
        texts = [r["text"] for r in one]
        encoder = load_embedder(model)
        if work.matches is None:
            work.save_matches(_match_stage(texts, decisions, encoder, langs, False))
        matches = work.matches or []
        tasks = _plan(decisions, matches, langs)
        # Every item to align has a key of its own (a page's hash; a task's from its
        # pages'), by which the work knows what is done; its rows get its document back.
        doc_of: dict[str, str] = {}
        weight: dict[str, int] = {}  # documents an item stands for (a failed pair: 2)
        for r in mixed.select_columns(["key", "id"]).iter_rows():
            doc_of[r["key"]], weight[r["key"]] = r["id"], 1
        last, pairs = [], []
        for t in tasks:
            if t.tgt is None:
                key = "last:" + one[t.src]["key"]
                last.append({"key": key, "text": texts[t.src]})
            else:
                key = f"pair:{one[t.src]['key']}:{one[t.tgt]['key']}"
                pairs.append({"key": key, "src": texts[t.src], "tgt": texts[t.tgt]})
            doc_of[key], weight[key] = t.doc, 1 if t.tgt is None else 2
        done = set(work.done)
        singles = mixed.select_columns(["key", "text"])
        if done:  # a resumed job: the mixed pages not yet aligned (they stay on the cluster)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Use 'expr' instead of 'fn'")
                singles = singles.filter(lambda r: r["key"] not in done)
        last = [x for x in last if x["key"] not in done]
        if last:
            singles = singles.union(_items(last))
        pairs = [x for x in pairs if x["key"] not in done]
        aligner = {"id_column": "key", "errors_column": "error", "marker_column": "done",
                   "langs": langs, "model": model}  # fmt: skip
        jobs = [(singles, {"text_column": "text"})]
        if pairs:
            jobs.append((_items(pairs), {"src_column": "src", "tgt_column": "tgt"}))
        for items, columns in jobs:
            aligned = items.map_batches(
                PairAligner, fn_constructor_kwargs={**columns, **aligner}, **actors
            )
            for row in aligned.iter_rows():
                row = dict(row)
                work.add(row["doc"], row, bool(row.pop("done")))
    finally:
        work.close()
    rows = [{**r, "doc": doc_of[r["doc"]]} for r in work.rows]
    failed = sum(weight[r["doc"]] for r in work.rows if r["error"])
    records = _records_from_rows([r for r in rows if not r["error"]], langs)
    summary = BuildSummary(langs=langs, sources=[f"ray dataset ({sum(kinds.values())} pages)"])
    summary.documents = sum(kinds.values())
    summary.mixed_documents = kinds["mixed"]
    summary.matched_document_pairs = len(matches)
    summary.match_evidence = match_evidence(matches)
    summary.unmatched_documents = len(one) - 2 * len(matches)
    summary.failed_documents = kinds["failed"] + failed
    summary.aligned_pairs = len(records)
    summary.options = {
        "langs": "-".join(langs),
        "model": getattr(encoder, "name", None) or type(encoder).__name__,
        "near_duplicate_threshold": near_duplicates,
        "mixed_share": MIXED_SHARE,
        "runner": "ray",
    }
    result = finish_dataset(records, out, summary, clean_config, sizes, near_duplicates)
    work.remove()
    return result


def _items(rows: list[dict[str, Any]]) -> Any:
    import ray

    return ray.data.from_items(rows)
