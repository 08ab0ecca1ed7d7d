"""Fine-tuning the top of the pair encoder (torch; imported only when training).

Why only the top: on 2 CPU cores a full MiniLM fine-tune runs at ~15 pairs/s. The bottom
``n_frozen`` layers are kept as bundled, computed once per pair in numpy
(:meth:`PairEncoder.frozen_states`), and only the top layers and a linear head are
trained on those cached states, several times faster, and the shipped file holds only
the trained part. Deterministic: one seed drives the head's initialisation, dropout and
batch order; the same seed on the same machine gives the same weights.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .encoder import LABELS, PairEncoder, _base_weights


@dataclass(frozen=True)
class TrainConfig:
    """Fine-tuning settings (recorded in every model card).

    n_frozen: bottom MiniLM layers kept frozen (of 6); the rest and the head are trained.
    max_length: word pieces per (target, text) pair; the text is truncated.
    epochs, batch_size, lr (top layers), head_lr, weight_decay, warmup (fraction of steps),
    dropout (on the pooled vector): the usual. seed: head init, dropout and batch order.
    device: 'auto' (CUDA where available, else CPU), 'cpu' or 'cuda'.
    precision: 'bf16' runs the forward/backward under bfloat16 autocast (about 2x faster on
        CPUs with AVX512-BF16, same results run to run); the weights stay float32.
    """

    n_frozen: int = 4
    max_length: int = 160
    epochs: float = 2.0
    batch_size: int = 32
    lr: float = 2e-4
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    dropout: float = 0.1
    seed: int = 0
    device: str = "auto"
    precision: str = "bf16"

    def __post_init__(self) -> None:
        if self.device not in ("auto", "cpu", "cuda"):
            raise ValueError(f"device must be one of auto, cpu, cuda; got {self.device!r}")
        if self.precision not in ("bf16", "fp32"):
            raise ValueError(f"precision must be one of bf16, fp32; got {self.precision!r}")
        if not 0 <= self.n_frozen <= 6:
            raise ValueError(f"n_frozen must be in 0..6, got {self.n_frozen}")
        if self.epochs <= 0 or self.batch_size < 1 or self.lr <= 0 or self.head_lr <= 0:
            raise ValueError("epochs, batch_size, lr and head_lr must be positive")

    def as_dict(self) -> dict:
        return asdict(self)


def _torch_net(init: dict[str, np.ndarray], config: TrainConfig, n_layers: int = 6):
    """The trainable top as a torch module, initialised from ``init`` (HF tensor names)."""
    import torch
    from torch import nn

    hidden, heads = 384, 12

    class Layer(nn.Module):
        def __init__(self, i: int) -> None:
            super().__init__()
            self.i = i
            self.q, self.k, self.v = (nn.Linear(hidden, hidden) for _ in range(3))
            self.o = nn.Linear(hidden, hidden)
            self.ln1, self.ln2 = nn.LayerNorm(hidden, eps=1e-12), nn.LayerNorm(hidden, eps=1e-12)
            self.f1, self.f2 = nn.Linear(hidden, 4 * hidden), nn.Linear(4 * hidden, hidden)

        def forward(self, x, bias):
            b, n, _ = x.shape

            def split(t):
                return t.view(b, n, heads, hidden // heads).transpose(1, 2)

            q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hidden // heads) + bias, -1)
            ctx = (att @ v).transpose(1, 2).reshape(b, n, hidden)
            x = self.ln1(self.o(ctx) + x)
            return self.ln2(self.f2(nn.functional.gelu(self.f1(x))) + x)

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList(Layer(i) for i in range(config.n_frozen, n_layers))
            self.drop = nn.Dropout(config.dropout)
            self.head = nn.Linear(hidden, len(LABELS))

        def forward(self, x, mask):
            bias = (~mask)[:, None, None, :].to(x.dtype) * -1e9
            for layer in self.layers:
                x = layer(x, bias)
            m = mask[..., None].to(x.dtype)
            return self.head(self.drop((x * m).sum(1) / m.sum(1)))

    net = Net()
    with torch.no_grad():
        for name, tensor in _hf_names(net).items():
            if name in init:
                tensor.copy_(torch.from_numpy(np.asarray(init[name], np.float32)))
    return net


def _hf_names(net) -> dict:
    """HF tensor name -> parameter of ``net`` (the names the weights file uses)."""
    out = {}
    parts = {
        "q": "attention.self.query",
        "k": "attention.self.key",
        "v": "attention.self.value",
        "o": "attention.output.dense",
        "ln1": "attention.output.LayerNorm",
        "f1": "intermediate.dense",
        "f2": "output.dense",
        "ln2": "output.LayerNorm",
    }
    for layer in net.layers:
        for short, long in parts.items():
            mod = getattr(layer, short)
            out[f"encoder.layer.{layer.i}.{long}.weight"] = mod.weight
            out[f"encoder.layer.{layer.i}.{long}.bias"] = mod.bias
    out["head.weight"], out["head.bias"] = net.head.weight, net.head.bias
    return out


def frozen_features(
    enc: PairEncoder, first: Sequence[str], second: Sequence[str], *, chunk: int = 256
) -> list[np.ndarray]:
    """Per pair, the (tokens, 384) fp16 output of the frozen layers (numpy, chunked)."""
    toks = enc.tokenize(first, second)
    out: list[np.ndarray] = []
    for s in range(0, len(toks), chunk):
        p = enc.frozen_states(toks[s : s + chunk])
        starts = p.starts
        out += [p.x[a:b].astype(np.float16) for a, b in itertools.pairwise(starts)]
    return out


def _batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of similar length (less padding): sort within 50-batch pools."""
    idx = rng.permutation(len(lengths))
    pool = batch_size * 50
    out = []
    for s in range(0, len(idx), pool):
        block = idx[s : s + pool]
        block = block[np.argsort(lengths[block], kind="stable")]
        out += [block[i : i + batch_size] for i in range(0, len(block), batch_size)]
    order = rng.permutation(len(out))
    return [out[i] for i in order]


