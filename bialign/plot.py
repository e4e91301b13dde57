"""The similarity heat map of an alignment, with its beads drawn over it (matplotlib).

Rows are the source-language stream, columns the target-language stream, in document
order. Long streams are max-pooled to at most ``max_cells`` per side, block by block, so
no full N x M matrix is ever built and a strong pair stays visible after downsampling.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import BialignError, require

if TYPE_CHECKING:  # pragma: no cover
    from .corpus import ParallelCorpus


def pool_factor(n: int, max_cells: int) -> int:
    """How many segments of a stream of n share one cell of the plot."""
    return max(1, -(-n // max_cells))


def pooled_similarity(src: np.ndarray, tgt: np.ndarray, max_cells: int) -> np.ndarray:
    """Cosine similarities of two normalised streams, max-pooled to at most
    ``max_cells`` x ``max_cells``; computed in row blocks to keep memory small."""
    fs, ft = pool_factor(len(src), max_cells), pool_factor(len(tgt), max_cells)
    rows, cols = -(-len(src) // fs), -(-len(tgt) // ft)
    out = np.full((rows, cols), -1.0, dtype=np.float32)
    for r in range(rows):
        block = src[r * fs : (r + 1) * fs] @ tgt.T  # fs x len(tgt)
        best = block.max(axis=0)
        pad = cols * ft - len(best)
        best = np.pad(best, (0, pad), constant_values=-1.0)
        out[r] = best.reshape(cols, ft).max(axis=1)
    return out


def plot_alignment(corpus: ParallelCorpus, path: str | Path, max_cells: int = 600) -> None:
    """Save the heat map of ``corpus`` to ``path`` (any format matplotlib writes)."""
    if corpus.src_embeddings is None or corpus.tgt_embeddings is None:
        raise BialignError(
            "this corpus carries no embeddings (it was read back from a file or built by "
            "hand); plot the corpus that align() or align_documents() returned"
        )
    matplotlib: Any = require("matplotlib", "plot", "ParallelCorpus.plot()")
    matplotlib.use("Agg")
    require("matplotlib.ticker", "plot", "ParallelCorpus.plot()")
    plt: Any = require("matplotlib.pyplot", "plot", "ParallelCorpus.plot()")

    src, tgt = corpus.src_embeddings, corpus.tgt_embeddings
    sim = pooled_similarity(src, tgt, max_cells)
    fs, ft = pool_factor(len(src), max_cells), pool_factor(len(tgt), max_cells)
    pos_s = {seg: k for k, seg in enumerate(corpus.src_stream)}
    pos_t = {seg: k for k, seg in enumerate(corpus.tgt_stream)}

    size = 4 + 6 * min(1.0, max(sim.shape) / 300)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    ext = (-0.5, len(tgt) - 0.5, len(src) - 0.5, -0.5)
    im = ax.imshow(sim, cmap="viridis", vmin=0.0, vmax=1.0, extent=ext, aspect="auto")
    fig.colorbar(im, ax=ax, label="cosine similarity (max-pooled)" if fs * ft > 1 else "cosine")

    for bead in corpus.beads:
        s = [pos_s[i] for i in bead.src if i in pos_s]
        t = [pos_t[j] for j in bead.tgt if j in pos_t]
        if s and t:
            ax.add_patch(
                plt.Rectangle(
                    (min(t) - 0.5, min(s) - 0.5),
                    len(t),
                    len(s),
                    fill=False,
                    edgecolor="#ff3030",
                    linewidth=1.0 if len(src) < 300 else 0.6,
                )
            )
    unal_s = [pos_s[i] for b in corpus.beads if not b.tgt for i in b.src if i in pos_s]
    unal_t = [pos_t[j] for b in corpus.beads if not b.src for j in b.tgt if j in pos_t]
    if unal_s:
        ax.scatter([-0.5] * len(unal_s), unal_s, marker=">", s=14, c="#ff8c00", clip_on=False)
    if unal_t:
        ax.scatter(unal_t, [-0.5] * len(unal_t), marker="v", s=14, c="#ff8c00", clip_on=False)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    a, b = corpus.langs
    ax.set_ylabel(f"{a} segments (stream order)")
    ax.set_xlabel(f"{b} segments (stream order)")
    note = f", pooled {fs}x{ft}" if fs * ft > 1 else ""
    ax.set_title(
        f"{len(corpus.pairs)} pair(s); red boxes: beads, orange marks: unaligned{note}",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
