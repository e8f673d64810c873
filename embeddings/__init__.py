"""Local sentence embeddings: the pinned model (``models.lock``), chunk encoding, vector search.

Knows nothing about roles or CVs.

Typical use (built once at service start, then shared)::

    model = EmbeddingModel(settings.embedding_lock_path, device="cpu",
                           cache=EmbeddingCache(path=settings.embedding_cache_path))
    model.warm_up()                       # verifies models.lock, loads offline
    chunks = chunk_text(text, sections, tokenizer=model.tokenizer,
                        max_tokens=model.max_seq_length)
    vectors = model.encode([c.text for c in chunks])      # (n, 384) float32, unit rows
    best_score, best_chunk = max_similarity_per_target(vectors, skill_vectors)
"""

from embeddings._cache import EmbeddingCache
from embeddings._chunking import Chunk, HFTokenizer, Segment, Tokenizer, chunk_text
from embeddings._lock import ModelLock, load_verified_lock, read_lock, verify_installed_model
from embeddings._model import EmbeddingModel, Precision, cpu_supports_bf16, resolve_precision
from embeddings._search import IndexKind, VectorIndex, max_similarity_per_target, top_k
from embeddings.errors import (
    ChunkTooLongError,
    EmbeddingsError,
    ModelLockError,
    ModelNotReadyError,
    VectorIndexError,
)

__all__ = [
    "Chunk",
    "ChunkTooLongError",
    "EmbeddingCache",
    "EmbeddingModel",
    "EmbeddingsError",
    "HFTokenizer",
    "IndexKind",
    "ModelLock",
    "ModelLockError",
    "ModelNotReadyError",
    "Precision",
    "Segment",
    "Tokenizer",
    "VectorIndex",
    "VectorIndexError",
    "chunk_text",
    "cpu_supports_bf16",
    "load_verified_lock",
    "max_similarity_per_target",
    "read_lock",
    "resolve_precision",
    "top_k",
    "verify_installed_model",
]
