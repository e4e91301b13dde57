"""Many documents: streamed in input order, optionally on several processes, resumable.

:func:`align_many` is the Python entry point. :func:`align_jsonl` is what
``bialign align-many`` runs: it reads JSONL documents and writes pairs as it goes, and a
progress file next to the output records, after each document, how far the output is
complete. Restarted with ``resume=True`` it cuts the output back to the last complete
document and goes on from the next one, so a killed run loses and repeats nothing.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import IO, Any

from . import io as formats_io
from .corpus import ParallelCorpus
from .errors import BialignError, ConfigError, InputError
from .options import Options
from .pipeline import Aligner
from .segment import MAX_SEGMENT_CHARS, ReadDocument
from .threads import resolve_threads


@dataclass
class Result:
    """One document's outcome in :func:`align_many`: a corpus, or the error it raised."""

    index: int
    corpus: ParallelCorpus | None
    error: BialignError | None = None


#: Documents are read, and their segments embedded in one call, this many segments ahead
#: of the alignment: the default encoder is about twice as fast on one call of a few
#: thousand lines as on many calls of one document's fifty (benchmarks/end_to_end.py).
AHEAD_SEGMENTS = 4096
#: With several workers, each takes documents in runs of this many and embeds each run's
#: segments in one call.
AHEAD_DOCUMENTS = 16
#: The most documents one read-ahead run holds (documents read back from cache_dir add no
#: segments to it, so this keeps a warm re-run streaming).
AHEAD_RUN_DOCUMENTS = 256


def align_many(
    docs: Iterable[object],
    options: Options | None = None,
    /,
    *,
    on_error: str = "skip",
    workers: int = 1,
    total: int | None = None,
    initial: int = 0,
    read_ahead: int = AHEAD_SEGMENTS,
    **changes: Any,
) -> Iterator[Result]:
    """Align many documents with the encoder loaded once, yielding results in input order.

    Each item is a mixed document, or a ``(src, tgt)`` tuple of two documents (an item
    that is a :class:`BialignError` is reported as that document's error). The settings
    are a :class:`bialign.Options` and/or its fields as keywords, as for
    :func:`bialign.align`. With ``on_error="skip"`` a document that raises a bialign
    error (empty, one language only, ...) yields a :class:`Result` carrying the error
    instead of stopping the run.

    The ``threads`` option (default: the CPUs this process may use, see
    :mod:`bialign.threads`) is the budget for all of it: ``workers`` > 1 aligns on that
    many processes, each with its own encoder using an equal share of those threads
    (``model`` must then be None or a name, which can be sent to another process).
    Documents are read lazily, a little ahead so that the segments of several documents
    are embedded in one call: up to ``read_ahead`` segments with one process, runs of
    AHEAD_DOCUMENTS documents (at most ``2 * workers`` runs ahead) with several.
    ``read_ahead=0`` aligns each document as soon as it arrives (for a stream whose
    documents come slowly, such as a pipe).
    The ``progress`` option shows a bar on standard error (default: when it is a
    terminal); ``total`` sizes it when ``docs`` has no length (with ``initial``
    documents counted as done before, as on a resumed run), so that it can show an ETA.
    """
    # Settings are checked here, at the call, not at the first document.
    opts = Options.of(options, **changes)
    if on_error not in ("skip", "raise"):
        raise ConfigError("on_error must be 'skip' or 'raise'")
    _check_workers(workers)
    if opts.cache_dir is not None:  # a cache SQLite cannot use fails the call, not each document
        from .cache import open_vectors

        open_vectors(opts.cache_dir).close()
    return _align_many(docs, opts, on_error, workers, total, initial, read_ahead)


def _align_many(
    docs: Iterable[object],
    opts: Options,
    on_error: str,
    workers: int,
    total: int | None,
    initial: int,
    read_ahead: int,
) -> Iterator[Result]:
    budget = resolve_threads(opts.threads)
    if total is None and hasattr(docs, "__len__"):
        total = len(docs)  # type: ignore[arg-type]
    show = opts.progress if opts.progress is not None else sys.stderr.isatty()
    from tqdm import tqdm

    with tqdm(total=total, initial=initial, unit="doc", disable=not show, file=sys.stderr) as bar:
        if workers == 1:
            aligner = Aligner(opts, threads=budget)
            for chunk in _read_ahead(aligner, enumerate(docs), read_ahead):
                for k, doc in chunk:
                    yield _align_one(aligner, k, doc, on_error)
                    bar.update()
                aligner.forget_ahead()
            return
        yield from _parallel(docs, opts, workers, budget, on_error, bar, read_ahead)


