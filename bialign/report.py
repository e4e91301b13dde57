"""A self-contained HTML report of one alignment, for checking a corpus by eye.

One file, no network: inline CSS, inline SVG for the histogram and a few lines of inline
JavaScript for the score filter. A Content-Security-Policy forbids anything external, and
every text goes through :func:`html.escape`, so a document holding ``<script>`` stays inert.

Rows follow the document: each bead sits where its first segment is, and ``und``
segments (which belong to no bead) are shown greyed in place. The colour band is the
bead's calibrated confidence (:attr:`bialign.Bead.confidence`), red below 0.5 through
green at 0.9 and above, the same meaning for every encoder with a profile. The first
column is the bead's index in ``corpus.beads`` (0-based), so a row can be looked up in
Python; the small grey number before each segment is its line in the input. The page
can be sorted worst-first, searched, and filtered by confidence or raw score; the
column headers stay visible while scrolling. The corpus signature heads the summary.
"""

from __future__ import annotations

import bisect
import html
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import Bead, ParallelCorpus, Segment

#: Scores on the histogram's axis: its colours at or below LOW are red, at or above HIGH
#: green (the raw score is the encoder's own scale; rows are coloured by confidence).
LOW, HIGH = 0.0, 0.6
#: Confidence mapped onto the rows' colour band: at or below CONF_LOW red, at or above
#: CONF_HIGH green.
CONF_LOW, CONF_HIGH = 0.5, 0.9

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .4em}
.top{display:flex;gap:2em;flex-wrap:wrap;align-items:flex-start;margin-bottom:1em}
table.summary td{padding:1px 10px 1px 0}
#controls{margin:.6em 0;padding:.5em;background:#f4f4f4;border-radius:4px}
table#beads{border-collapse:collapse;width:100%;table-layout:fixed}
#beads th{text-align:left;border-bottom:2px solid #999;padding:4px;position:sticky;top:0;
  background:#fff;z-index:1}
