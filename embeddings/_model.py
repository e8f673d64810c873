"""The pinned sentence-embedding model: verified, loaded once, batched, cached.

``EmbeddingModel.__init__`` is cheap and touches no file; ``warm_up()`` verifies every file
against ``models.lock`` and only then loads those files (``embeddings._bert``: the encoder in a
few lines of torch, the Rust tokenizer), so nothing is ever downloaded and sentence-transformers
is never imported. Build one instance at service start (FastAPI lifespan) and share it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from embeddings._cache import EmbeddingCache
from embeddings._lock import ModelLock, load_verified_lock
from embeddings._threads import threads_set_to
from embeddings.errors import (
    ChunkTooLongError,
    EmbeddingsError,
    ModelLockError,
    ModelNotReadyError,
)

if TYPE_CHECKING:
    from embeddings._tokenizer import BertTokenizer

__all__ = [
    "EmbeddingModel",
    "Precision",
    "cpu_has_amx",
    "cpu_supports_bf16",
    "resolve_precision",
]

logger = logging.getLogger(__name__)


class Precision(StrEnum):
    """Numeric precision of the forward pass."""

    AUTO = "auto"  # bf16 where the hardware runs it natively, else fp32
    FP32 = "fp32"
    BF16 = "bf16"


def cpu_supports_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AMX or AVX512-BF16 on x86, BF16 on Arm).

    Without it PyTorch emulates bf16 matrix products, which is slower than fp32.
    """
    import torch

    capabilities = torch.cpu.get_capabilities()
    native = ("amx_bf16", "avx512_bf16", "bf16", "sve_bf16")
    return any(bool(capabilities.get(name, False)) for name in native)


def resolve_precision(requested: Precision, *, device_type: str, bf16_native: bool) -> Precision:
    """The precision actually used: ``BF16`` only where requested (or ``AUTO``) and native."""
    if requested is Precision.FP32:
        return Precision.FP32
    if bf16_native:
        return Precision.BF16
    if requested is Precision.BF16:
        logger.warning(
            "bf16 requested but not native on this device; using fp32",
            extra={"device_type": device_type},
        )
    return Precision.FP32