def _read_ahead(
    aligner: Aligner, items: Iterable[tuple[int, object]], limit: int = AHEAD_SEGMENTS
) -> Iterator[list[tuple[int, object]]]:
    """Runs of ``(k, document)`` read ahead by up to AHEAD_SEGMENTS segments, with their
    segments embedded in one call before the run is handed out. A document that cannot
    be read is handed out as its error (which _align_one reports as that document's).
    Documents split into sentences are passed on as given: their segments are not known
    before labelling."""
    if aligner.options.split != "lines" or limit <= 0:
        for item in items:
            yield [item]
        return
    run: list[tuple[int, object]] = []
    texts: list[str] = []
    for k, doc in items:
        read = _read(aligner, k, doc)
        run.append((k, read))
        parts = read if isinstance(read, tuple) else (read,)
        # A document aligned before comes from cache_dir and needs no vectors.
        stored = all(isinstance(p, ReadDocument) for p in parts) and aligner.has_stored(
            len(parts) == 1, parts
        )
        for part in () if stored else parts:
            if isinstance(part, ReadDocument):
                texts.extend(s.text[:MAX_SEGMENT_CHARS] for s in part.segments if s.text)
        if len(texts) >= limit or len(run) >= AHEAD_RUN_DOCUMENTS:
            aligner.embed_ahead(texts)
            yield run
            run, texts = [], []
    if run:
        aligner.embed_ahead(texts)
        yield run


def _read(aligner: Aligner, k: int, doc: object) -> object:
    """The document read as the aligner reads it (a pair of documents, each side), or the
    error reading it raised; anything else (an error item, a malformed tuple) as given."""
    try:
        if isinstance(doc, tuple) and len(doc) == 2:
            return (aligner.read(doc[0], "src"), aligner.read(doc[1], "tgt"))
        if isinstance(doc, BialignError | tuple):
            return doc
        return aligner.read(doc, "doc")
    except BialignError as exc:
        return exc


def _check_workers(workers: object) -> None:
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise ConfigError(f"workers must be a positive integer, got {workers!r}")


def _align_one(aligner: Aligner, k: int, doc: object, on_error: str) -> Result:
    try:
        if isinstance(doc, BialignError):  # an input line that could not be read
            raise doc
        if isinstance(doc, tuple):
            if len(doc) != 2:
                raise InputError(f"docs[{k}] is a tuple of {len(doc)}; a pair needs two")
            return Result(k, aligner.align_documents(doc[0], doc[1]))
        return Result(k, aligner.align(doc))
    except BialignError as exc:
        if on_error == "raise":
            raise
        return Result(k, None, exc)


def _parallel(
    docs: Iterable[object],
    options: Options,
    workers: int,
    budget: int,
    on_error: str,
    bar: Any,
    read_ahead: int = AHEAD_SEGMENTS,
) -> Iterator[Result]:
    model = options.model
    if model is not None and not isinstance(model, str):
        raise ConfigError(
            "workers > 1 needs model=None or a model name or folder (a str): an encoder "
            "object cannot be sent to another process",
            option="model",
        )
    threads = max(1, budget // workers)
    # spawn: the encoder and lingua start thread pools, which must not be forked.
    with ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_init_worker,
        initargs=(options, threads),
    ) as pool:  # fmt: skip
        pending: deque[Future[tuple[list[Result], BialignError | None]]] = deque()

        def done() -> Iterator[Result]:
            results, error = pending.popleft().result()
            for result in results:
                yield result
                bar.update()
            if error is not None:
                raise error

        try:
            run: list[tuple[int, object]] = []
            for k, doc in enumerate(docs):
                run.append((k, doc))
                if len(run) < (AHEAD_DOCUMENTS if read_ahead > 0 else 1):
                    continue
                pending.append(pool.submit(_work, run, on_error))
                run = []
                if len(pending) >= 2 * workers:
                    yield from done()
            if run:
                pending.append(pool.submit(_work, run, on_error))
            while pending:
                yield from done()
        except BaseException:  # Ctrl-C, or the caller stopped early: start nothing new
            pool.shutdown(wait=False, cancel_futures=True)
            raise


_WORKER: Aligner | None = None


def _init_worker(options: Options, threads: int) -> None:
    global _WORKER
    # Ctrl-C is the parent's to handle (it stops the run and says how to resume); a
    # worker that took it too would print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .embed import load_embedder

    model = load_embedder(options.model, threads=threads)
    _WORKER = Aligner(options, threads=threads, model=model)