def _pad(feats: list[np.ndarray], rows: np.ndarray, device):
    import torch

    n = max(len(feats[i]) for i in rows)
    x = np.zeros((len(rows), n, feats[rows[0]].shape[1]), np.float32)
    mask = np.zeros((len(rows), n), bool)
    for j, i in enumerate(rows):
        x[j, : len(feats[i])] = feats[i]
        mask[j, : len(feats[i])] = True
    return torch.from_numpy(x).to(device), torch.from_numpy(mask).to(device)


def train_top(
    feats: list[np.ndarray],
    labels: Sequence[str],
    config: TrainConfig,
    *,
    init: dict[str, np.ndarray] | None = None,
    weights: Sequence[float] | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, np.ndarray]:
    """Train the top layers and head on cached frozen features; returns HF-named tensors.

    init: starting tensors (e.g. a shipped model's delta); missing ones come from the
    bundled MiniLM (layers) or a seeded random head.
    """
    import torch

    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    device = "cuda" if config.device == "auto" and torch.cuda.is_available() else config.device
    device = "cpu" if device == "auto" else device
    start = dict(_base_weights())
    start.update(init or {})
    net = _torch_net(start, config).to(device)
    y = torch.tensor([LABELS.index(lab) for lab in labels], device=device)
    w = torch.tensor(
        np.asarray(weights if weights is not None else np.ones(len(y))),
        dtype=torch.float32,
        device=device,
    )
    lengths = np.array([len(f) for f in feats])
    steps_per_epoch = math.ceil(len(feats) / config.batch_size)
    total = max(1, round(config.epochs * steps_per_epoch))
    head = [net.head.weight, net.head.bias]
    body = [p for p in net.parameters() if all(p is not h for h in head)]
    opt = torch.optim.AdamW(
        [{"params": body, "lr": config.lr}, {"params": head, "lr": config.head_lr}],
        weight_decay=config.weight_decay,
    )
    warm = max(1, int(config.warmup * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    bf16 = config.precision == "bf16"
    net.train()
    step, t0, batches = 0, time.perf_counter(), []
    while step < total:
        if not batches:
            batches = _batches(lengths, config.batch_size, rng)
        rows = batches.pop()
        x, mask = _pad(feats, rows, device)
        with torch.autocast(device.split(":")[0], torch.bfloat16, enabled=bf16):
            logits = net(x, mask).float()
        loss = torch.nn.functional.cross_entropy(logits, y[rows], reduction="none")
        loss = (loss * w[rows]).sum() / w[rows].sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        if log and (step % 100 == 0 or step == total):
            log(f"step {step}/{total} loss {loss.item():.3f} {time.perf_counter() - t0:.0f}s")
    return {k: v.detach().cpu().numpy().astype(np.float32) for k, v in _hf_names(net).items()}


def cached_features(
    enc: PairEncoder,
    first: Sequence[str],
    second: Sequence[str],
    cache_dir: str | None,
    *,
    log: Callable[[str], None] | None = None,
) -> list[np.ndarray]:
    """:func:`frozen_features`, cached on disk per pair (keyed by the pair and the encoder).

    Why: the frozen features of a pair never change, and the leave-out folds, the shipped
    model and the learning curve all reuse the same pairs.
    """
    import hashlib
    from pathlib import Path

    if cache_dir is None:
        return frozen_features(enc, first, second)
    tag = f"{enc.n_frozen}|{enc.max_length}"
    keys = [
        hashlib.sha256(f"{tag}\x00{a}\x00{b}".encode()).hexdigest()[:24]
        for a, b in zip(first, second, strict=True)
    ]
    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    store: dict[str, np.ndarray] = {}
    for f in sorted(folder.glob("feats-*.npz")):
        with np.load(f) as z:
            lens, flat, names = z["lens"], z["flat"], z["keys"]
            starts = np.concatenate([[0], np.cumsum(lens)])
            want = set(keys) - set(store)
            for k, a, b in zip(names.tolist(), starts[:-1], starts[1:], strict=True):
                if k in want:
                    store[k] = flat[a:b]
    missing = sorted({k: i for i, k in enumerate(keys) if k not in store}.values())
    if missing:
        t0 = time.perf_counter()
        new = frozen_features(enc, [first[i] for i in missing], [second[i] for i in missing])
        if log:
            log(f"frozen features for {len(missing)} pairs in {time.perf_counter() - t0:.0f}s")
        np.savez(
            folder / f"feats-{time.time_ns()}.npz",
            lens=np.array([len(x) for x in new]),
            flat=np.concatenate(new),
            keys=np.array([keys[i] for i in missing]),
        )
        store.update({keys[i]: x for i, x in zip(missing, new, strict=True)})
    return [store[k] for k in keys]
