"""Many documents: align_many (in order, workers), and the resumable `bialign align-many`."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import bialign
from bialign.batch import align_jsonl
from bialign.io.tmx import read_units as read_tmx

CLI = [sys.executable, "-m", "bialign.cli"]


def _docs(flores: tuple[list[str], list[str]], count: int) -> list[dict[str, object]]:
    """Mixed documents of five English lines then their Spanish, a pair, and two bad ones."""
    en, es = flores
    docs: list[dict[str, object]] = []
    for k in range(count):
        a, b = en[(5 * k) % 1000 :][:5], es[(5 * k) % 1000 :][:5]
        if k == 3:
            docs.append({"id": f"p{k}", "src": a, "tgt": b})
        elif k == 5:
            docs.append({"id": f"en-only{k}", "text": "\n".join(a)})
        else:
            docs.append({"id": f"d{k}", "text": "\n".join(a + b)})
    return docs


def _write_jsonl(path: Path, docs: list[dict[str, object]], broken_line: int = 2) -> None:
    lines = [json.dumps(d, ensure_ascii=False) for d in docs]
    lines.insert(broken_line, '{"id": "broken"')  # not JSON: reported, the run goes on
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_align_many_in_order_with_errors_and_two_workers(
    flores: tuple[list[str], list[str]],
) -> None:
    docs = [d.get("text") or (d["src"], d["tgt"]) for d in _docs(flores, 8)]
    one = list(bialign.align_many(docs, progress=False))
    assert [r.index for r in one] == list(range(8))
    assert isinstance(one[5].error, bialign.LanguageError) and one[5].corpus is None
    two = list(bialign.align_many(iter(docs), workers=2, progress=False))
    assert [r.index for r in two] == list(range(8))

    def pairs(rs: list[bialign.Result]) -> list[object]:
        return [[(p.src, p.tgt, round(p.score, 5)) for p in r.corpus.pairs] if r.corpus else
                type(r.error).__name__ for r in rs]  # fmt: skip

    assert pairs(two) == pairs(one)
    assert sum(len(r.corpus.pairs) for r in one if r.corpus) >= 30
    with pytest.raises(ValueError, match="workers"):
        list(bialign.align_many(docs, workers=0))


def test_align_jsonl_formats_and_the_bad_lines(
    tmp_path: Path, flores: tuple[list[str], list[str]]
) -> None:
    src = tmp_path / "docs.jsonl"
    _write_jsonl(src, _docs(flores, 6))
    log = tmp_path / "log.txt"
    out = tmp_path / "pairs.jsonl"
    with src.open(encoding="utf-8") as f, log.open("w") as errors:
        summary = align_jsonl(f, out, on_error_log=errors, progress=False)
    assert (summary.documents, summary.failed) == (7, 2)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert summary.pairs == len(rows) >= 15
    assert [r["doc"] for r in rows] == sorted(
        (r["doc"] for r in rows), key=["d0", "d1", "d2", "p3", "d4"].index
    )
    assert {r["doc"] for r in rows} == {"d0", "d1", "d2", "p3", "d4"}
    assert "line 3: not JSON" in log.read_text() and "en-only5" in log.read_text()
    for fmt in ("tsv", "tmx"):
        path = tmp_path / f"pairs.{fmt}"
        with src.open(encoding="utf-8") as f:
            align_jsonl(f, path, fmt=fmt, on_error_log=log.open("w"), progress=False)
        if fmt == "tsv":
            lines = path.read_text(encoding="utf-8").splitlines()
            assert lines[0] == "doc\ten\tes\tscore\tconfidence" and len(lines) == len(rows) + 1
        else:
            units = read_tmx(path)
            assert [u["en"] for u in units] == [r["en"] for r in rows]


def _progress_docs(path: Path) -> int:
    if not path.exists():
        return 0
    return sum('"doc"' in line for line in path.read_text().splitlines())


def _wait_for_progress(path: Path, records: int, poll: float) -> int:
    """Poll the progress file until it holds ``records`` records (or two minutes pass)."""
    deadline = time.monotonic() + 120
    while _progress_docs(path) < records and time.monotonic() < deadline:
        time.sleep(poll)
    return _progress_docs(path)


@pytest.mark.parametrize("fmt", ["jsonl", "tmx"])
def test_killed_run_resumes_without_losses_or_duplicates(
    tmp_path: Path, flores: tuple[list[str], list[str]], fmt: str
) -> None:
    docs = _docs(flores, 12)
    src = tmp_path / "docs.jsonl"
    _write_jsonl(src, docs)
    whole = tmp_path / f"whole.{fmt}"
    cmd = [*CLI, "align-many", "-", "--format", fmt, "--no-progress", "-o"]
    subprocess.run([*cmd, str(whole)], input=src.read_bytes(), check=True,
                   capture_output=True, cwd=tmp_path)  # fmt: skip

    # Feed six documents through a pipe, wait until all are committed, kill the process
    # while it waits for the next one, then fake a document cut off halfway through
    # being written: half its bytes in the output, half a line in the progress file.
    out = tmp_path / f"resumed.{fmt}"
    proc = subprocess.Popen([*cmd, str(out)], stdin=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=tmp_path)  # fmt: skip
    assert proc.stdin is not None
    lines = src.read_bytes().splitlines(keepends=True)
    proc.stdin.write(b"".join(lines[:6]))
    proc.stdin.flush()
    progress = Path(f"{out}.progress")
    assert _wait_for_progress(progress, 7, poll=0.05) == 7  # header + 6 docs
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with out.open("ab") as f:
        f.write(b'{"doc": "d9", "en": "half a do' if fmt == "jsonl" else b"    <tu><pr")
    with progress.open("a") as f:
        f.write('{"doc": 6, "off')

    done = subprocess.run([*cmd, str(out), "--resume"], input=src.read_bytes(),
                          capture_output=True, cwd=tmp_path, check=True)  # fmt: skip
    assert b"done by an earlier run" in done.stderr
    assert out.read_bytes() == whole.read_bytes()
    # The progress file was rewritten: no cut-off line is left in it.
    assert all(json.loads(line) for line in progress.read_text().splitlines())
    if fmt == "tmx":
        assert len(read_tmx(out)) == len(read_tmx(whole)) > 20
    # Run once more: the progress file says the run is complete, so nothing changes.
    subprocess.run([*cmd, str(out), "--resume"], input=src.read_bytes(),
                   capture_output=True, cwd=tmp_path, check=True)  # fmt: skip
    assert out.read_bytes() == whole.read_bytes()


def test_a_real_kill_at_any_moment_still_resumes(
    tmp_path: Path, flores: tuple[list[str], list[str]]
) -> None:
    src = tmp_path / "docs.jsonl"
    _write_jsonl(src, _docs(flores, 60))
    whole, out = tmp_path / "whole.jsonl", tmp_path / "out.jsonl"
    cmd = [*CLI, "align-many", str(src), "--no-progress", "-o"]
    subprocess.run([*cmd, str(whole)], check=True, capture_output=True)
    proc = subprocess.Popen([*cmd, str(out)], stderr=subprocess.DEVNULL)
    progress = Path(f"{out}.progress")
    _wait_for_progress(progress, 10, poll=0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    subprocess.run([*cmd, str(out), "--resume"], check=True, capture_output=True)
    assert out.read_bytes() == whole.read_bytes()


def test_resume_refuses_when_the_output_is_gone(
    tmp_path: Path, flores: tuple[list[str], list[str]]
) -> None:
    src = tmp_path / "docs.jsonl"
    _write_jsonl(src, _docs(flores, 2))
    out = tmp_path / "out.jsonl"
    Path(f"{out}.progress").write_text('{"doc": -1, "offset": 0}\n{"doc": 0, "offset": 500}\n')
    with src.open(encoding="utf-8") as f, pytest.raises(bialign.BialignError, match="missing"):
        align_jsonl(f, out, resume=True, progress=False)


def test_align_many_writes_moses_and_resumes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Moses is two files: align-many appends to both, and a resume cuts both back."""
    import bialign.io as bio
    from bialign import batch
    from bialign.cli import main

    def fake_align_many(
        docs: Iterable[object], options: object = None, /, **kw: object
    ) -> Iterator[batch.Result]:
        # Each document is a list of segments, English then Spanish, one pair per two.
        for k, doc in enumerate(docs):
            if isinstance(doc, Exception):
                yield batch.Result(k, None, doc)  # type: ignore[arg-type]
                continue
            segs = list(doc)  # type: ignore[call-overload]
            beads = [bialign.Bead((i,), (i,), a, b, 0.5) for i, (a, b) in
                     enumerate(zip(segs[0::2], segs[1::2], strict=True))]  # fmt: skip
            yield batch.Result(k, bialign.ParallelCorpus(beads, [], [], ("en", "es")))

    monkeypatch.setattr(batch, "align_many", fake_align_many)
    docs = [[f"one {k}\ttab", f"uno {k}\nline", f"two {k} <&>", f"dos {k}\\"] for k in range(5)]
    src = tmp_path / "docs.jsonl"
    lines = [json.dumps({"id": f"d{k}", "text": d}) for k, d in enumerate(docs)]
    src.write_text("\n".join(lines[:2] + ["not json"] + lines[2:]) + "\n", encoding="utf-8")
    cmd = ["align-many", str(src), "--format", "moses", "--no-progress", "-o"]
    assert main([*cmd, str(tmp_path / "whole")]) == 0
    assert "not JSON" in capsys.readouterr().err
    pairs = [(d[i], d[i + 1]) for d in docs for i in (0, 2)]
    assert bio.read_pairs("moses", tmp_path / "whole") == pairs
    whole = [(tmp_path / f"whole.{lang}").read_bytes() for lang in ("en", "es")]

    # A run killed while writing its fourth document: two documents and the bad line
    # recorded, half a line more in each file, a cut-off record in the progress file.
    out = tmp_path / "out"
    progress = Path(f"{out}.progress")
    assert main([*cmd, str(out)]) == 0
    kept = progress.read_text().splitlines()[:4]  # header, d0, d1, the bad line
    progress.write_text("\n".join(kept) + '\n{"doc": 3, "off')
    for lang in ("en", "es"):
        with open(f"{out}.{lang}", "ab") as f:
            f.write(b"half a li")
    assert main([*cmd, str(out), "--resume"]) == 0
    assert [(tmp_path / f"out.{lang}").read_bytes() for lang in ("en", "es")] == whole
    assert "done by an earlier run" in capsys.readouterr().err


