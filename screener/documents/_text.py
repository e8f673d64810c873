"""Plain-text CVs: pick the encoding, refuse binary junk, normalise line breaks.

Encodings tried, in order: a byte-order mark (UTF-8, UTF-16, UTF-32); UTF-16 without a BOM
when every other byte is NUL; strict UTF-8; then the legacy Windows code page — cp1254 (Turkish)
when the bytes use its letters ğ ş ı İ Ş Ğ, otherwise cp1252 (Western European) — but only if
the result still reads as text.
"""

from __future__ import annotations

import codecs
import re

from screener.documents._assemble import PageContent, assemble_document
from screener.documents._model import DocumentKind, ParsedDocument
from screener.errors import EmptyDocument, UnsupportedFormat
from screener.settings import DocumentLimits

__all__ = ["decode_text", "detect_encoding", "read_text"]

_BOMS = (  # UTF-32 first: its little-endian BOM starts with the UTF-16 one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0 and C1 control characters other than tab, line feed, vertical tab, form feed, carriage return.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Zero-width characters that text editors leave behind (stray byte-order marks, soft joins).
_INVISIBLE = re.compile("[\u200b\ufeff]")
_MAX_CONTROL_RATIO = 0.01
_SAMPLE_CHARS = 64 * 1024  # the ratios are judged on the start; stray controls later are dropped
# A legacy-code-page guess must still look mostly like Latin-script prose.
_MIN_ASCII_RATIO_LEGACY = 0.7
_ASCII_TEXT = re.compile("[\t\n\r\x20-\x7e]")
# Bytes that are Icelandic letters in cp1252 but Turkish ones (Ğ İ Ş ğ ı ş) in cp1254.
_TURKISH_IN_CP1252 = re.compile("[ÐÝÞðýþ]")
_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_TRAILING_SPACE = re.compile("[ \t]+$", re.MULTILINE)


def decode_text(data: bytes, *, complete: bool = True) -> tuple[str, str] | None:
    """``(text, encoding)`` if ``data`` reads as text, else ``None``.

    Args:
        data: the bytes, or a leading sample of them.
        complete: False when ``data`` is a sample cut at an arbitrary byte, so a multi-byte
            character split at the end is not held against it.
    """
    for candidate in _candidate_encodings(data):
        try:
            text = codecs.getincrementaldecoder(candidate)().decode(data, final=complete)
        except UnicodeDecodeError:
            continue
        if candidate in ("cp1252", "latin-1") and _TURKISH_IN_CP1252.search(text):
            try:
                text, candidate = data.decode("cp1254"), "cp1254"
            except UnicodeDecodeError:
                pass
        if _reads_as_text(text, legacy=candidate in ("cp1252", "cp1254", "latin-1")):
            return text, candidate
        return None
    return None


def detect_encoding(sample: bytes, *, complete: bool = True) -> str | None:
    """The encoding ``sample`` is written in, or ``None`` when it is not text."""
    decoded = decode_text(sample, complete=complete)
    return decoded[1] if decoded else None


def read_text(data: bytes, filename: str, limits: DocumentLimits) -> ParsedDocument:
    """Read a plain-text CV.

    Raises:
        UnsupportedFormat: the bytes are binary, not text.
        EmptyDocument: nothing but whitespace.
    """
    from screener.documents._sniff import check_size  # _sniff imports this module

    check_size(data, filename, limits)
    decoded = decode_text(data)
    if decoded is None:
        raise UnsupportedFormat(
            "the file is binary, not text; accepted formats are PDF, DOCX or plain text (TXT)",
            filename=filename,
        )
    raw, encoding = decoded
    text = _normalise(raw)
    if not text:
        raise EmptyDocument("the text file has no text", filename=filename)
    warnings = []
    if encoding in ("cp1252", "cp1254", "latin-1"):
        warnings.append(f"not valid UTF-8; decoded as {encoding}")
    return assemble_document(
        data=data,
        filename=filename,
        kind=DocumentKind.TXT,
        pages=[PageContent(text=text)],
        warnings=warnings,
        max_text_chars=limits.max_text_chars,
    )


def _candidate_encodings(data: bytes) -> list[str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return [encoding]
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        return [utf16] if utf16 else []
    return ["utf-8", "cp1252", "latin-1"]


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the NULs sit on one byte parity, as in mostly-ASCII UTF-16."""
    even, odd = data[0::2], data[1::2]
    if not odd:
        return None
    even_nuls, odd_nuls = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _reads_as_text(text: str, *, legacy: bool) -> bool:
    text = text[:_SAMPLE_CHARS]
    if not text:
        return True
    if len(_CONTROL.findall(text)) > _MAX_CONTROL_RATIO * len(text):
        return False
    if legacy:
        return len(_ASCII_TEXT.findall(text)) >= _MIN_ASCII_RATIO_LEGACY * len(text)
    return True


def _normalise(text: str) -> str:
    text = _LINE_BREAKS.sub("\n", text)  # also keeps "\f" out: it separates pages downstream
    text = _CONTROL.sub("", text)
    text = _INVISIBLE.sub("", text)
    text = _TRAILING_SPACE.sub("", text)
    return text.strip()