class EmbeddingModel:
    """Thin wrapper over the pinned sentence-embedding model (``embeddings._bert``).

    Args:
        lock_path: ``models.lock``; ``None`` looks in the working directory, then the source
            checkout (see ``embeddings._lock.resolve_lock_path``).
        device: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
        batch_size: texts per forward pass.
        precision: ``"auto"`` (bf16 where native, else fp32), ``"fp32"`` or ``"bf16"``.
        cache: vectors by content hash; ``None`` disables caching.
    """

    def __init__(
        self,
        lock_path: str | Path | None = None,
        *,
        device: str = "cpu",
        batch_size: int = 64,
        precision: Precision | str = Precision.AUTO,
        cache: EmbeddingCache | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
        try:
            self._requested_precision = Precision(precision)
        except ValueError:
            options = ", ".join(repr(p.value) for p in Precision)
            raise ValueError(f"precision must be one of {options}, got {precision!r}.") from None
        if device != "cpu" and not device.startswith("cuda"):
            raise ValueError(f"device must be 'cpu', 'cuda' or 'cuda:N', got {device!r}.")
        self._lock_path = lock_path
        self._device = device
        self._batch_size = batch_size
        self._cache = cache
        self._model: Any = None
        self._lock_info: ModelLock | None = None
        self._tokenizer: BertTokenizer | None = None
        self._precision = Precision.FP32
        self._texts_encoded = 0
        # calls of at most this many texts encode on one CPU thread (``_threads``); set by
        # ``warm_up`` from the CPU and precision
        self._one_thread_up_to = 0
        self._loading = threading.Lock()
        # One user of the tokenizer and the network at a time (see BertTokenizer); reentrant
        # because encoding counts tokens through the tokenizer adapter under the same lock.
        self._in_use = threading.RLock()

    # -- loading ---------------------------------------------------------------------------

    def warm_up(self) -> None:
        """Verify the model files against the lock, then load the model. Idempotent.

        Raises:
            ModelLockError: the installed model differs from ``models.lock``.
            EmbeddingsError: the device is unavailable or the verified files fail to load.
        """
        with self._loading:
            if self._model is not None:
                return
            lock, model_dir = load_verified_lock(self._lock_path)
            # Belt and braces: nothing here downloads, but a dependency might try.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            import torch

            from embeddings._bert import load_bert

            device_type = "cuda" if self._device.startswith("cuda") else "cpu"
            if device_type == "cuda" and not torch.cuda.is_available():
                raise EmbeddingsError(
                    f"device={self._device!r} but PyTorch sees no CUDA GPU; use device='cpu' or "
                    "install the CUDA build of torch (README: GPU install)."
                )
            try:
                tokenizer, model = load_bert(model_dir, device=self._device, lock=self._in_use)
                max_seq_length = _max_seq_length(model_dir)
            except (OSError, ValueError, KeyError, RuntimeError) as exc:
                raise EmbeddingsError(
                    f"The verified model in {str(model_dir)!r} failed to load: {exc}"
                ) from exc
            dimension = model.word_embeddings.embedding_dim
            if dimension != lock.dimension or max_seq_length != lock.max_seq_length:
                raise ModelLockError(
                    f"Loaded model has dimension {dimension} and max_seq_length "
                    f"{max_seq_length}; {lock.path} pins {lock.dimension} and "
                    f"{lock.max_seq_length}. Restore models.lock or the model package."
                )
            if device_type == "cuda":
                native = bool(torch.cuda.is_bf16_supported())
            else:
                native = cpu_supports_bf16()
            self._precision = resolve_precision(
                self._requested_precision, device_type=device_type, bf16_native=native
            )
            if self._precision is Precision.BF16:
                model.use_bf16_weights()
            if self._device == "cpu" and self._precision is Precision.BF16 and cpu_has_amx():
                self._one_thread_up_to = _FEW_TEXTS
            self._tokenizer = tokenizer
            self._lock_info = lock
            self._model = model
            logger.info(
                "embedding model ready",
                extra={
                    "model": lock.name,
                    "model_hash": lock.model_hash,
                    "device": self._device,
                    "precision": self._precision.value,
                    "bf16_native": native,
                },
            )

    @property
    def is_ready(self) -> bool:
        """Whether ``warm_up()`` has loaded the model."""
        return self._model is not None

    def _require_lock(self) -> ModelLock:
        if self._lock_info is None:
            raise ModelNotReadyError("The embedding model is not loaded: call warm_up() first.")
        return self._lock_info

    # -- facts outputs carry -----------------------------------------------------------------

    @property
    def model_hash(self) -> str:
        """Short fingerprint of the pinned model files (see ``ModelLock.model_hash``)."""
        return self._require_lock().model_hash

    @property
    def model_name(self) -> str:
        return self._require_lock().name

    @property
    def dimension(self) -> int:
        return self._require_lock().dimension

    @property
    def max_seq_length(self) -> int:
        """Most tokens the model reads, special tokens included."""
        return self._require_lock().max_seq_length

    @property
    def device(self) -> str:
        """Where the model runs: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``."""
        return self._device

    @property
    def batch_size(self) -> int:
        """Texts per forward pass."""
        return self._batch_size

    @property
    def precision(self) -> Precision:
        """The precision in use (``FP32`` or ``BF16``) once warmed up."""
        self._require_lock()
        return self._precision

    @property
    def cache_namespace(self) -> str:
        """Cache keys are scoped by model, precision (bf16 vectors differ slightly) and the
        batching scheme (``unpadded-512``: texts are never padded and a pass has at least 512
        rows, see ``embeddings._bert``)."""
        return f"{self.model_hash}/{self.precision.value}/unpadded-512"

    @property
    def tokenizer(self) -> BertTokenizer:
        """The model's tokenizer, for ``chunk_text``."""
        self._require_lock()
        assert self._tokenizer is not None
        return self._tokenizer

    @property
    def texts_encoded(self) -> int:
        """Texts that went through the network since warm-up (cache hits excluded)."""
        return self._texts_encoded

    # -- encoding ----------------------------------------------------------------------------

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts: float32 array of shape ``(len(texts), dimension)``, rows of unit length.

        Cached vectors are reused; duplicates are encoded once.

        Raises:
            ModelNotReadyError: before ``warm_up()``.
            ChunkTooLongError: a text exceeds ``max_seq_length`` tokens (chunk it first).
        """
        lock = self._require_lock()
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one string.")
        texts = list(texts)
        result = np.empty((len(texts), lock.dimension), dtype=np.float32)
        if not texts:
            return result
        namespace = self.cache_namespace
        cached: list[np.ndarray | None] = [None] * len(texts)
        if self._cache is not None:
            cached = self._cache.get_many(namespace, texts)
        missing: dict[str, list[int]] = {}
        for position, (text, vector) in enumerate(zip(texts, cached, strict=True)):
            if vector is not None and vector.shape == (lock.dimension,):
                result[position] = vector
            else:
                missing.setdefault(text, []).append(position)
        if missing:
            unique = list(missing)
            vectors = self._encode_uncached(unique)
            for text, vector in zip(unique, vectors, strict=True):
                result[missing[text]] = vector
            if self._cache is not None:
                self._cache.put_many(namespace, unique, vectors)
        return result

    def _encode_uncached(self, texts: list[str]) -> np.ndarray:
        assert self._tokenizer is not None
        from embeddings._bert import encode_ids

        limit = self.max_seq_length
        ids = self._tokenizer.ids(texts)
        for position, tokens in enumerate(ids):
            if len(tokens) > limit:
                raise ChunkTooLongError(
                    f"Text {position} ({texts[position][:40]!r}…) has {len(tokens)} tokens; the "
                    f"model reads {limit}. Split it with chunk_text() first."
                )
        import torch

        with (
            self._in_use,
            torch.inference_mode(),
            self._autocast(),
            self._threads(len(ids)),
            self._attention_kernels(),
        ):
            vectors = encode_ids(self._model, ids, batch_size=self._batch_size, device=self._device)
        # Normalise in float32 ourselves: exact unit length even after a bf16 forward pass.
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        self._texts_encoded += len(texts)
        return vectors

    @contextlib.contextmanager
    def _autocast(self) -> Iterator[None]:
        if self._precision is not Precision.BF16:
            yield
            return
        import torch

        device_type = "cuda" if self._device.startswith("cuda") else "cpu"
        with torch.autocast(device_type, dtype=torch.bfloat16):
            yield

    @contextlib.contextmanager
    def _attention_kernels(self) -> Iterator[None]:
        """On a GPU, attention without cuDNN's kernel.

        PyTorch picks cuDNN attention first for bf16 on Hopper GPUs, and cuDNN builds an
        execution plan for each new input shape. A pack is one attention call per run of texts
        of one token count, so nearly every call has a shape not seen before: on an H100, bf16
        encoding ran 132 chunks/s against 11,867 in fp32 (which never takes cuDNN), 4 ms an
        attention call. FlashAttention and the memory-efficient kernel need no plan.
        """
        if not self._device.startswith("cuda"):
            yield
            return
        from torch.nn.attention import SDPBackend, sdpa_kernel

        kernels = [SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH]
        with sdpa_kernel(kernels):
            yield

    @contextlib.contextmanager
    def _threads(self, texts: int) -> Iterator[None]:
        """One CPU thread for a call of few texts (one CV's chunks) where bf16 runs on AMX.

        With AMX the dense layers of one CV take a few milliseconds; its ~45 chunks form groups
        of one to three texts of a length, and attention and the element-wise steps then hand
        each thread too little to be worth waking it for, so a second thread made the call
        slower (one Kaggle CV on a 2-core Xeon: 152 ms p50 with two threads, 100 ms with one),
        while 32 CVs at once gain from it (46 against 77 ms a CV). Without AMX (AVX-512 bf16 or
        fp32) the dense layers dominate and split well: one CV on a 2-core AMD EPYC took
        116-135 ms p50 with two threads, 184-219 ms with one. Vectors are the same either way
        (checked bit for bit). The thread count is process-wide; this runs under the model's
        lock, the only user of torch here.
        """
        import torch

        if texts > self._one_thread_up_to:
            yield
            return
        with threads_set_to(1, get=torch.get_num_threads, set_to=torch.set_num_threads):
            yield


# Where calls encode on one CPU thread (``EmbeddingModel._threads``), those of at most this many
# texts do: a long CV has up to ~150 chunks, a group of 32 CVs ~1,500.
_FEW_TEXTS = 256


def cpu_has_amx() -> bool:
    """Whether this CPU has AMX bf16 matrix units (Intel Xeon since Sapphire Rapids)."""
    import torch

    return bool(torch.cpu.get_capabilities().get("amx_bf16", False))


def _max_seq_length(model_dir: Path) -> int:
    """The sequence length the model was trained to read (``sentence_bert_config.json``)."""
    config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
    return int(config["max_seq_length"])
