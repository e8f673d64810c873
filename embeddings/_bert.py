"""The pinned model's forward pass and tokenizer, read straight from its verified files.

all-MiniLM-L6-v2 is a 6-layer BERT encoder with mean pooling. Loading it through
sentence-transformers imports transformers and the rest of that stack (tens of seconds of
import on this 2-core machine, ~200 MB of resident memory) for a forward pass of a few lines, so
the encoder is written out here: ``config.json`` gives the shape, ``model.safetensors`` the
weights, ``tokenizer.json`` the tokenizer (the Rust ``tokenizers`` library, as before). The
vectors agree with sentence-transformers' to float32 rounding (``tests/embeddings``).

Texts are grouped into batches of one padded length (``length_batches``): each text is padded
to its own length rounded up to a multiple of 8, so its vector does not depend on what it is
batched with, and short chunks are not padded to the longest chunk of the call.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

__all__ = [
    "BertEncoder",
    "BertTokenizer",
    "encode_ids",
    "length_batches",
    "load_bert",
    "padded_length",
]


class BertTokenizer:
    """The model's WordPiece tokenizer (``tokenizer.json``) as ``chunk_text`` needs it.

    ``tokenizer.json`` ships with truncation at 128 and fixed padding, which the model files'
    users override; both are switched off here: chunking counts every token and refuses to cut.
    A ``tokenizers.Tokenizer`` is not safe to call from several threads at once, so calls take
    ``lock`` (the lock the model holds while encoding).
    """

    def __init__(self, path: Path, *, lock: threading.RLock | None = None) -> None:
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(path))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._lock = lock or threading.RLock()
        self._special = int(tokenizer.num_special_tokens_to_add(False))

    @property
    def special_tokens(self) -> int:
        return self._special

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the content tokens of ``text`` (no special tokens)."""
        with self._lock:
            encoding = self._tokenizer.encode(text, add_special_tokens=False)
        return [(int(a), int(b)) for a, b in encoding.offsets]

    def counts(self, texts: Sequence[str]) -> list[int]:
        """Token counts including special tokens, as the model will see them."""
        return [len(ids) for ids in self.ids(texts)]

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with special tokens, one list per text."""
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=True)
        return [encoding.ids for encoding in encodings]


class _Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, intermediate: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = states.shape
        size = hidden // self.heads

        def split(x: torch.Tensor) -> torch.Tensor:
            return x.view(batch, length, self.heads, size).transpose(1, 2)

        context = functional.scaled_dot_product_attention(
            split(self.query(states)), split(self.key(states)), split(self.value(states)),
            attn_mask=mask,
        )  # fmt: skip
        context = context.transpose(1, 2).reshape(batch, length, hidden)
        states = self.attention_norm(states + self.attention_output(context))
        inner = functional.gelu(self.intermediate(states))
        return self.output_norm(states + self.output(inner))


class BertEncoder(nn.Module):
    """BERT encoder + mean pooling over real tokens: token ids in, one vector per text out."""

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__()
        hidden = int(config["hidden_size"])
        eps = float(config.get("layer_norm_eps", 1e-12))
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"Unsupported activation {config.get('hidden_act')!r}; need 'gelu'.")
        self.word_embeddings = nn.Embedding(int(config["vocab_size"]), hidden)
        self.position_embeddings = nn.Embedding(int(config["max_position_embeddings"]), hidden)
        self.token_type_embeddings = nn.Embedding(int(config.get("type_vocab_size", 2)), hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(
            _Layer(
                hidden, int(config["num_attention_heads"]), int(config["intermediate_size"]), eps
            )
            for _ in range(int(config["num_hidden_layers"]))
        )

    def forward(self, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        length = ids.shape[1]
        positions = torch.arange(length, device=ids.device)
        states = (
            self.word_embeddings(ids)
            + self.position_embeddings(positions)[None]
            + self.token_type_embeddings.weight[0]
        )
        states = self.embedding_norm(states)
        # additive mask over keys: 0 for real tokens, the dtype's minimum for padding
        mask = (1.0 - attention[:, None, None, :].to(states.dtype)) * torch.finfo(states.dtype).min
        for layer in self.layers:
            states = layer(states, mask)
        weights = attention[..., None].to(states.dtype)
        return (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)

    def load_weights(self, path: Path) -> None:
        """Copy BERT's weights from a safetensors file (transformers' names) into this module."""
        from safetensors.torch import load_file

        source = load_file(str(path))
        prefix = "bert." if any(k.startswith("bert.") for k in source) else ""
        names = {
            "word_embeddings.weight": "embeddings.word_embeddings.weight",
            "position_embeddings.weight": "embeddings.position_embeddings.weight",
            "token_type_embeddings.weight": "embeddings.token_type_embeddings.weight",
            "embedding_norm.weight": "embeddings.LayerNorm.weight",
            "embedding_norm.bias": "embeddings.LayerNorm.bias",
        }
        per_layer = {
            "query": "attention.self.query",
            "key": "attention.self.key",
            "value": "attention.self.value",
            "attention_output": "attention.output.dense",
            "attention_norm": "attention.output.LayerNorm",
            "intermediate": "intermediate.dense",
            "output": "output.dense",
            "output_norm": "output.LayerNorm",
        }
        for index in range(len(self.layers)):
            for ours, theirs in per_layer.items():
                for kind in ("weight", "bias"):
                    names[f"layers.{index}.{ours}.{kind}"] = (
                        f"encoder.layer.{index}.{theirs}.{kind}"
                    )
        state = {ours: source[prefix + theirs] for ours, theirs in names.items()}
        self.load_state_dict(state, strict=True)


def load_bert(
    model_dir: Path, *, device: str, lock: threading.RLock
) -> tuple[BertTokenizer, BertEncoder]:
    """Tokenizer and encoder of the (already verified) model folder, in eval mode on ``device``."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type", "bert") != "bert":
        raise ValueError(f"Expected a BERT model, got model_type {config.get('model_type')!r}.")
    encoder = BertEncoder(config)
    encoder.load_weights(model_dir / "model.safetensors")
    encoder.eval().requires_grad_(False)
    encoder.to(device)
    return BertTokenizer(model_dir / "tokenizer.json", lock=lock), encoder


