from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLE

import bialign
import bialign.io as bio
from bialign import cli


def test_cli_align_example_to_stdout(capsys) -> None:
    assert cli.main(["align", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["en\tes\tscore\tconfidence", out[1]]
    assert out[1].startswith("Posted on 05/02/2026 at 19:14\tPublicado el 05/02/2026 a las 19:14\t")


def test_cli_formats_to_files(tmp_path: Path) -> None:
    assert (
        cli.main(["align", str(EXAMPLE), "-o", str(tmp_path / "c.jsonl"), "--format", "jsonl"]) == 0
    )
    assert bio.read_pairs("jsonl", tmp_path / "c.jsonl")[0][1].startswith("Publicado")
    assert cli.main(["align", str(EXAMPLE), "-o", str(tmp_path / "c.tmx"), "--format", "tmx"]) == 0
    assert bio.read_pairs("tmx", tmp_path / "c.tmx")[0][0].startswith("Posted")
    assert cli.main(["align", str(EXAMPLE), "-o", str(tmp_path / "m"), "--format", "moses"]) == 0
    assert (tmp_path / "m.es").read_text(encoding="utf-8").startswith("Publicado")
    assert cli.main(["align", str(EXAMPLE), "--min-score", "5", "-o", str(tmp_path / "e.tsv")]) == 0
    assert bio.read_pairs("tsv", tmp_path / "e.tsv") == []


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


def test_stdin_is_decoded_as_a_file_is(monkeypatch, capsys) -> None:
    """A page on standard input is read in the encoding its <meta charset> declares, as
    the same page given by path; undecodable bytes name their offset and line."""
    page = (
        '<html><head><meta charset="iso-8859-1"><title>t</title></head><body>'
        "<p>The president arrived in Madrid on Monday for a two-day visit.</p>"
        "<p>El presidente llegó a Madrid el lunes para una visita de dos días.</p>"
        "</body></html>"
    ).encode("cp1252")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(page)))
    assert cli.main(["align", "-", "--format", "jsonl"]) == 0
    row = json.loads(capsys.readouterr().out.splitlines()[0])
    assert row["es"] == "El presidente llegó a Madrid el lunes para una visita de dos días."
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Hola caf\xe9\n")))
    assert cli.main(["align", "-"]) == 2
    assert "standard input is not valid UTF-8: byte 0xe9 at offset 8" in capsys.readouterr().err


