"""The pinned model's forward pass and tokenizer, read straight from its verified files.

all-MiniLM-L6-v2 is a 6-layer BERT encoder with mean pooling. Loading it through
sentence-transformers imports transformers and the rest of that stack (tens of seconds of
import on this 2-core machine, ~200 MB of resident memory) for a forward pass of a few lines, so
the encoder is written out here: ``config.json`` gives the shape, ``model.safetensors`` the
weights, ``tokenizer.json`` the tokenizer (the Rust ``tokenizers`` library, as before; in
``embeddings._tokenizer``, which parse workers load without torch). The vectors agree with
sentence-transformers' to float32 rounding (``tests/embeddings``).

A forward pass reads a *pack* of texts (``packs``): their tokens laid end to end, so the dense
layers run once over every token of the pack, while attention runs over each group of texts of
one token count. No text is padded (a pass is only filled up to a row count the CPU's matrix
library treats uniformly, see ``_MIN_ROWS``), a text's vector does not depend on the texts
packed with it, and one CV's ~45 chunks of ~30 different lengths take one pass instead of ~30
small ones.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from embeddings._tokenizer import BertTokenizer

__all__ = [
    "BertEncoder",
    "BertTokenizer",
    "CPU_PACK_TOKENS",
    "Pack",
    "encode_ids",
    "load_bert",
    "packs",
]


@dataclass(frozen=True, slots=True)
class Pack:
    """Texts laid end to end for one forward pass.

    ``ids`` holds every token of every text, texts ordered by token count (shortest first);
    ``groups`` lists ``(texts, tokens_each)`` for each run of texts of one token count, in
    that order.
    """

    ids: torch.Tensor
    groups: tuple[tuple[int, int], ...]

    def spans(self) -> Iterator[tuple[int, int, int, int]]:
        """``(start, end, texts, tokens_each)`` of each group's rows in ``ids``."""
        start = 0
        for count, length in self.groups:
            end = start + count * length
            yield start, end, count, length
            start = end


class _Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, intermediate: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        # query, key and value projections as one product (rows: query, then key, then value):
        # one pass over the input instead of three, the same numbers (checked bit for bit)
        self.query_key_value = nn.Linear(hidden, 3 * hidden)
        self.attention_output = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, states: torch.Tensor, pack: Pack) -> torch.Tensor:
        """``states``: one row per token of ``pack``, possibly followed by filler rows that
        belong to no text."""
        hidden = states.shape[1]
        size = hidden // self.heads
        query, key, value = self.query_key_value(states).split(hidden, dim=1)
        contexts = []
        end = 0
        for start, end, count, length in pack.spans():
            query_, key_, value_ = (
                x[start:end].view(count, length, self.heads, size).transpose(1, 2)
                for x in (query, key, value)
            )
            context = functional.scaled_dot_product_attention(query_, key_, value_)
            contexts.append(context.transpose(1, 2).reshape(count * length, hidden))
        if end < states.shape[0]:
            contexts.append(torch.zeros_like(query[end:]))
        context = torch.cat(contexts)
        states = self.attention_norm(states + self.attention_output(context))
        inner = functional.gelu(self.intermediate(states))
        return self.output_norm(states + self.output(inner))


# The CPU's matrix-multiply library picks its blocking, and with it the order in which a row's
# products are summed, from the number of rows; below some count that choice differs, so a
# token row's result would depend on how many rows it is multiplied with. Measured, row by row
# against a 4,096-row product: an AMD EPYC without AMX agrees from 8 rows (fp32; bf16 always);
# a Xeon with AMX from 193 rows in fp32 and 497 in bf16 (the 1,536 -> 384 product). A pass is
# filled with rows that belong to no text up to at least _MIN_ROWS, so every pass takes the
# large-product path on both.
_MIN_ROWS = 512
# The library prepares a kernel for each new row count (3-7 ms on the Xeon for each of the
# three product shapes); rounding a pass up to a multiple of _ROW_STEP rows lets ~30 row counts
# serve every pack instead of a new one for nearly every pack (37 instead of 46 ms a CV there).
_ROW_STEP = 128