#beads td{vertical-align:top;padding:4px 6px;border-bottom:1px solid #e4e4e4}
#beads td.band{width:8px;padding:0;background:var(--band)}
#beads col.num{width:4.5em}#beads col.score{width:6em}#beads col.conf{width:6em}
#beads col.band{width:8px}
.sig{font-family:monospace;font-size:.85em;word-break:break-all}
.seg{white-space:pre-wrap;word-break:break-word}
.seg+.seg{margin-top:3px}
tr.multi td.side{border-left:3px solid #6a5acd}
tr.multi .seg{background:#f1efff;padding:1px 4px;border-radius:3px}
.kind{font-size:.8em;color:#555}
.ln{color:#999;font-size:.8em;margin-right:.4em}
tr.unaligned td{color:#999}
tr.und td{color:#aaa;font-style:italic;background:#fafafa}
tr.hidden{display:none}
#shown{margin-left:1.5em;color:#555}
"""

_JS = """
(function(){
  var box=document.getElementById('min-score');
  var conf=document.getElementById('min-confidence');
  var find=document.getElementById('search');
  var order=document.getElementById('order');
  var unal=document.getElementById('show-unaligned');
  var shown=document.getElementById('shown');
  var body=document.querySelector('#beads tbody');
  var all=Array.prototype.slice.call(body.rows);
  function num(x,dflt){var v=parseFloat(x); return isNaN(v)?dflt:v;}
  function apply(){
    var v=num(box.value,-Infinity), c=num(conf.value,-Infinity);
    var q=find.value.toLowerCase();
    var rows=document.querySelectorAll('#beads tr.pair'), n=0;
    for(var i=0;i<rows.length;i++){
      var r=rows[i];
      var hide=num(r.dataset.score,0)<v || num(r.dataset.confidence,0)<c ||
        (q && r.textContent.toLowerCase().indexOf(q)<0);
      r.classList.toggle('hidden',hide); if(!hide) n++;
    }
    var others=document.querySelectorAll('#beads tr.unaligned, #beads tr.und');
    for(var j=0;j<others.length;j++){
      var o=others[j];
      o.classList.toggle('hidden',!unal.checked || num(o.dataset.confidence,1)<c ||
        (q && o.textContent.toLowerCase().indexOf(q)<0));
    }
    shown.textContent=n+' of '+rows.length+' pairs shown';
  }
  function sort(){
    var rows=all.slice();
    if(order.value==='worst'){
      rows.sort(function(a,b){
        return num(a.dataset.confidence,2)-num(b.dataset.confidence,2) ||
          num(a.dataset.order,0)-num(b.dataset.order,0);});
    }
    for(var i=0;i<rows.length;i++) body.appendChild(rows[i]);
  }
  box.addEventListener('input',apply); conf.addEventListener('input',apply);
  find.addEventListener('input',apply); unal.addEventListener('change',apply);
  order.addEventListener('change',sort); apply();
})();
"""


def band_colour(score: float | None, low: float = LOW, high: float = HIGH) -> str:
    """A colour band: grey for None, red at or below ``low`` through green at ``high``."""
    if score is None:
        return "#d0d0d0"
    t = min(1.0, max(0.0, (score - low) / (high - low)))
    return f"hsl({round(120 * t)},65%,45%)"


def render_report(corpus: ParallelCorpus, title: str = "bialign report") -> str:
    """The report as one HTML string."""
    esc = html.escape
    a, b = corpus.langs
    pairs = corpus.pairs
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        '<div class="top">',
        _summary(corpus),
        _histogram([p.score for p in pairs]),
        "</div>",
        '<div id="controls"><label>Hide beads with confidence below '
        '<input id="min-confidence" type="number" step="0.05" min="0" max="1" size="5" '
        'placeholder="0-1"></label> <label>pairs with a raw score below '
        '<input id="min-score" type="number" step="0.01" size="6" placeholder="score">'
        '</label> <label>Search <input id="search" type="search" size="18"></label> '
        '<label>Order <select id="order"><option value="document">document</option>'
        '<option value="worst">worst first (confidence)</option></select></label> '
        '<label><input id="show-unaligned" type="checkbox" checked> '
        'show unaligned and und lines</label> <span id="shown"></span></div>',
        '<table id="beads"><colgroup><col class="band"><col class="num">'
        '<col><col><col class="conf"><col class="score"></colgroup>',
        '<thead><tr><th></th><th title="index in corpus.beads (0-based)">bead #</th>'
        f"<th>{esc(a)}</th><th>{esc(b)}</th><th>confidence</th><th>score</th></tr>"
        "</thead><tbody>",
    ]
    for row in _rows(corpus):
        parts.append(row)
    parts += ["</tbody></table>", f"<script>{_JS}</script>", "</body></html>"]
    return "\n".join(parts)


def write_report(corpus: ParallelCorpus, path: str | Path, title: str = "bialign report") -> None:
    Path(path).write_text(render_report(corpus, title), encoding="utf-8")


def _summary(corpus: ParallelCorpus) -> str:
    a, b = corpus.langs
    segs = corpus.src_segments if corpus.mixed else corpus.src_segments + corpus.tgt_segments
    per_lang = Counter(s.lang for s in segs)
    kinds = Counter(bead.kind for bead in corpus.beads)
    pairs = corpus.pairs
    mean = sum(p.score for p in pairs) / len(pairs) if pairs else float("nan")
    rows = [
        ("signature", corpus.signature or "-"),
        ("numbering", "bead # = index in corpus.beads (0-based); grey numbers = input lines"),
        ("segments", ", ".join(f"{lang}: {per_lang.get(lang, 0)}" for lang in (a, b, "und"))),
        ("pairs", str(len(pairs))),
        ("beads", str(len(corpus.beads))),
        ("bead types", ", ".join(f"{k}: {n}" for k, n in sorted(kinds.items()))),
        ("mean pair score", f"{mean:.3f}" if pairs else "-"),
    ]
    cells = "".join(
        f'<tr><td>{html.escape(k)}</td><td id="sum-{k.replace(" ", "-")}"'
        f"{' class=sig' if k == 'signature' else ''}>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f'<table class="summary">{cells}</table>'


def _histogram(scores: list[float], bins: int = 20, width: int = 360, height: int = 120) -> str:
    """Pair scores as an inline SVG bar chart."""
    if not scores:
        return '<svg id="histogram" width="0" height="0"></svg>'
    lo, hi = min(min(scores), LOW), max(max(scores), HIGH)
    step = (hi - lo) / bins
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, int((s - lo) / step))] += 1
    top = max(counts)
    bar_w = width / bins
    plot_h = height - 18
    rects = []
    for k, c in enumerate(counts):
        h = plot_h * c / top
        centre = lo + (k + 0.5) * step
        rects.append(
            f'<rect x="{k * bar_w:.1f}" y="{plot_h - h:.1f}" width="{bar_w - 1:.1f}" '
            f'height="{h:.1f}" fill="{band_colour(centre)}"><title>{lo + k * step:.2f}'
            f"-{lo + (k + 1) * step:.2f}: {c}</title></rect>"
        )
    labels = (
        f'<text x="0" y="{height - 4}" font-size="11">{lo:.2f}</text>'
        f'<text x="{width}" y="{height - 4}" font-size="11" text-anchor="end">{hi:.2f}</text>'
        f'<text x="{width / 2}" y="{height - 4}" font-size="11" text-anchor="middle">'
        "pair score</text>"
    )
    return (
        f'<svg id="histogram" width="{width}" height="{height}" role="img" '
        f'aria-label="histogram of pair scores">{"".join(rects)}{labels}</svg>'
    )


def _rows(corpus: ParallelCorpus) -> list[str]:
    """Bead rows and ``und`` rows, merged in document order."""
    keyed: list[tuple[float, int, str]] = []
    used_src = _used(corpus)
    und_src = [s for s in corpus.src_segments if s.lang == "und" and s.index not in used_src]
    if corpus.mixed:
        for n, bead in enumerate(corpus.beads):
            keyed.append((min((*bead.src, *bead.tgt)), 0, _bead_row(corpus, n, bead)))
        keyed += [(s.index, 1, _und_row(s, "")) for s in und_src]
    else:
        # Beads are monotone on both sides: place an und segment before the first bead
        # that reaches past it on its own side.
        last_src, last_tgt = [], []
        hi_s = hi_t = -1
        for n, bead in enumerate(corpus.beads):
            hi_s = max(hi_s, *bead.src) if bead.src else hi_s
            hi_t = max(hi_t, *bead.tgt) if bead.tgt else hi_t
            last_src.append(hi_s)
            last_tgt.append(hi_t)
            keyed.append((n, 0, _bead_row(corpus, n, bead)))
        used = _used(corpus, side="tgt")
        und_tgt = [s for s in corpus.tgt_segments if s.lang == "und" and s.index not in used]
        for segs, last, label in ((und_src, last_src, "src"), (und_tgt, last_tgt, "tgt")):
            for s in segs:
                keyed.append((bisect.bisect_left(last, s.index) - 0.5, 1, _und_row(s, label)))
    keyed.sort(key=lambda x: (x[0], x[1]))
    return [row for _, _, row in keyed]


def _used(corpus: ParallelCorpus, side: str = "src") -> set[int]:
    if corpus.mixed:
        return {i for bead in corpus.beads for i in (*bead.src, *bead.tgt)}
    return {i for bead in corpus.beads for i in (bead.src if side == "src" else bead.tgt)}


def _cell(segs: list[Segment], idx: tuple[int, ...]) -> str:
    return "".join(
        f'<div class="seg" data-i="{i}"><span class="ln">{segs[i].line}</span>'
        f"{html.escape(segs[i].text)}</div>"
        for i in idx
    )


def _bead_row(corpus: ParallelCorpus, n: int, bead: Bead) -> str:
    pair = bead.is_pair
    classes = ["bead", "pair" if pair else "unaligned"]
    if len(bead.src) > 1 or len(bead.tgt) > 1:
        classes.append("multi")
    data = f' data-score="{bead.score:.4f}"' if pair else ""
    shown = f"{bead.score:.3f}" if pair else ""
    conf = bead.confidence
    if conf is not None:
        data += f' data-confidence="{conf:.4f}"'
    colour = band_colour(conf, CONF_LOW, CONF_HIGH) if conf is not None else band_colour(None)
    return (
        f'<tr class="{" ".join(classes)}" data-kind="{bead.kind}" data-order="{n}"{data} '
        f'style="--band:{colour}"><td class="band"></td>'
        f'<td>{n}<div class="kind">{bead.kind}</div></td>'
        f'<td class="side src">{_cell(corpus.src_segments, bead.src)}</td>'
        f'<td class="side tgt">{_cell(corpus.tgt_segments, bead.tgt)}</td>'
        f'<td class="conf">{"" if conf is None else f"{conf:.2f}"}</td>'
        f'<td class="score">{shown}</td></tr>'
    )


def _und_row(seg: Segment, side: str) -> str:
    where = f" ({side})" if side else ""
    return (
        f'<tr class="und" data-i="{seg.index}" data-order="-1"><td class="band"></td>'
        f'<td><div class="kind">und{where}</div></td>'
        f'<td colspan="2"><div class="seg"><span class="ln">{seg.line}</span>'
        f"{html.escape(seg.text)}</div></td><td></td><td></td></tr>"
    )