def test_cli_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9\n")
    proc = subprocess.run(
        [sys.executable, "-m", "bialign.cli", "align", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("bialign: error:") and "Traceback" not in proc.stderr
    assert "not valid UTF-8" in proc.stderr


def test_python_m_bialign_is_the_command_line() -> None:
    """``python -m bialign`` runs the same command line as the ``bialign`` script."""
    proc = subprocess.run(
        [sys.executable, "-m", "bialign", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("bialign ")


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


# -- a command line that explains itself ------------------------------------------------

COMMANDS = ("align", "align-docs", "align-many", "report", "demo")


def test_version_names_the_version_and_the_distribution(capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"bialign {bialign.__version__} (bialign-corpus)"


def test_every_help_page_gives_defaults_and_examples(capsys) -> None:
    for command in COMMANDS:
        with pytest.raises(SystemExit):
            cli.main([command, "--help"])
        page = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
        assert "examples: bialign " in page, command
        for option in ("--langs", "--split", "--progress", "--model", "--min-score"):
            if command == "demo" or (command == "report" and option == "--min-score"):
                continue
            helptext = page.split(option, 2)[-1][:400]
            assert "default" in helptext.lower(), (command, option)
        assert ("--no-attach" in page) == (command in ("align-docs", "align-many", "report"))
    with pytest.raises(SystemExit):
        cli.main(["align", "--help"])
    page = " ".join(capsys.readouterr().out.split())
    assert "about 0 for unrelated text" in page  # the score's scale, not just a number
    assert "Universal Sentence Encoder" in page  # the default model, named


def test_messages_name_commands_and_files(tmp_path: Path, capsys) -> None:
    english = tmp_path / "en.txt"
    english.write_text("The cat sleeps in the house.\nThe dog barks at night.\n")
    assert cli.main(["align", str(english)]) == 2
    err = capsys.readouterr().err
    assert "bialign align-docs SRC TGT" in err and "align_documents" not in err
    empty = tmp_path / "empty.txt"
    empty.write_text("\n  \n")
    assert cli.main(["align-docs", str(english), str(empty)]) == 2
    assert f"tgt ({empty}) has no text" in capsys.readouterr().err
    binary = tmp_path / "photo.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    assert cli.main(["align", str(binary)]) == 2
    err = capsys.readouterr().err
    assert f"{binary} is a binary file (a PNG image)" in err and "latin1" not in err


def test_swapped_documents_warn_once_and_keep_the_columns(tmp_path: Path, capsys) -> None:
    (tmp_path / "en.txt").write_text("The cat sleeps in the house.\nThe dog barks at night.\n"
                                     "The house is very big.\n")  # fmt: skip
    (tmp_path / "es.txt").write_text("El gato duerme en la casa.\nEl perro ladra por la noche.\n"
                                     "La casa es muy grande.\n")  # fmt: skip
    args = ["align-docs", str(tmp_path / "es.txt"), str(tmp_path / "en.txt"), "--format", "jsonl"]
    assert cli.main(args) == 0
    captured = capsys.readouterr()
    rows = [json.loads(x) for x in captured.out.splitlines()]
    assert rows[0]["en"] == "The cat sleeps in the house."
    assert captured.err.count("other way round") == 1


def test_json_output_holds_every_segment_and_bead(tmp_path: Path) -> None:
    out = tmp_path / "doc.json"
    assert cli.main(["align", str(EXAMPLE), "--format", "json", "-o", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["langs"] == ["en", "es"] and doc["mixed"] is True
    assert [s["lang"] for s in doc["segments"]].count("es") == 2
    unaligned = [b for b in doc["beads"] if not (b["src"] and b["tgt"])]
    pairs = [b for b in doc["beads"] if b["src"] and b["tgt"]]
    assert len(pairs) == 1 and len(unaligned) == len(doc["beads"]) - 1 > 10


def test_align_many_counts_what_it_says_and_shows_a_total(tmp_path: Path) -> None:
    docs = tmp_path / "docs.jsonl"
    good = {"text": "The cat sleeps.\nEl gato duerme."}
    docs.write_text("\n".join(json.dumps({"id": str(k), **good}) for k in range(3))
                    + '\n{"id": "bad", "text": ""}\n')  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "bialign.cli", "align-many", str(docs), "-o",
         str(tmp_path / "p.jsonl"), "--progress"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "3 documents aligned, 1 skipped with an error; 3 pairs" in proc.stderr
    assert "4/4" in proc.stderr  # the bar knows the total, so it can give an ETA


def test_ctrl_c_in_align_many_is_one_line_and_resumes(tmp_path: Path, ctrl_c) -> None:
    docs = tmp_path / "docs.jsonl"
    text = "The cat sleeps in the house.\nEl gato duerme en la casa."
    docs.write_text("".join(json.dumps({"id": str(k), "text": text}) + "\n" for k in range(400)))
    out = tmp_path / "p.jsonl"
    cmd = [sys.executable, "-m", "bialign.cli", "align-many", str(docs), "-o", str(out)]
    progress = Path(f"{out}.progress")
    line = ctrl_c(cmd, lambda: progress.exists() and '"doc": 1,' in progress.read_text())
    done = int(line.split("interrupted after ")[1].split()[0])
    assert 2 <= done < 400 and "--resume" in line
    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done} done by an earlier run" in resumed.stderr
    ids = [json.loads(x)["doc"] for x in out.read_text().splitlines()]
    assert ids == [str(k) for k in range(400)]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("p.tmx", "tmx"),
        ("p.jsonl", "jsonl"),
        ("p.json", "json"),
        ("p.TSV", "tsv"),
        ("p.txt", "tsv"),
    ],
)
def test_the_output_format_follows_the_file_extension(tmp_path: Path, name: str, fmt: str) -> None:
    assert cli.main(["align", str(EXAMPLE), "-o", str(tmp_path / name)]) == 0
    head = (tmp_path / name).read_text(encoding="utf-8")[:40]
    expected = {"tmx": "<?xml", "jsonl": '{"en"', "json": "{", "tsv": "en\tes\tscore"}[fmt]
    assert head.startswith(expected)


def test_an_explicit_format_wins_over_the_extension(tmp_path: Path) -> None:
    assert cli.main(["align", str(EXAMPLE), "-o", str(tmp_path / "p.tmx"), "--format", "tsv"]) == 0
    assert (tmp_path / "p.tmx").read_text(encoding="utf-8").startswith("en\tes\tscore")


@pytest.mark.parametrize("value", ["1.5", "-0.1", "high"])
def test_min_confidence_must_be_a_probability(value: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["align", str(EXAMPLE), "--min-confidence", value])
    assert exit_info.value.code == 2
    assert "--min-confidence" in capsys.readouterr().err


def test_only_one_document_can_come_from_standard_input(capsys) -> None:
    assert cli.main(["align-docs", "-", "-"]) == 2
    assert "only one document can be -" in capsys.readouterr().err


def test_an_unknown_language_code_is_named(capsys) -> None:
    assert cli.main(["align", str(EXAMPLE), "--langs", "en", "xx"]) == 2
    err = capsys.readouterr().err
    assert "the language code(s) 'xx' (" in err


def test_output_dash_is_standard_output(capsys) -> None:
    assert cli.main(["align", str(EXAMPLE), "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("en\tes\tscore\tconfidence\n")
    assert not Path("-").exists()
