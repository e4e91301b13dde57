"""The ``bialign`` command line (argparse: standard library, no extra dependency)."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from . import formats
from .corpus import ParallelCorpus
from .errors import BialignError
from .pipeline import Aligner


def _read_arg(value: str) -> str | Path:
    if value == "-":
        data = sys.stdin.buffer.read()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BialignError(
                f"standard input is not valid UTF-8 (byte offset {exc.start})"
            ) from None
    return Path(value)


def _add_pipeline_options(p: argparse.ArgumentParser) -> None:
    """Options of the Aligner itself, shared by every command."""
    p.add_argument("--model", default=None, help="sentence-transformers model name or folder")
    p.add_argument("--langs", nargs=2, default=["en", "es"], metavar=("SRC", "TGT"))
    p.add_argument("--split", choices=["lines", "sentences"], default="lines")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument(
        "--keep-markup",
        action="store_true",
        help="keep HTML tags and entities as text (default: remove tags, decode entities)",
    )
    p.add_argument(
        "--no-attach",
        action="store_true",
        help="two documents: leave unaligned segments as the search left them (default: "
        "one next to a pair joins it when the joined text is a closer translation)",
    )


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", help="output file (for moses: a prefix); default stdout")
    p.add_argument("--format", choices=formats.FORMATS, default="tsv", help="output format")
    p.add_argument("--min-score", type=float, default=None, help="drop pairs scoring below S")
    _add_pipeline_options(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bialign", description="Align bilingual documents into a parallel corpus."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("align", help="find translation pairs in one mixed-language document")
    p.add_argument("file", help="UTF-8 text file, or - for standard input")
    _add_common(p)
    p = sub.add_parser("align-docs", help="align two monolingual documents")
    p.add_argument("src", help="source document (or -)")
    p.add_argument("tgt", help="target document")
    _add_common(p)
    p = sub.add_parser(
        "align-many",
        help="align every document of a JSONL file, writing pairs as it goes (resumable)",
        description=(
            'Each input line is {"id": .., "text": ..} (a mixed document) or '
            '{"id": .., "src": .., "tgt": ..} (two documents); a text is a string or a list '
            "of segments. Pairs are appended to OUTPUT after each document, and "
            "OUTPUT.progress records how far it is complete: rerun with --resume after an "
            "interruption to go on without losing or repeating a document."
        ),
    )
    p.add_argument("file", help="JSONL file of documents, or - for standard input")
    p.add_argument("-o", "--output", required=True, help="output file")
    p.add_argument("--format", choices=("jsonl", "tsv", "tmx"), default="jsonl")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run")
    p.add_argument("--workers", type=int, default=1, help="processes (each loads the encoder)")
    p.add_argument("--min-score", type=float, default=None, help="drop pairs scoring below S")
    _add_pipeline_options(p)
    p = sub.add_parser(
        "report",
        help="align, then write a self-contained HTML report to check by eye",
        description="One FILE: a mixed-language document. Two: source and target documents.",
    )
    p.add_argument("file", help="mixed document, or the source document when TGT is given")
    p.add_argument("tgt", nargs="?", help="target document (align two documents)")
    p.add_argument("-o", "--output", required=True, help="HTML file to write")
    p.add_argument("--plot", metavar="PNG", help="also save the similarity heat map here")
    p.add_argument("--title", default=None, help="report title (default: the file name)")
    _add_pipeline_options(p)
    return parser


def _report(corpus: ParallelCorpus, args: argparse.Namespace) -> None:
    names = [args.file] + ([args.tgt] if args.tgt else [])
    corpus.to_html(args.output, title=args.title or "bialign: " + " + ".join(names))
    if args.plot:
        corpus.plot(args.plot)


def _write(corpus: ParallelCorpus, args: argparse.Namespace) -> None:
    if args.min_score is not None:
        corpus = corpus.filter(args.min_score)
    if args.output:
        corpus.write(args.output, args.format)
        return
    out = sys.stdout
    if args.format == "tsv":
        formats.write_tsv_rows(out, corpus.pairs, corpus.langs, header=True)
    elif args.format == "jsonl":
        formats.write_jsonl_rows(out, corpus.pairs, corpus.langs)
    elif args.format == "tmx":
        tree = formats.tmx_tree(corpus.pairs, corpus.langs)
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        tree.write(out, encoding="unicode")
        out.write("\n")
    else:
        raise BialignError("--format moses writes two files: give -o PREFIX")


def _align_many(args: argparse.Namespace) -> int:
    from .batch import align_jsonl

    langs = (args.langs[0], args.langs[1])
    try:
        if args.file == "-":
            source = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig")
        else:
            source = open(args.file, encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        print(f"bialign: error: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        with source:
            summary = align_jsonl(
                source, Path(args.output), fmt=args.format, resume=args.resume,
                min_score=args.min_score, where=args.file, langs=langs, model=args.model,
                split=args.split, progress=args.progress, workers=args.workers,
                markup=not args.keep_markup, attach=not args.no_attach,
            )  # fmt: skip
    except UnicodeDecodeError as exc:
        print(f"bialign: error: {args.file} is not valid UTF-8 ({exc.reason})", file=sys.stderr)
        return 2
    except (BialignError, ValueError) as exc:
        print(f"bialign: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"bialign: error: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    print(
        f"bialign: {summary.documents} documents aligned ({summary.failed} skipped with an "
        f"error), {summary.pairs} pairs written to {args.output}"
        + (f"; {summary.skipped_done} done before" if summary.skipped_done else ""),
        file=sys.stderr,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "align-many":
        return _align_many(args)
    try:
        aligner = Aligner(
            langs=(args.langs[0], args.langs[1]),
            model=args.model,
            split=args.split,
            progress=args.progress,
            markup=not args.keep_markup,
            attach=not args.no_attach,
        )
        if args.command == "align" or (args.command == "report" and not args.tgt):
            corpus = aligner.align(_read_arg(args.file))
        elif args.command == "report":
            corpus = aligner.align_documents(_read_arg(args.file), _read_arg(args.tgt))
        else:
            corpus = aligner.align_documents(_read_arg(args.src), _read_arg(args.tgt))
        if args.command == "report":
            _report(corpus, args)
        else:
            _write(corpus, args)
    except BialignError as exc:
        print(f"bialign: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # the output: the input's errors are BialignErrors
        print(f"bialign: error: cannot write {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
    for warning in corpus.warnings:
        print(f"bialign: warning: {warning}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
