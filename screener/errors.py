"""Domain errors of the screening pipeline.

Every failure the pipeline can report is one of these; callers (CLI, API, batch workers) map them
to their own output without looking at third-party exceptions, which are translated here, at the
stage that raised them (``raise CorruptDocument(...) from exc``).

    ScreenerError
    └── DocumentError                 one input file could not be read; a batch goes on
        ├── UnsupportedFormat         not a PDF, DOCX or plain-text CV
        ├── EncryptedDocument         password-protected or encrypted
        ├── CorruptDocument           truncated, malformed or unreadable structure
        ├── EmptyDocument             zero pages, or no text even after OCR
        ├── DocumentTooLarge          over the configured byte or page limit
        ├── ResourceLimitExceeded     parsing ran past the time or memory bound
        │                             (decompression bombs, pathological object graphs)
        └── OcrUnavailable            a page needs OCR but Tesseract is not installed
"""

from __future__ import annotations

__all__ = [
    "CorruptDocument",
    "DocumentError",
    "DocumentTooLarge",
    "EmptyDocument",
    "EncryptedDocument",
    "OcrUnavailable",
    "ResourceLimitExceeded",
    "ScreenerError",
    "UnsupportedFormat",
]


class ScreenerError(Exception):
    """Base of every error the screening pipeline raises on purpose."""


class DocumentError(ScreenerError):
    """One input document could not be turned into text.

    Attributes:
        filename: the name the caller gave the document (may be empty).
    """

    def __init__(self, message: str, *, filename: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.filename = filename

    @property
    def kind(self) -> str:
        """Stable machine-readable name of the error class, e.g. ``EncryptedDocument``."""
        return type(self).__name__

    def __reduce__(self):  # keep the keyword argument across process boundaries
        return (_rebuild_document_error, (type(self), self.message, self.filename))


def _rebuild_document_error(cls: type[DocumentError], message: str, filename: str) -> DocumentError:
    return cls(message, filename=filename)


class UnsupportedFormat(DocumentError):
    """The bytes are not a PDF, DOCX or plain-text CV."""


class EncryptedDocument(DocumentError):
    """The document is encrypted or password-protected."""


class CorruptDocument(DocumentError):
    """The document is truncated or its structure cannot be read."""


class EmptyDocument(DocumentError):
    """The document has no pages, or no readable text even after OCR."""


class DocumentTooLarge(DocumentError):
    """The document exceeds the configured size or page limit."""


class ResourceLimitExceeded(DocumentError):
    """Reading the document exceeded the time or memory bound."""


class OcrUnavailable(DocumentError):
    """A page has no text layer and the OCR engine is not installed."""
