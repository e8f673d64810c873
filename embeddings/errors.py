"""Errors raised by the embeddings package.

The hierarchy::

    EmbeddingsError                  base of everything raised here
     ├── ModelLockError              models.lock missing/unreadable, or the installed model differs
     │                               from it (package version, a file's sha256, dimension)
     ├── ModelNotReadyError          encode or tokenizer used before ``EmbeddingModel.warm_up()``
     ├── ChunkTooLongError           a text would exceed the model's max sequence length
     │                               (it would be truncated silently, so we refuse instead)
     └── VectorIndexError            bad index operation or index file: wrong dimension,
                                     duplicate id, corrupt or tampered file

Third-party errors (OSError, tomllib, FAISS, NumPy) are translated at the boundary where they
occur with ``raise ... from exc``.
"""

from __future__ import annotations

__all__ = [
    "ChunkTooLongError",
    "EmbeddingsError",
    "ModelLockError",
    "ModelNotReadyError",
    "VectorIndexError",
]


class EmbeddingsError(Exception):
    """Base class of all errors raised by ``embeddings``."""


class ModelLockError(EmbeddingsError):
    """The pinned model cannot be verified; the service must not start with it."""


class ModelNotReadyError(EmbeddingsError):
    """The model was used before ``warm_up()`` loaded it."""


class ChunkTooLongError(EmbeddingsError):
    """A text has more tokens than the model reads; it would be truncated silently."""


class VectorIndexError(EmbeddingsError):
    """A vector index operation or index file is invalid."""