def _work(run: list[tuple[int, object]], on_error: str) -> tuple[list[Result], BialignError | None]:
    """A run of documents in a worker: read, embedded in one call, aligned in order.
    With on_error="raise", the results before the failing document and its error."""
    assert _WORKER is not None
    out = []
    try:
        for chunk in _read_ahead(_WORKER, run):
            for k, doc in chunk:
                result = _align_one(_WORKER, k, doc, on_error)
                if result.corpus is not None:  # the embeddings stay here: not worth sending
                    result.corpus.src_embeddings = result.corpus.tgt_embeddings = None
                out.append(result)
            _WORKER.forget_ahead()
    except BialignError as exc:
        return out, exc
    return out, None


# ---------------------------------------------------------------------------------------
# JSONL in, pairs out, resumable: what `bialign align-many` runs.


def read_jsonl_documents(lines: Iterable[str], where: str) -> Iterator[tuple[str, object]]:
    """``(id, document)`` for each line: ``{"id": .., "text": ..}`` for a mixed document,
    ``{"id": .., "src": .., "tgt": ..}`` for two; a text is a string or a list of
    segments. A line that is not such an object yields an :class:`InputError` as its
    document, so that it is reported in place and the run goes on."""
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        doc: object
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield str(lineno), InputError(f"{where} line {lineno}: not JSON ({exc.msg})")
            continue
        if not isinstance(obj, dict):
            yield str(lineno), InputError(f"{where} line {lineno}: expected a JSON object")
            continue
        doc_id = str(obj.get("id", lineno))
        if "text" in obj:
            doc = obj["text"]
        elif "src" in obj and "tgt" in obj:
            doc = (obj["src"], obj["tgt"])
        else:
            doc = InputError(
                f"{where} line {lineno}: needs a 'text' field, or 'src' and 'tgt' fields"
            )
        yield doc_id, doc


@dataclass
class BatchSummary:
    """What a run of :func:`align_jsonl` did. ``documents`` counts every document this
    run processed, ``failed`` those of them skipped with an error (so ``aligned`` is the
    difference), ``skipped_done`` those a resumed run found finished before."""

    documents: int = 0
    skipped_done: int = 0
    failed: int = 0
    pairs: int = 0

    @property
    def aligned(self) -> int:
        return self.documents - self.failed

    def describe(self) -> str:
        """One line for people: ``48 documents aligned, 2 skipped with an error, ...``."""
        parts = [f"{self.aligned} documents aligned"]
        if self.failed:
            parts.append(f"{self.failed} skipped with an error")
        if self.skipped_done:
            parts.append(f"{self.skipped_done} done by an earlier run")
        return ", ".join(parts) + f"; {self.pairs} pairs"


def finished_documents(output: Path) -> int:
    """How many input documents the progress file of ``output`` records as finished."""
    last, _, _ = _read_checkpoint(Path(f"{output}.progress"))
    return last + 1


def _seekable(source: IO[str]) -> bool:
    try:
        return bool(source.seekable())
    except (OSError, ValueError):
        return False


def _count_documents(source: IO[str]) -> int | None:
    """Non-empty lines of a seekable input (the progress bar's total), else None."""
    try:
        if not source.seekable():
            return None
        start = source.tell()
        total = sum(1 for line in source if line.strip())
        source.seek(start)
        return total
    except (OSError, ValueError):
        return None