# Every text is padded to its own length rounded up to a multiple of PAD_MULTIPLE, whatever
# else is encoded with it, and a batch holds texts of one padded length. A vector is then a
# function of its text alone: bf16 kernels round differently for other padded shapes (about
# 1e-3), so padding to a batch's longest text made a CV's vectors depend on the CVs encoded
# beside it and on what the cache already held. The row count of a batch does not change the
# result (checked bit for bit in bf16 and fp32, batches of 1 to 64 rows). One CV's chunks run
# from 3 to 256 tokens; the rounding costs at most 7 padding tokens per text.
PAD_MULTIPLE = 8


def padded_length(tokens: int) -> int:
    """The length a text of ``tokens`` tokens is padded to, whatever it is batched with."""
    return -(-tokens // PAD_MULTIPLE) * PAD_MULTIPLE


def length_batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into batches of one padded length, shortest first, at most
    ``batch_size`` each, in input order within a length."""
    by_length: dict[int, list[int]] = {}
    for index, tokens in enumerate(lengths):
        by_length.setdefault(padded_length(tokens), []).append(index)
    return [
        members[start : start + batch_size]
        for _, members in sorted(by_length.items())
        for start in range(0, len(members), batch_size)
    ]


def encode_ids(
    encoder: BertEncoder, ids: Sequence[Sequence[int]], *, batch_size: int, device: str
) -> np.ndarray:
    """Mean-pooled vectors (not normalised) for token id lists, in input order.

    Batched by padded length (``length_batches``): a text's vector does not depend on the
    texts encoded with it, and padding stays small.
    """
    dimension = encoder.word_embeddings.embedding_dim
    result = np.empty((len(ids), dimension), dtype=np.float32)
    for chosen in length_batches([len(tokens) for tokens in ids], batch_size):
        length = padded_length(len(ids[chosen[0]]))
        batch = torch.zeros((len(chosen), length), dtype=torch.long)
        attention = torch.zeros((len(chosen), length), dtype=torch.long)
        for row, index in enumerate(chosen):
            tokens = ids[index]
            batch[row, : len(tokens)] = torch.as_tensor(tokens, dtype=torch.long)
            attention[row, : len(tokens)] = 1
        vectors = encoder(batch.to(device), attention.to(device))
        result[chosen] = vectors.float().cpu().numpy()
    return result
