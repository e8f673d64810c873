"""Decide what kind of document some bytes are, before any parser sees them.

The content decides, not the file name: a CV saved as ``cv.pdf`` that is really a Word file is
read as DOCX. ``check_size`` runs first, so no parser or sniffer ever touches an oversized input.
"""

from __future__ import annotations

import io
import zipfile

from screener.documents._model import DocumentKind
from screener.documents._text import detect_encoding
from screener.errors import DocumentTooLarge, UnsupportedFormat
from screener.settings import DocumentLimits

__all__ = [
    "ACCEPTED_FORMATS",
    "OLE_MAGIC",
    "check_size",
    "is_encrypted_ooxml",
    "is_word_archive",
    "sniff_kind",
]

ACCEPTED_FORMATS = "PDF, DOCX or plain text (TXT)"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file: .doc, .xls, encrypted OOXML
ZIP_MAGIC = b"PK\x03\x04"
_PDF_MAGIC = b"%PDF-"
_PDF_MAGIC_WINDOW = 1024  # Acrobat accepts junk before the header; so do we, within 1 KiB
_TEXT_SAMPLE_BYTES = 64 * 1024
_WORD_MAIN_PART = "word/document.xml"
_WORD_CONTENT_TYPE = b"wordprocessingml.document.main+xml"
# An encrypted OOXML file is an OLE container holding these streams (MS-OFFCRYPTO); the
# directory stores stream names as UTF-16LE.
_ENCRYPTION_STREAMS = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_SAVE_AS = "save it as DOCX or PDF and upload it again"


def check_size(data: bytes | int, filename: str, limits: DocumentLimits) -> None:
    """Raise ``DocumentTooLarge`` when ``data`` (bytes, or a byte count) is over the limit."""
    size = data if isinstance(data, int) else len(data)
    if size > limits.max_bytes:
        raise DocumentTooLarge(
            f"the file is {size:,} bytes; the limit is {limits.max_bytes:,} bytes",
            filename=filename,
        )


def is_encrypted_ooxml(data: bytes) -> bool:
    """True for a password-protected Office file (an OLE container with encryption streams)."""
    return data.startswith(OLE_MAGIC) and any(name in data for name in _ENCRYPTION_STREAMS)


def is_word_archive(archive: zipfile.ZipFile) -> bool:
    """True when a zip archive holds a WordprocessingML main document part."""
    names = set(archive.namelist())
    if _WORD_MAIN_PART in names:
        return True
    # Some generators name the main part differently; the content types still say what it is.
    if "[Content_Types].xml" not in names:
        return False
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > 1024 * 1024:
        return False
    return _WORD_CONTENT_TYPE in archive.read(info)


def sniff_kind(data: bytes, filename: str) -> DocumentKind:
    """The kind of document ``data`` holds.

    Raises:
        UnsupportedFormat: anything but a PDF, a DOCX or a text file; the message names the
            accepted formats, and for legacy Word, RTF and OpenDocument files how to convert.
    """
    if _PDF_MAGIC in data[:_PDF_MAGIC_WINDOW]:
        return DocumentKind.PDF
    if data.startswith(ZIP_MAGIC):
        return _sniff_zip(data, filename)
    if data.startswith(OLE_MAGIC):
        if is_encrypted_ooxml(data):
            return DocumentKind.DOCX  # the DOCX reader reports it as encrypted
        raise UnsupportedFormat(
            "this is a legacy binary Office file (.doc); " + _SAVE_AS, filename=filename
        )
    if data.lstrip()[:5] == b"{\\rtf":
        raise UnsupportedFormat("this is a Rich Text (RTF) file; " + _SAVE_AS, filename=filename)
    if detect_encoding(data[:_TEXT_SAMPLE_BYTES], complete=len(data) <= _TEXT_SAMPLE_BYTES):
        return DocumentKind.TXT
    raise UnsupportedFormat(
        f"unrecognised file format; accepted formats are {ACCEPTED_FORMATS}", filename=filename
    )


def _sniff_zip(data: bytes, filename: str) -> DocumentKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if is_word_archive(archive):
                return DocumentKind.DOCX
            names = set(archive.namelist())
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        # A truncated DOCX has no central directory, but its local headers still name the parts;
        # let the DOCX reader report it as corrupt rather than calling it an unknown format.
        if _WORD_MAIN_PART.encode() in data:
            return DocumentKind.DOCX
        raise UnsupportedFormat(
            f"a damaged or unrecognised zip archive; accepted formats are {ACCEPTED_FORMATS}",
            filename=filename,
        ) from None
    if "content.xml" in names and "mimetype" in names:
        detail = "an OpenDocument file (.odt); " + _SAVE_AS
    elif any(name.startswith(("xl/", "ppt/")) for name in names):
        detail = f"a spreadsheet or presentation; accepted formats are {ACCEPTED_FORMATS}"
    else:
        detail = f"a zip archive, not a Word document; accepted formats are {ACCEPTED_FORMATS}"
    raise UnsupportedFormat(f"this is {detail}", filename=filename)