def align_jsonl(
    source: IO[str],
    output: Path,
    options: Options | None = None,
    /,
    *,
    fmt: str = "jsonl",
    resume: bool = False,
    min_score: float | None = None,
    min_confidence: float | None = None,
    where: str = "input",
    on_error_log: IO[str] | None = None,
    workers: int = 1,
    **changes: Any,
) -> BatchSummary:
    """Align every document of a JSONL stream and append its pairs to ``output`` (for a
    format of several files, such as Moses, the prefix of their names).

    The progress file ``OUTPUT.progress`` holds one JSON line per finished document:
    its position in the input and the output's size once its pairs were written (for
    several files, a list of their sizes).
    """
    if fmt not in formats_io.names(many=True):
        raise BialignError(
            f"align-many writes {', '.join(formats_io.names(many=True))}, not {fmt!r}"
        )
    form = formats_io.get_format(fmt)
    opts = Options.of(options, **changes)
    _check_workers(workers)  # before the output is touched
    langs = opts.langs
    paths = form.files(output, langs)
    log = on_error_log or sys.stderr
    checkpoint = Path(f"{output}.progress")
    done_upto, offsets, finished = _read_checkpoint(checkpoint) if resume else (-1, None, False)
    summary = BatchSummary(skipped_done=done_upto + 1)
    if finished:
        return summary
    if offsets is not None and (
        len(offsets) != len(paths)
        or any(not p.exists() or p.stat().st_size < n for p, n in zip(paths, offsets, strict=True))
    ):
        raise BialignError(
            f"{checkpoint} says {_sizes(offsets)} bytes of {_names(paths)} were complete, but "
            "the output is missing or shorter; rerun without --resume to start again"
        )
    if offsets is not None:
        # The output must have been started in this format (a run begun with another
        # --format, or by a bialign whose TSV had other columns, would get mixed rows).
        for path, head in zip(paths, form.start(langs, many=True), strict=True):
            with open(path, "rb") as f:
                found = f.read(len(head.encode("utf-8")))
            if found != head.encode("utf-8"):
                raise BialignError(
                    f"{path} was not started as {fmt!r} output with these languages (it "
                    f"begins {found[:40]!r}); resume with the format the run began with, or "
                    "rerun without --resume to start again"
                )
    with ExitStack() as stack:
        outs = [
            stack.enter_context(open(p, "r+b" if offsets is not None else "wb"))  # noqa: SIM115
            for p in paths
        ]
        # Rewritten on resume too: a line cut off by the kill must not stay in the middle.
        prog = stack.enter_context(open(checkpoint, "w", encoding="utf-8"))
        if offsets is not None:
            for out, offset in zip(outs, offsets, strict=True):
                out.truncate(offset)  # drop the pairs of a document that was cut off
                out.seek(offset)
            prog.write(json.dumps({"doc": done_upto, "offset": _sizes(offsets)}) + "\n")
            prog.flush()
        else:
            _put(outs, form.start(langs, many=True))
            _commit(outs, prog, -1)
        todo = (
            (k, doc_id, doc)
            for k, (doc_id, doc) in enumerate(read_jsonl_documents(source, where))
            if k > done_upto
        )
        ids: dict[int, str] = {}
        seen: set[str] = set()

        def docs() -> Iterator[object]:
            for k, doc_id, doc in todo:
                ids[k - done_upto - 1] = doc_id
                if doc_id in seen:  # both documents' pairs would go out under one id
                    print(f"bialign: warning: document id {doc_id} appears more than once; "
                          "its pairs cannot be told apart in the output", file=log)  # fmt: skip
                seen.add(doc_id)
                yield doc

        total = _count_documents(source)
        # A pipe delivers documents as they come: align each at once rather than wait for
        # more to embed together.
        run = align_many(
            docs(), opts, workers=workers, total=total, initial=done_upto + 1 if total else 0,
            read_ahead=AHEAD_SEGMENTS if _seekable(source) else 0,
        )  # fmt: skip
        for result in run:
            k = result.index + done_upto + 1
            doc_id = ids.pop(result.index)
            summary.documents += 1
            if result.corpus is None:
                summary.failed += 1
                why = result.error.for_cli() if result.error else "no result"
                print(f"bialign: document {doc_id} skipped: {why}", file=log)
            else:
                corpus = result.corpus
                if min_score is not None or min_confidence is not None:
                    corpus = corpus.filter(min_score, min_confidence=min_confidence)
                _put(outs, form.rows(corpus, doc_id))
                summary.pairs += len(corpus.pairs)
            _commit(outs, prog, k)
        _put(outs, form.end(langs))
        for out in outs:
            out.flush()
        prog.write(json.dumps({"done": True}) + "\n")
    return summary


def _put(outs: Sequence[IO[bytes]], parts: tuple[str, ...]) -> None:
    for out, text in zip(outs, parts, strict=True):
        out.write(text.encode())


def _sizes(offsets: list[int]) -> int | list[int]:
    """One file's size as a number (as for every format before Moses), several as a list."""
    return offsets[0] if len(offsets) == 1 else offsets


def _names(paths: tuple[Path, ...]) -> str:
    return " and ".join(str(p) for p in paths)


def _commit(outs: Sequence[IO[bytes]], prog: IO[str], k: int) -> None:
    sizes = []
    for out in outs:
        out.flush()
        os.fsync(out.fileno())
        sizes.append(out.tell())
    prog.write(json.dumps({"doc": k, "offset": _sizes(sizes)}) + "\n")
    prog.flush()


def _read_checkpoint(path: Path) -> tuple[int, list[int] | None, bool]:
    """(last finished document, output sizes after it, whether the run completed)."""
    if not path.exists():
        return -1, None, False
    last, offsets, finished = -1, None, False
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            break  # a line cut off by the kill: everything before it stands
        if rec.get("done"):
            finished = True
        elif "doc" in rec:
            sizes = rec["offset"] if isinstance(rec["offset"], list) else [rec["offset"]]
            last, offsets = int(rec["doc"]), [int(n) for n in sizes]
    return last, offsets, finished
