"""``bialign build-dataset``: from a crawl to a published parallel corpus, in one run.

The input is a folder of HTML or text files, a JSONL file of documents (``{"id" or
"url": .., "text" or "html": ..}``) or a WARC file (``warcio``). Every document is
sorted by the languages a sample of its segments shows (:func:`classify`):

- a document with both languages (the minority at least :data:`MIXED_SHARE` of its
  labelled sample) is aligned on its own, as ``bialign align`` does;
- documents in one language are matched with their translation among the documents in
  the other language (:func:`bialign.match_documents`) and each matched pair aligned, as
  ``bialign align-docs`` does; a one-language document left unmatched that still holds
  a few segments of the other language is aligned on its own as a last chance.

The pairs then go through :func:`bialign.dataset.clean`, :func:`deduplicate` and
:func:`split`, and :func:`bialign.publish.publish` writes the dataset and its card.
Each distinct segment is embedded once for the whole run: matching and alignment share
an in-memory cache (with ``workers`` > 1, an embedding cache on disk in the work folder).

**Streaming and resuming.** A page is read once; only the one-language pages, which
matching needs side by side, are kept (read) until their alignment; the pairs of each
finished alignment go to a spool file on disk. The run's work lives in ``OUT/.work``
(:class:`_WorkFolder`), written as it goes, so that a killed run started again with
``resume=True`` skips what is finished and loses nothing; the folder is removed once the
dataset is published.

**Workers.** Mixed pages and matched pairs are aligned by
:func:`bialign.batch.align_many`, on ``workers`` processes, in input order, and with
matching's vectors from the cache, so the result does not depend on how many there are.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

from .cache import CachedEmbedder
from .dataset import CleanConfig, PairRecord, check_sizes, clean, deduplicate, split
from .embed import Embedder, MemoEmbedder, load_embedder
from .errors import BialignError, BialignWarning, ConfigError, InputError, require
from .options import Options
from .profile import Profile
from .publish import BuildSummary, publish
from .segment import ReadDocument

#: A document is "mixed" when its minority language holds at least this share of its
#: sampled segments that have a language.
MIXED_SHARE = 0.2
TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
#: The folder, inside the output folder, that holds a run's work until it is published.
WORK_FOLDER = ".work"


@dataclass(frozen=True)
class InputDocument:
    """One document of the input: an id (a path or URL) and its content (once read, the
    read document)."""

    id: str
    #: A JSONL record that cannot be read carries its error: the document fails alone.
    content: str | Path | ReadDocument | BialignError
    #: The page's address: a WARC record's URL, a JSONL record's ``url``, a path inside
    #: the input folder; "" when the input gives none (a JSONL record with an ``id``
    #: only: such an id names a record, it says nothing about the page's language).
    address: str = ""


def _input_kind(source: Path) -> str:
    """Folder, WARC or JSONL; anything else is an InputError, raised before any work."""
    if source.is_dir():
        return "folder"
    if not source.exists():
        raise InputError(f"no such file or folder: {source}", path=source)
    name = source.name.lower()
    if name.endswith((".warc", ".warc.gz")):
        return "warc"
    if name.endswith((".jsonl", ".json")):
        return "jsonl"
    raise InputError(
        f"{source}: give a folder of .html/.txt files, a .jsonl of documents or a .warc(.gz)",
        path=source,
    )


def _folder_files(source: Path) -> list[Path]:
    return [
        path
        for path in sorted(source.rglob("*"))
        if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES
    ]


def read_inputs(source: Path) -> Iterator[InputDocument]:
    """The documents of a folder, a JSONL file or a WARC file, in a stable order."""
    kind = _input_kind(source)
    if kind == "folder":
        for path in _folder_files(source):
            rel = str(path.relative_to(source))
            yield InputDocument(rel, path, rel)
    elif kind == "warc":
        yield from _read_warc(source)
    else:
        with open(source, "rb") as f:
            for lineno, raw in enumerate(f, start=1):
                if not raw.strip():
                    continue
                # A record that cannot be read fails alone, named in the summary, as a
                # page that cannot be read does (align-many skips such lines too).
                where = f"{source.name} line {lineno}"
                try:
                    line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
                except UnicodeDecodeError as exc:
                    yield InputDocument(
                        where, InputError(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})")
                    )
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield InputDocument(where, InputError(f"not JSON ({exc})"))
                    continue
                text = obj.get("text", obj.get("html")) if isinstance(obj, dict) else None
                if not isinstance(obj, dict) or not isinstance(text, str):
                    what = "needs a 'text' or 'html' string" if isinstance(obj, dict) else (
                        "not a JSON object")  # fmt: skip
                    yield InputDocument(where, InputError(what))
                    continue
                url = obj.get("url")
                yield InputDocument(
                    str(obj.get("id", url if url is not None else lineno)),
                    text,
                    str(url) if url is not None else "",
                )


def count_inputs(source: Path) -> int | None:
    """How many documents :func:`read_inputs` yields, where that is cheap to know (the
    progress bar's total, for an ETA): a folder's files, a JSONL file's non-empty lines.
    None for a WARC file, whose records can only be counted by decompressing it all."""
    kind = _input_kind(source)
    if kind == "folder":
        return len(_folder_files(source))
    if kind == "jsonl":
        with open(source, "rb") as f:
            return sum(1 for line in f if line.strip())
    return None


def _read_warc(path: Path) -> Iterator[InputDocument]:
    warcio: Any = require("warcio.archiveiterator", "dataset", "reading WARC files")
    with open(path, "rb") as stream:
        for record in warcio.ArchiveIterator(stream):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            ctype = record.http_headers.get_header("Content-Type") or ""
            if "html" not in ctype and "text/plain" not in ctype:
                continue
            body = record.content_stream().read()
            charset = "utf-8"
            if "charset=" in ctype:
                charset = ctype.split("charset=")[-1].split(";")[0].strip() or charset
            try:
                text = body.decode(charset, errors="replace")
            except LookupError:
                text = body.decode("utf-8", errors="replace")
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            yield InputDocument(url, text, url)


def classify(counts: Mapping[str, int], langs: tuple[str, str]) -> tuple[str, int]:
    """Where a page goes, from its language sample: ``("mixed", n)`` for both languages,
    ``(lang, n)`` for one (its majority language), ``("failed", 0)`` for none; ``n`` is
    the count of the minority language (a one-language page that has some is aligned on
    its own when it finds no partner)."""
    a, b = counts.get(langs[0], 0), counts.get(langs[1], 0)
    if min(a, b) >= max(1, MIXED_SHARE * (a + b)):
        return "mixed", min(a, b)
    if a + b:
        return (langs[0] if a >= b else langs[1]), min(a, b)
    return "failed", 0  # no segment with a language of its own: nothing to align


# ---------------------------------------------------------------------------------------
# The run's work on disk: what makes it resumable.


@dataclass
class _Decision:
    """How the sort stage placed one input document (saved, so that a resumed run reads
    the document again only if it still needs it, and never samples it again)."""

    id: str
    kind: str  # "mixed", one of the two languages, or "failed"
    minority: int = 0
    #: ``ReadDocument.sampled`` as JSON: a re-read document gets its sample back.
    sampled: list[Any] = field(default_factory=list)
    #: The hreflang alternates an HTML page declares (language -> address), evidence for
    #: document matching (bialign.urls).
    links: dict[str, str] = field(default_factory=dict)
    #: Its address (:attr:`InputDocument.address`), "" when the input gives none.
    url: str = ""
    #: Why a "failed" document failed (the error it raised).
    reason: str = ""


@dataclass(frozen=True)
class _Task:
    """One alignment after matching: a matched pair (``tgt`` set), or a one-language
    page left unmatched that holds a few segments of the other language."""

    key: str
    doc: str  # the ``doc`` of its pairs
    src: int  # input positions
    tgt: int | None = None


def _plan(
    decisions: list[_Decision], matches: list[list[Any]], langs: tuple[str, str]
) -> list[_Task]:
    """The alignments after matching, in a fixed order: matched pairs by source
    document, then the unmatched one-language pages that hold the other language."""
    ids = [d.id for d in decisions]
    out = [_Task(f"pair:{s}:{t}", f"{ids[s]} | {ids[t]}", s, t) for s, t, *_ in matches]
    matched = {s for s, _, *_ in matches} | {t for _, t, *_ in matches}
    for lang in langs:
        for k, d in enumerate(decisions):
            if d.kind == lang and k not in matched and d.minority >= 1:
                out.append(_Task(f"last:{k}", ids[k], k))
    return out


class _WorkFolder:
    """``OUT/.work``: what a run has finished, written as it goes, so that a killed run
    can go on without repeating or losing a document.

    - ``run.json``: the input and settings the work belongs to (a resumed run with
      others is refused: its pairs would not be the ones the work holds);
    - ``embeddings/``: with workers, the embedding cache they share with matching;
    - ``sort.jsonl``: one line per input document as the sort stage placed it, in input
      order, then ``{"done": true}``;
    - ``matches.json``: the matched document pairs, written once matching is done;
    - ``pairs.jsonl``: the pair records of each finished alignment (a mixed page, a
      matched pair), appended;
    - ``progress.jsonl``: one line per finished alignment, written after its pairs were
      flushed to disk: its task and the size of ``pairs.jsonl`` with them. A resumed run
      cuts ``pairs.jsonl`` back to the last size recorded (as ``align-many --resume``
      does), dropping the pairs of an alignment the kill cut short.

    A line cut off by a kill ends what is read of a file; the files are rewritten
    without it on resume.
    """

    def __init__(self, folder: Path, run: dict[str, Any], resume: bool) -> None:
        self.folder = folder
        self._caches: list[CachedEmbedder] = []
        self._shares: _ShareLog | None = None
        meta = folder / "run.json"
        if folder.exists() and (not resume or not meta.exists()):
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if meta.exists():
            saved = json.loads(meta.read_text(encoding="utf-8"))
            if saved != run:
                differ = ", ".join(
                    f"{k}: {saved.get(k)!r} then, {run.get(k)!r} now"
                    for k in run
                    if saved.get(k) != run.get(k)
                )
                raise ConfigError(
                    f"{folder} holds the work of a run with other settings ({differ}); "
                    "rerun with the same input and settings, or without --resume to start "
                    "again"
                )
        else:
            _write_atomic(meta, json.dumps(run, indent=1))
        self.decisions, self.sorted_all = self._read_sort()
        #: Failed alignments: task -> (document, error).
        self.errors: dict[str, tuple[str, str]] = {}
        self.committed, offset = self._read_progress()
        matches = folder / "matches.json"
        self.matches: list[list[Any]] | None = (
            json.loads(matches.read_text(encoding="utf-8")) if matches.exists() else None
        )
        spool = folder / "pairs.jsonl"
        size = spool.stat().st_size if spool.exists() else 0
        if size < offset:
            raise BialignError(
                f"{folder / 'progress.jsonl'} says {offset} bytes of {spool} were complete, "
                f"but it holds {size}; rerun without --resume to start again"
            )
        self._spool: IO[bytes] = open(spool, "r+b" if spool.exists() else "wb")  # noqa: SIM115
        self._spool.truncate(offset)  # the pairs of an alignment that was cut short
        self._spool.seek(offset)
        # Rewritten on resume too: a line cut off by the kill must not stay in the middle.
        self._progress: IO[str] = open(folder / "progress.jsonl", "w", encoding="utf-8")  # noqa: SIM115
        for key, (pairs, failed, at) in self.committed.items():
            self._write_progress(key, at, pairs, failed)
        self._sort: IO[str] = open(folder / "sort.jsonl", "w", encoding="utf-8")  # noqa: SIM115
        for k, d in enumerate(self.decisions):
            self._write_decision(k, d)
        if self.sorted_all:
            self._sort.write(json.dumps({"done": True}) + "\n")
        self._sort.flush()

    def __enter__(self) -> _WorkFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read_sort(self) -> tuple[list[_Decision], bool]:
        decisions: list[_Decision] = []
        for rec in _json_lines(self.folder / "sort.jsonl"):
            if rec.get("done"):
                return decisions, True
            if rec.get("k") != len(decisions):
                break
            decisions.append(
                _Decision(
                    rec["id"],
                    rec["kind"],
                    int(rec["minority"]),
                    rec["sampled"],
                    rec.get("links") or {},
                    rec.get("url") or "",
                    rec.get("reason") or "",
                )  # fmt: skip
            )
        return decisions, False

    def _read_progress(self) -> tuple[dict[str, tuple[int, int, int]], int]:
        """Finished tasks (pairs, failed documents, spool size after them) and the spool's
        complete size; the failed ones' (document, error) go into ``self.errors``."""
        done: dict[str, tuple[int, int, int]] = {}
        offset = 0
        for rec in _json_lines(self.folder / "progress.jsonl"):
            offset = int(rec["offset"])
            done[rec["task"]] = (int(rec["pairs"]), int(rec["failed"]), offset)
            if rec.get("error"):
                self.errors[rec["task"]] = (str(rec.get("doc", rec["task"])), str(rec["error"]))
        return done, offset

    def _write_decision(self, k: int, d: _Decision) -> None:
        rec = {"k": k, "id": d.id, "kind": d.kind, "minority": d.minority,
               "sampled": d.sampled, "links": d.links, "url": d.url,
               **({"reason": d.reason} if d.reason else {})}  # fmt: skip
        self._sort.write(json.dumps(rec, ensure_ascii=False) + "\n")

    def _write_progress(self, key: str, offset: int, pairs: int, failed: int) -> None:
        rec: dict[str, Any] = {"task": key, "offset": offset, "pairs": pairs, "failed": failed}
        if key in self.errors:
            rec["doc"], rec["error"] = self.errors[key]
        self._progress.write(json.dumps(rec, ensure_ascii=False) + "\n")
        self._progress.flush()

    def add_decision(self, d: _Decision) -> None:
        self._write_decision(len(self.decisions), d)
        self._sort.flush()
        self.decisions.append(d)

    def finish_sort(self) -> None:
        if not self.sorted_all:
            self._sort.write(json.dumps({"done": True}) + "\n")
            self._sort.flush()
            self.sorted_all = True

    def save_matches(self, matches: list[list[Any]]) -> None:
        _write_atomic(self.folder / "matches.json", json.dumps(matches))
        self.matches = matches

    def commit(
        self, key: str, records: list[PairRecord], failed: int, error: tuple[str, str] | None = None
    ) -> None:
        """Append one alignment's pairs, make them durable, then record it as finished
        (``error``: the document and the error of a failed one)."""
        if error is not None:
            self.errors[key] = error
        for r in records:
            row = {"src": r.src, "tgt": r.tgt, "score": r.score, "doc": r.doc,
                   "confidence": r.confidence}  # fmt: skip
            self._spool.write((json.dumps(row, ensure_ascii=False) + "\n").encode())
        self._spool.flush()
        os.fsync(self._spool.fileno())
        offset = self._spool.tell()
        self._write_progress(key, offset, len(records), failed)
        self.committed[key] = (len(records), failed, offset)

    def records(self) -> Iterator[PairRecord]:
        """Every pair of the spool, in the order the alignments finished."""
        self._spool.flush()
        with open(self.folder / "pairs.jsonl", encoding="utf-8") as f:
            for line in f:
                r = json.loads(line)
                yield PairRecord(r["src"], r["tgt"], r["score"], r["doc"],
                                 confidence=r["confidence"])  # fmt: skip

    def tasks(self, langs: tuple[str, str]) -> list[_Task]:
        assert self.matches is not None
        return _plan(self.decisions, self.matches, langs)

    def fill(self, summary: BuildSummary, langs: tuple[str, str]) -> None:
        """The summary's counts, from the work (the same for a run resumed any times)."""
        kinds = Counter(d.kind for d in self.decisions)
        matched = len(self.matches or [])
        summary.documents = len(self.decisions)
        summary.mixed_documents = kinds["mixed"]
        summary.matched_document_pairs = matched
        summary.match_evidence = match_evidence(self.matches or [])
        summary.unmatched_documents = kinds[langs[0]] + kinds[langs[1]] - 2 * matched
        summary.failed_documents = kinds["failed"] + sum(f for _, f, _ in self.committed.values())
        unknown = "(no reason recorded: the run that failed it was an older bialign)"
        summary.failures = [
            (d.id, d.reason or unknown) for d in self.decisions if d.kind == "failed"
        ]
        summary.failures += [
            self.errors.get(key, (key, unknown))
            for key, (_, failed, _) in self.committed.items()
            if failed
        ]
        summary.aligned_pairs = sum(p for p, _, _ in self.committed.values())

    def hold(self, cache: CachedEmbedder) -> CachedEmbedder:
        """Keep an embedding cache in the folder, to close with it."""
        self._caches.append(cache)
        return cache

    def verified(self) -> _ShareLog:
        """Matching's memo of verified shares, kept in the folder (matching goes on after
        a kill instead of aligning every candidate again)."""
        if self._shares is None:
            self._shares = _ShareLog(self.folder / "verified.jsonl")
        return self._shares

    def close(self) -> None:
        for f in (self._spool, self._progress, self._sort):
            f.close()
        for cache in self._caches:
            cache.close()
        if self._shares is not None:
            self._shares.close()

    def remove(self) -> None:
        """Delete the work once the dataset is published (renamed first, so that a kill
        while deleting leaves no half folder for a resumed run to trust)."""
        self.close()
        gone = self.folder.with_name(f"{self.folder.name}.removing")
        shutil.rmtree(gone, ignore_errors=True)
        self.folder.rename(gone)
        shutil.rmtree(gone, ignore_errors=True)


class _ShareLog(dict[tuple[int, int], float]):
    """A dict of verified shares that appends each new one to a JSON-lines file, and
    starts from what the file holds (a line cut off by a kill is cut away first)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        if path.exists():
            data = path.read_bytes()
            path.write_bytes(data[: data.rfind(b"\n") + 1])
        for rec in _json_lines(path):
            super().__setitem__((int(rec["s"]), int(rec["t"])), float(rec["share"]))
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())

    def __setitem__(self, key: tuple[int, int], share: float) -> None:
        super().__setitem__(key, share)
        self._file.write(json.dumps({"s": key[0], "t": key[1], "share": share}) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def _json_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSON-lines file up to the first line a kill cut off."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                return
            if not isinstance(rec, dict):
                return
            yield rec


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def work_status(out: Path) -> str:
    """What the work folder of an interrupted run holds, in a few words (for the line
    the command prints on Ctrl-C)."""
    folder = Path(out) / WORK_FOLDER
    sorted_docs = sum(1 for r in _json_lines(folder / "sort.jsonl") if "k" in r)
    aligned = sum(1 for _ in _json_lines(folder / "progress.jsonl"))
    return f"{sorted_docs} documents sorted, {aligned} documents or pairs aligned"


def _sampled(doc: ReadDocument) -> list[Any]:
    return [[list(_plain(key)), counts] for key, counts in doc.sampled.items()]


def _plain(value: Any) -> Any:
    return [_plain(v) for v in value] if isinstance(value, tuple | list) else value


def _frozen(value: Any) -> Any:
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


# ---------------------------------------------------------------------------------------
# The run.


def build_dataset(
    source: Path,
    out: Path,
    *,
    langs: tuple[str, str] = ("en", "es"),
    model: str | Embedder | None = None,
    clean_config: CleanConfig | None = None,
    sizes: dict[str, float] | None = None,
    near_duplicates: float | None = 0.8,
    progress: bool | None = None,
    workers: int = 1,
    resume: bool = False,
    threads: int | None = None,
    addresses: bool = True,
    profile: str | Path | Profile | None = None,
) -> BuildSummary:
    """Read, sort, match, align, clean, deduplicate, split and publish; see the module.

    ``profile``: the encoder profile (a JSON file from ``bialign calibrate``, or a
    :class:`bialign.profile.Profile`); default: the one shipped for the encoder.

    ``addresses``: take the pages' addresses and hreflang links as evidence in document
    matching (bialign.urls; False: the text alone decides).

    ``workers`` > 1 aligns on that many processes (``model`` must then be None or a
    name), sharing ``threads`` (default: the CPUs this process may use). ``resume``
    goes on from the work a killed run left in ``out/.work``; without it that work is
    discarded and the run starts again."""
    from .batch import _check_workers

    source, out = Path(source), Path(out)
    show = progress if progress is not None else sys.stderr.isatty()
    # Bad settings and missing extras fail before any work.
    options = Options(langs=langs, progress=False, threads=threads, profile=profile)
    langs = options.langs
    sizes = check_sizes(sizes)
    _check_workers(workers)
    if workers > 1 and model is not None and not isinstance(model, str):
        raise ConfigError(
            "workers > 1 needs model=None or a model name or folder (a str): an encoder "
            "object cannot be sent to another process",
            option="model",
        )
    if _input_kind(source) == "folder" and (
        out.resolve() == source.resolve() or source.resolve() in out.resolve().parents
    ):
        raise ConfigError(
            f"the output folder {out} is inside the input folder {source}: a later run "
            "would read the dataset's own files as pages; write it outside the input",
            option="out",
        )
    for module in ("pyarrow", "datasets", *(("datasketch",) if near_duplicates else ())):
        require(module, "dataset", "bialign build-dataset")
    inner = load_embedder(model, threads=threads)
    summary = BuildSummary(langs=langs, sources=[str(source)])
    summary.options = {
        "langs": "-".join(langs),
        "model": getattr(inner, "name", None) or type(inner).__name__,
        "near_duplicate_threshold": near_duplicates,
        "mixed_share": MIXED_SHARE,
        "address_evidence": addresses,
    }
    from .pipeline import Aligner

    # The signatures need the encoder's name only, not the encoder.
    made_by = Aligner(replace(options, model=model))
    summary.signature, summary.mixed_signature = made_by.signature(False), made_by.signature(True)
    # The signatures name the profile (name@digest): a resumed run with another profile
    # must not reuse records scored under the first one.
    run = {"input": str(source.resolve()), "langs": list(langs),
           "model": summary.options["model"], "addresses": addresses,
           "signatures": [summary.signature, summary.mixed_signature]}  # fmt: skip
    if resume and not (out / WORK_FOLDER / "run.json").exists():
        warnings.warn(
            f"nothing to resume in {out / WORK_FOLDER} (a finished run leaves no work "
            "behind): building from the start",
            BialignWarning,
            stacklevel=2,
        )
    with _WorkFolder(out / WORK_FOLDER, run, resume) as work:
        align_options = options
        if workers > 1:
            # The workers load their own encoder, and find the vectors matching made in
            # an embedding cache on disk, so a matched pair is not embedded again (and a
            # resumed run does not embed again what the killed one stored).
            cache = work.folder / "embeddings"
            inner = work.hold(CachedEmbedder(inner, cache))
            align_options = replace(options, model=model, cache_dir=cache)
        encoder = MemoEmbedder(inner)  # one embedding per distinct text for the whole build
        options = replace(options, model=encoder)
        if workers == 1:
            align_options = options  # alignment shares matching's vectors in memory
        mono = _sort_stage(source, options, align_options, work, workers, show)
        if work.matches is None:
            work.save_matches(
                _match_stage(mono, work.decisions, encoder, langs, show, addresses, work.verified())
            )
        _align_stage(mono, work, align_options, workers, show)
        work.fill(summary, langs)
        records = list(work.records())
    if summary.documents == 0:
        work.remove()
        raise InputError(
            f"{source} holds no documents to build a dataset from (a folder of .html, .htm "
            "or .txt pages, a JSONL file of documents, or a WARC file)"
        )
    finish_dataset(records, out, summary, clean_config, sizes, near_duplicates, show)
    work.remove()
    return summary


def finish_dataset(
    records: list[PairRecord],
    out: Path | str,
    summary: BuildSummary,
    clean_config: CleanConfig | None = None,
    sizes: dict[str, float] | None = None,
    near_duplicates: float | None = 0.8,
    progress: bool = False,
) -> BuildSummary:
    """The last stage, on every pair of the run at once (deduplication and splits are
    across the whole dataset): clean, deduplicate, split, publish into ``out``."""
    from tqdm import tqdm

    bar = tqdm(records, desc="cleaning", unit="pair", disable=not progress, file=sys.stderr)
    kept, summary.cleaning = clean(bar, clean_config)
    unique, summary.duplicates, groups = deduplicate(kept, near=near_duplicates)
    summary.published = len(unique)
    counts = publish(split(unique, sizes, groups), Path(out), summary)
    shares = check_sizes(sizes)
    empty = [name for name, share in shares.items() if share > 0 and not counts.get(name)]
    if empty and unique:
        documents = len({p.doc for p in unique})
        warnings.warn(
            f"split(s) {', '.join(map(repr, empty))} got no pairs: splits are drawn by "
            f"document, and the {documents} document(s) with published pairs fell elsewhere; "
            "give those splits larger shares, or build from more documents",
            BialignWarning,
            stacklevel=2,
        )
    return summary


def _sort_stage(
    source: Path,
    options: Options,
    align_options: Options,
    work: _WorkFolder,
    workers: int,
    show: bool,
) -> dict[int, ReadDocument]:
    """Read and sort every document, aligning the mixed ones as they come; returns the
    one-language documents, read, that what follows still needs (by input position).

    A resumed run takes the saved decisions, reads again only the documents it still
    needs, and samples only the documents the earlier run did not reach."""
    from .batch import align_many
    from .pipeline import Aligner

    reader = Aligner(options)
    mono: dict[int, ReadDocument] = {}
    keys: dict[int, tuple[str, str]] = {}  # align_many's index -> (task, document id)

    def mixed_documents() -> Iterator[ReadDocument]:
        for n, (task, doc_id, doc) in enumerate(_sort(source, reader, work, mono, show)):
            keys[n] = (task, doc_id)
            yield doc

    # read_ahead=0: each page is committed as soon as it is sorted, so a kill loses none.
    for result in align_many(mixed_documents(), align_options, workers=workers, read_ahead=0):
        task, doc_id = keys.pop(result.index)
        failed = int(result.corpus is None)
        work.commit(task, _records(result, doc_id), failed, _error(result, doc_id))
    return mono


def _sort(
    source: Path,
    reader: Any,
    work: _WorkFolder,
    mono: dict[int, ReadDocument],
    show: bool,
) -> Iterator[tuple[str, str, ReadDocument]]:
    """The mixed documents to align, as ``(task, id, document)``, in input order; the
    one-language documents that matching or alignment needs go into ``mono``."""
    from tqdm import tqdm

    langs = reader.langs
    done_before = len(work.decisions)
    needed = _needed(work, langs)
    todo = [k for k, d in enumerate(work.decisions)
            if d.kind == "mixed" and f"mixed:{k}" not in work.committed]  # fmt: skip
    last = max(todo + sorted(needed or ()), default=-1)
    if work.sorted_all and needed is not None and last < 0:
        return  # a resumed run that needs nothing of the input again
    seen = 0
    with tqdm(total=count_inputs(source), desc="sorting", unit="doc", disable=not show,
              file=sys.stderr) as bar:  # fmt: skip
        for k, item in enumerate(read_inputs(source)):
            if work.sorted_all and needed is not None and k > last:
                break  # past the last document a resumed run needs
            seen = k + 1
            bar.update()
            if k < done_before:
                d = work.decisions[k]
                if d.id != item.id:
                    raise InputError(
                        f"the input changed since the interrupted run: document {k + 1} is "
                        f"{item.id!r}, was {d.id!r}; rerun without --resume to start again"
                    )
                if d.kind == "mixed" and f"mixed:{k}" not in work.committed:
                    yield f"mixed:{k}", d.id, _reread(reader, item, d)
                elif d.kind in langs and (needed is None or k in needed):
                    mono[k] = _reread(reader, item, d)
                continue
            if work.sorted_all:
                raise InputError(
                    f"the input changed since the interrupted run: it holds more than the "
                    f"{done_before} documents the run sorted; rerun without --resume"
                )
            try:
                if isinstance(item.content, BialignError):
                    raise item.content  # a record that could not be read
                doc = reader.read(item.content, item.id)
                counts = reader.sample_languages(doc, item.id)
            except BialignError as exc:
                work.add_decision(_Decision(item.id, "failed", reason=str(exc)))
                continue
            kind, minority = classify(counts, langs)
            links = _links(item) if kind in langs else {}
            work.add_decision(
                _Decision(item.id, kind, minority, _sampled(doc), links, item.address)
            )
            if kind == "mixed":
                yield f"mixed:{k}", item.id, doc
            elif kind != "failed":
                mono[k] = doc
    if seen < done_before and not work.sorted_all:
        raise InputError(
            f"the input changed since the interrupted run: it holds {seen} documents, the "
            f"run had sorted {done_before}; rerun without --resume to start again"
        )
    work.finish_sort()


def match_evidence(matches: list[list[Any]]) -> dict[str, int]:
    """Matched pairs that addresses also paired, by kind. A match row is ``[src, tgt,
    share, margin, hint]``; rows a work folder saved before hints were kept have four."""
    return dict(Counter(row[4] for row in matches if len(row) > 4 and row[4]))


def _links(item: InputDocument) -> dict[str, str]:
    """The hreflang alternates of an HTML input, resolved against its address (a URL, or
    a path inside the input folder); empty for text."""
    from .readers import detect_format
    from .urls import hreflang_links

    content = item.content
    if isinstance(content, Path):
        if content.suffix.lower() not in HTML_SUFFIXES:
            return {}
        content = content.read_text(encoding="utf-8", errors="replace")
    if not isinstance(content, str) or detect_format(content) != "html":
        return {}
    return hreflang_links(content, item.address)


def _needed(work: _WorkFolder, langs: tuple[str, str]) -> set[int] | None:
    """Positions of the one-language documents still to align once matching is done;
    None before that (matching needs every one)."""
    if work.matches is None:
        return None
    out: set[int] = set()
    for t in work.tasks(langs):
        if t.key not in work.committed:
            out |= {t.src} if t.tgt is None else {t.src, t.tgt}
    return out


def _reread(reader: Any, item: InputDocument, d: _Decision) -> ReadDocument:
    """A document the interrupted run sorted, read again with its language sample."""
    try:
        doc: ReadDocument = reader.read(item.content, item.id)
    except BialignError as exc:
        raise InputError(
            f"the input changed since the interrupted run: {item.id} was read then, and "
            f"now: {exc}; rerun without --resume to start again"
        ) from None
    for key, counts in d.sampled:
        doc.sampled[_frozen(key)] = counts
    return doc


def _error(result: Any, doc_id: str) -> tuple[str, str] | None:
    """(document, error) of an alignment that failed, else None."""
    return None if result.error is None else (doc_id, str(result.error))


def _records(result: Any, doc_id: str) -> list[PairRecord]:
    if result.corpus is None:
        return []
    return [
        PairRecord(p.src_text, p.tgt_text, p.score, doc_id, confidence=p.confidence)
        for p in result.corpus.pairs
    ]


def _records_from_rows(rows: list[dict[str, Any]], langs: tuple[str, str]) -> list[PairRecord]:
    """PairRecords from the rows of :class:`bialign.ray_data.PairAligner`, grouped by
    document (stable: a document's pairs keep their order)."""
    out = [
        PairRecord(
            r[langs[0]], r[langs[1]], float(r["score"]), str(r["doc"]), confidence=r["confidence"]
        )  # fmt: skip
        for r in rows
    ]
    return sorted(out, key=lambda p: p.doc)


def _match_stage(
    mono: dict[int, ReadDocument] | list[Any],
    decisions: list[_Decision],
    encoder: Embedder,
    langs: tuple[str, str],
    show: bool,
    addresses: bool = True,
    verified: MutableMapping[tuple[int, int], float] | None = None,
) -> list[list[Any]]:
    """The matched one-language documents as ``[src, tgt, share, margin, hint]`` rows,
    by input position (``hint``: the address evidence that also paired them, or "").
    ``addresses``: take the pages' addresses and hreflang links as evidence
    (bialign.urls)."""
    from .docmatch import match_documents

    src = [k for k, d in enumerate(decisions) if d.kind == langs[0]]
    tgt = [k for k, d in enumerate(decisions) if d.kind == langs[1]]
    if not src or not tgt:
        return []
    from .urls import url_hints

    hints = None
    if addresses:
        hints = url_hints(
            [decisions[k].url or None for k in src],
            [decisions[k].url or None for k in tgt],
            langs,
            src_links=[decisions[k].links for k in src],
            tgt_links=[decisions[k].links for k in tgt],
        )
    matches = match_documents(
        [mono[k] for k in src], [mono[k] for k in tgt], model=encoder, hints=hints,
        progress=show, verified=verified,
    )  # fmt: skip
    return [[src[m.src], tgt[m.tgt], m.share, m.margin, m.hint] for m in matches]


def _align_stage(
    mono: dict[int, ReadDocument],
    work: _WorkFolder,
    options: Options,
    workers: int,
    show: bool,
) -> None:
    """Align each matched pair, then each unmatched page that holds the other language;
    a document is let go once it is sent to be aligned."""
    from tqdm import tqdm

    from .batch import align_many

    tasks = work.tasks(options.langs)
    todo = [t for t in tasks if t.key not in work.committed]
    needed = {k for t in todo for k in (t.src, t.tgt) if k is not None}
    for k in [k for k in mono if k not in needed]:
        del mono[k]

    def documents() -> Iterator[object]:
        for t in todo:
            yield mono.pop(t.src) if t.tgt is None else (mono.pop(t.src), mono.pop(t.tgt))

    with tqdm(total=len(tasks), initial=len(tasks) - len(todo), desc="aligning",
              unit="doc", disable=not show, file=sys.stderr) as bar:  # fmt: skip
        for result in align_many(documents(), options, workers=workers):
            t = todo[result.index]
            failed = 0 if result.corpus is not None else (1 if t.tgt is None else 2)
            work.commit(t.key, _records(result, t.doc), failed, _error(result, t.doc))
            bar.update()
