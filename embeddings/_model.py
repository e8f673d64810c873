"""The pinned sentence-embedding model: verified, loaded once, batched, cached.

``EmbeddingModel.__init__`` is cheap and touches no file; ``warm_up()`` verifies every file
against ``models.lock`` and only then loads it with Hugging Face offline mode, so nothing is
ever downloaded. Build one instance at service start (FastAPI lifespan) and share it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from embeddings._cache import EmbeddingCache
from embeddings._chunking import HFTokenizer
from embeddings._lock import ModelLock, load_verified_lock
from embeddings.errors import (
    ChunkTooLongError,
    EmbeddingsError,
    ModelLockError,
    ModelNotReadyError,
)

__all__ = ["EmbeddingModel", "Precision", "cpu_supports_bf16", "resolve_precision"]

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
    """Thin wrapper over the pinned SentenceTransformer.

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
        self._tokenizer: HFTokenizer | None = None
        self._precision = Precision.FP32
        self._texts_encoded = 0
        self._loading = threading.Lock()
        # One user of the tokenizer and the network at a time (see HFTokenizer); reentrant
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
            # Belt and braces with local_files_only: no Hub request even from a dependency.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            import torch
            from sentence_transformers import SentenceTransformer

            device_type = "cuda" if self._device.startswith("cuda") else "cpu"
            if device_type == "cuda" and not torch.cuda.is_available():
                raise EmbeddingsError(
                    f"device={self._device!r} but PyTorch sees no CUDA GPU; use device='cpu' or "
                    "install the CUDA build of torch (README: GPU install)."
                )
            try:
                model = SentenceTransformer(
                    str(model_dir), device=self._device, local_files_only=True
                )
            except (OSError, ValueError, RuntimeError) as exc:
                raise EmbeddingsError(
                    f"The verified model in {str(model_dir)!r} failed to load: {exc}"
                ) from exc
            dimension = model.get_embedding_dimension()
            if dimension != lock.dimension or model.max_seq_length != lock.max_seq_length:
                raise ModelLockError(
                    f"Loaded model has dimension {dimension} and max_seq_length "
                    f"{model.max_seq_length}; {lock.path} pins {lock.dimension} and "
                    f"{lock.max_seq_length}. Restore models.lock or the model package."
                )
            model.eval()
            if device_type == "cuda":
                native = bool(torch.cuda.is_bf16_supported())
            else:
                native = cpu_supports_bf16()
            self._precision = resolve_precision(
                self._requested_precision, device_type=device_type, bf16_native=native
            )
            self._tokenizer = HFTokenizer(model.tokenizer, lock=self._in_use)
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
    def precision(self) -> Precision:
        """The precision in use (``FP32`` or ``BF16``) once warmed up."""
        self._require_lock()
        return self._precision

    @property
    def cache_namespace(self) -> str:
        """Cache keys are scoped by model and precision: bf16 vectors differ slightly."""
        return f"{self.model_hash}/{self.precision.value}"

    @property
    def tokenizer(self) -> HFTokenizer:
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
        limit = self.max_seq_length
        for position, count in enumerate(self._tokenizer.counts(texts)):
            if count > limit:
                raise ChunkTooLongError(
                    f"Text {position} ({texts[position][:40]!r}…) has {count} tokens; the model "
                    f"reads {limit}. Split it with chunk_text() first."
                )
        import torch

        with self._in_use, torch.inference_mode(), self._autocast():
            embeddings = self._model.encode(
                texts,
                batch_size=self._batch_size,
                convert_to_tensor=True,
                normalize_embeddings=False,
                show_progress_bar=False,
            )
        vectors = embeddings.float().cpu().numpy().astype(np.float32, copy=False)
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