def _pass_rows(tokens: int) -> int:
    return max(_MIN_ROWS, -(-tokens // _ROW_STEP) * _ROW_STEP)


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

    def forward(self, pack: Pack) -> torch.Tensor:
        """One vector per text of ``pack``, in the pack's order: every token attends to every
        token of its own text and the mean runs over them (no padding anywhere).

        The dense layers, norms and activation treat each token row on its own, and from
        ``_MIN_ROWS`` rows a row's result does not depend on how many rows are multiplied with it
        or where it sits among them (checked bit for bit), so a vector is the same whatever it
        is packed with.
        """
        device = pack.ids.device
        positions = torch.cat(
            [torch.arange(length, device=device).repeat(count) for count, length in pack.groups]
        )
        states = (
            self.word_embeddings(pack.ids)
            + self.position_embeddings(positions)
            + self.token_type_embeddings.weight[0]
        )
        states = self.embedding_norm(states)
        tokens = states.shape[0]
        rows = _pass_rows(tokens)
        if rows > tokens:
            states = torch.cat([states, states.new_zeros(rows - tokens, states.shape[1])])
        for layer in self.layers:
            states = layer(states, pack)
        return torch.cat(
            [
                states[start:end].view(count, length, -1).mean(dim=1)
                for start, end, count, length in pack.spans()
            ]
        )

    def use_bf16_weights(self) -> None:
        """Keep the dense layers' weights in bf16 for a model that runs under bf16 autocast.

        Autocast casts every fp32 weight to bf16 on each call (the model's parameters need no
        gradient, so it keeps no cast copy); the result is the same cast done once. Embeddings
        and layer norms stay fp32, as autocast runs them.
        """
        for module in self.modules():
            if isinstance(module, nn.Linear):
                module.to(torch.bfloat16)

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
        for index in range(len(self.layers)):
            for kind in ("weight", "bias"):
                state[f"layers.{index}.query_key_value.{kind}"] = torch.cat(
                    [
                        source[f"{prefix}encoder.layer.{index}.attention.self.{part}.{kind}"]
                        for part in ("query", "key", "value")
                    ]
                )
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


# Beyond a few thousand tokens per pass the intermediate activations (tokens x 1536) leave the
# CPU caches and throughput drops (measured on Kaggle CVs, 2 cores, bf16: 503 chunks/s with
# packs of up to 4,096 tokens, 349 with 16,384). On a GPU the texts per pass decide alone.
CPU_PACK_TOKENS = 4096


def packs(lengths: Sequence[int], *, max_texts: int, max_tokens: int | None) -> list[list[int]]:
    """Indices of texts grouped into packs, shortest texts first (input order within a token
    count), each of at most ``max_texts`` texts and ``max_tokens`` tokens (a longer text is a
    pack of its own)."""
    order = sorted(range(len(lengths)), key=lambda index: lengths[index])
    result: list[list[int]] = []
    current: list[int] = []
    tokens = 0
    for index in order:
        full = len(current) >= max_texts or (
            max_tokens is not None and tokens + lengths[index] > max_tokens
        )
        if current and full:
            result.append(current)
            current, tokens = [], 0
        current.append(index)
        tokens += lengths[index]
    if current:
        result.append(current)
    return result


def _pack(ids: Sequence[Sequence[int]], members: Sequence[int], device: str) -> Pack:
    groups: list[tuple[int, int]] = []
    for index in members:
        length = len(ids[index])
        if groups and groups[-1][1] == length:
            groups[-1] = (groups[-1][0] + 1, length)
        else:
            groups.append((1, length))
    flat = [token for index in members for token in ids[index]]
    return Pack(torch.tensor(flat, dtype=torch.long, device=device), tuple(groups))


def encode_ids(
    encoder: BertEncoder, ids: Sequence[Sequence[int]], *, batch_size: int, device: str
) -> np.ndarray:
    """Mean-pooled vectors (not normalised) for token id lists, in input order.

    ``batch_size`` texts at most per forward pass (``packs``; on the CPU also at most
    ``CPU_PACK_TOKENS`` tokens). A text's vector does not depend on the texts encoded with it.
    """
    dimension = encoder.word_embeddings.embedding_dim
    result = np.empty((len(ids), dimension), dtype=np.float32)
    max_tokens = None if device.startswith("cuda") else CPU_PACK_TOKENS
    for members in packs([len(t) for t in ids], max_texts=batch_size, max_tokens=max_tokens):
        vectors = encoder(_pack(ids, members, device))
        result[members] = vectors.float().cpu().numpy()
    return result
