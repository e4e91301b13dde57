from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLE

from bialign import cli, formats


def test_cli_align_example_to_stdout(capsys) -> None:
    assert cli.main(["align", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["en\tes\tscore", out[1]]
    assert out[1].startswith("Posted on 05/02/2026 at 19:14\tPublicado el 05/02/2026 a las 19:14\t")


def test_cli_formats_to_files(tmp_path: Path) -> None:
    assert (
        cli.main(["align", str(EXAMPLE), "-o", str(tmp_path / "c.jsonl"), "--format", "jsonl"]) == 0
    )
    assert formats.read_jsonl(tmp_path / "c.jsonl")[0]["es"].startswith("Publicado")
    assert cli.main(["align", str(EXAMPLE), "-o", str(tmp_path / "c.tmx"), "--format", "tmx"]) == 0
    assert formats.read_tmx(tmp_path / "c.tmx")[0]["en"].startswith("Posted")
    assert cli.main(["align", str(EXAMPLE), "-o", str(tmp_path / "m"), "--format", "moses"]) == 0
    assert (tmp_path / "m.es").read_text(encoding="utf-8").startswith("Publicado")
    assert cli.main(["align", str(EXAMPLE), "--min-score", "5", "-o", str(tmp_path / "e.tsv")]) == 0
    assert formats.read_tsv(tmp_path / "e.tsv") == []


def test_cli_align_docs_and_stdin(tmp_path: Path, monkeypatch, capsys) -> None:
    (tmp_path / "es.txt").write_text("El gato duerme.\nEl perro ladra.\n", encoding="utf-8")
    monkeypatch.setattr(
        sys, "stdin", io.TextIOWrapper(io.BytesIO(b"The cat sleeps.\nThe dog barks.\n"))
    )
    assert cli.main(["align-docs", "-", str(tmp_path / "es.txt"), "--format", "jsonl"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(r["en"], r["es"]) for r in rows] == [
        ("The cat sleeps.", "El gato duerme."),
        ("The dog barks.", "El perro ladra."),
    ]


def test_cli_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9\n")
    proc = subprocess.run(
        [sys.executable, "-m", "bialign.cli", "align", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("bialign: error:") and "Traceback" not in proc.stderr
    assert "not valid UTF-8" in proc.stderr


def test_cli_removes_markup_unless_asked_to_keep_it(tmp_path: Path, capsys) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<p>The minister spoke on <b>Tuesday</b> about the budget.</p>\n"
        "<p>El ministro habl&oacute; el <b>martes</b> sobre el presupuesto.</p>\n",
        encoding="utf-8",
    )
    assert cli.main(["align", str(page), "--format", "jsonl"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (row["en"], row["es"]) == (
        "The minister spoke on Tuesday about the budget.",
        "El ministro habló el martes sobre el presupuesto.",
    )
    assert cli.main(["align", str(page), "--format", "jsonl", "--keep-markup"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["es"] == "<p>El ministro habl&oacute; el <b>martes</b> sobre el presupuesto.</p>"


def test_cli_names_an_output_it_cannot_write(tmp_path: Path, capsys) -> None:
    for command in (["align", str(EXAMPLE)], ["report", str(EXAMPLE)]):
        out = tmp_path / "missing-dir" / "out.txt"
        assert cli.main([*command, "-o", str(out)]) == 2
        assert f"cannot write {out}" in capsys.readouterr().err


def test_cli_attach_joins_a_folded_clause_unless_told_not_to(tmp_path: Path, data_dir) -> None:
    # Text+Berg dev: German 31-33 are one sentence split at two colons; the French
    # translation (line 68) is one sentence. The search pairs 31-32; attach adds 33.
    d = data_dir / "textberg_defr"
    args = ["align-docs", str(d / "dev.de"), str(d / "dev.fr"), "--langs", "de", "fr"]
    assert cli.main([*args, "-o", str(tmp_path / "on.tsv")]) == 0
    assert cli.main([*args, "--no-attach", "-o", str(tmp_path / "off.tsv")]) == 0
    de = (d / "dev.de").read_text(encoding="utf-8").splitlines()
    fr = (d / "dev.fr").read_text(encoding="utf-8").splitlines()

    def norm(text: str) -> str:  # bialign collapses runs of spaces
        return " ".join(text.split())

    def pairs(path: Path) -> set[tuple[str, str]]:
        rows = path.read_text(encoding="utf-8").splitlines()[1:]
        return {(norm(r.split("\t")[0]), norm(r.split("\t")[1])) for r in rows}

    on, off = pairs(tmp_path / "on.tsv"), pairs(tmp_path / "off.tsv")
    assert (norm(" ".join(de[31:34])), norm(fr[68])) in on
    assert (norm(" ".join(de[31:33])), norm(fr[68])) in off
