"""The model's tokenizer, read from its verified ``tokenizer.json`` (no torch: parse workers
chunk CVs with it)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

__all__ = ["BertTokenizer"]


class BertTokenizer:
    """The model's WordPiece tokenizer (``tokenizer.json``) as ``chunk_text`` needs it.

    ``tokenizer.json`` ships with truncation at 128 and fixed padding, which the model files'
    users override; both are switched off here: chunking counts every token and refuses to cut.
    A ``tokenizers.Tokenizer`` is not safe to call from several threads at once, so calls take
    ``lock`` (the lock the model holds while encoding).

    It pickles as its file: a process that unpickles it (a parse worker that chunks CVs) reads
    the same ``tokenizer.json`` and takes its own lock.
    """

    def __init__(self, path: Path, *, lock: threading.RLock | None = None) -> None:
        from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

        self._path = path
        tokenizer = Tokenizer.from_file(str(path))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        # BERT's normaliser, word cuts and WordPiece: a word's tokens never depend on the text
        # around it, so chunking may count a span's tokens from its segment's (see Tokenizer)
        self.words_tokenised_alone = (
            isinstance(tokenizer.normalizer, normalizers.BertNormalizer)
            and isinstance(tokenizer.pre_tokenizer, pre_tokenizers.BertPreTokenizer)
            and isinstance(tokenizer.model, models.WordPiece)
        )
        self._lock = lock or threading.RLock()
        self._special = int(tokenizer.num_special_tokens_to_add(False))

    def __reduce__(self) -> tuple[type[BertTokenizer], tuple[Path]]:
        return (BertTokenizer, (self._path,))

    @property
    def special_tokens(self) -> int:
        return self._special

    def offsets(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the content tokens of ``text`` (no special tokens)."""
        with self._lock:
            encoding = self._tokenizer.encode(text, add_special_tokens=False)
        offsets: list[tuple[int, int]] = encoding.offsets  # already (start, end) ints
        return offsets

    def counts(self, texts: Sequence[str]) -> list[int]:
        """Token counts including special tokens, as the model will see them."""
        return [len(ids) for ids in self.ids(texts)]

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with special tokens, one list per text."""
        with self._lock:
            encodings = self._tokenizer.encode_batch(list(texts), add_special_tokens=True)
        return [encoding.ids for encoding in encodings]