def test_cli_names_an_output_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bialign.cli import main

    src = tmp_path / "docs.jsonl"
    src.write_text('{"id": "a", "text": "Hello there.\\nHola."}\n', encoding="utf-8")
    out = tmp_path / "no-such-dir" / "out.jsonl"
    assert main(["align-many", str(src), "-o", str(out), "--no-progress"]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_align_many_embeds_the_next_documents_in_one_call(
    flores: tuple[list[str], list[str]],
) -> None:
    """Read ahead: the segments of several document pairs go to the encoder together (the
    default encoder is about twice as fast that way), and the pairs are those of one
    document at a time."""
    from bialign.embed import load_embedder

    inner = load_embedder(None)
    calls: list[int] = []

    class Counting:
        name = inner.name  # keeps the default encoder's profile

        def encode(self, texts: list[str]):  # type: ignore[no-untyped-def]
            calls.append(len(texts))
            return inner.encode(texts)

    en, es = flores
    pairs = [(en[k : k + 6], es[k : k + 6]) for k in range(0, 60, 6)]

    def run(read_ahead: int) -> list[list[tuple[str, str]]]:
        calls.clear()
        results = bialign.align_many(pairs, model=Counting(), progress=False, read_ahead=read_ahead)
        return [[(p.src_text, p.tgt_text) for p in r.corpus.pairs] for r in results if r.corpus]

    together = run(read_ahead=4096)
    first_call = calls[0]
    assert first_call == len(set(en[:60]) | set(es[:60]))  # every segment of all ten pairs
    one_by_one = run(read_ahead=0)
    assert len(calls) >= len(pairs)
    assert together == one_by_one and len(together) == len(pairs)


@pytest.mark.parametrize(
    ("begun", "fmt"),
    [
        ('{"doc": "d0", "en": "a", "es": "b"}\n', "tsv"),  # begun as JSONL, resumed as TSV
        ("doc\ten\tes\tscore\nd0\ta\tb\t0.5\n", "tsv"),  # a TSV of bialign 0.2.0
    ],
)
def test_resume_refuses_an_output_begun_in_another_format(
    tmp_path: Path, flores: tuple[list[str], list[str]], begun: str, fmt: str
) -> None:
    src = tmp_path / "docs.jsonl"
    _write_jsonl(src, _docs(flores, 2))
    out = tmp_path / "out.tsv"
    out.write_text(begun, encoding="utf-8")
    size = len(begun.encode())
    Path(f"{out}.progress").write_text(f'{{"doc": 0, "offset": {size}}}\n')
    with src.open(encoding="utf-8") as f, pytest.raises(bialign.BialignError, match="not started"):
        align_jsonl(f, out, fmt=fmt, resume=True, progress=False)
    assert out.read_text(encoding="utf-8") == begun, "left as it was"


def test_a_cache_folder_sqlite_cannot_use_stops_the_run_at_once(tmp_path: Path) -> None:
    (tmp_path / "embeddings.sqlite").mkdir()  # a folder where the file should be
    with pytest.raises(bialign.InputError, match="cannot use the cache file"):
        bialign.align_many([["The cat.", "El gato."]], cache_dir=tmp_path)
    with pytest.raises(bialign.InputError, match="cannot use the cache file"):
        bialign.Aligner(cache_dir=tmp_path)


def test_a_repeated_document_id_is_reported(tmp_path: Path) -> None:
    import io

    lines = [{"id": "a", "text": "The cat sleeps.\nEl gato duerme."},
             {"id": "a", "text": "The dog barks.\nEl perro ladra."}]  # fmt: skip
    log = io.StringIO()
    source = io.StringIO("".join(json.dumps(x) + "\n" for x in lines))
    align_jsonl(source, tmp_path / "out.jsonl", progress=False, on_error_log=log)
    assert log.getvalue().count("document id a appears more than once") == 1
