"""OCR for pages without a usable text layer: render with PDFium, read with Tesseract.

Tesseract runs as a subprocess (Debian ``tesseract-ocr`` with ``eng``, ``deu``, ``tur``), so a
crash or a runaway page cannot take the parsing process with it, and it is bounded in time.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess

import pypdfium2 as pdfium

from screener.errors import CorruptDocument, OcrUnavailable, ResourceLimitExceeded
from screener.settings import DocumentLimits

__all__ = ["installed_ocr_languages", "ocr_image", "ocr_pdf_page"]

# A4 at 300 dpi is 8.7 Mpx; a page box far beyond paper size is scaled down rather than rendered
# into gigabytes (a decompression bomb in another guise).
_MAX_RENDER_PIXELS = 40_000_000


@functools.cache
def installed_ocr_languages() -> frozenset[str]:
    """Language packs the local Tesseract has; empty when Tesseract is not installed."""
    binary = shutil.which("tesseract")
    if binary is None:
        return frozenset()
    result = subprocess.run(
        [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
    )
    lines = result.stdout.splitlines()[1:]  # first line is a header
    return frozenset(line.strip() for line in lines if line.strip())


def _languages(requested: str, filename: str) -> str:
    installed = installed_ocr_languages()
    if not installed:
        raise OcrUnavailable(
            "this document needs OCR but Tesseract is not installed (scripts/setup.sh installs it)",
            filename=filename,
        )
    usable = [lang for lang in requested.split("+") if lang in installed]
    return "+".join(usable) if usable else "eng"


def ocr_image(png: bytes, *, filename: str, limits: DocumentLimits) -> str:
    """Text Tesseract reads from one page image (PNG bytes)."""
    languages = _languages(limits.ocr_languages, filename)
    try:
        result = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", languages, "--psm", "3"],
            input=png,
            capture_output=True,
            timeout=limits.ocr_timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ResourceLimitExceeded(
            f"OCR of one page took longer than {limits.ocr_timeout_s:g} s", filename=filename
        ) from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise CorruptDocument(f"OCR failed on a page image: {message[0]}", filename=filename)
    return result.stdout.decode("utf-8", "replace").replace("\f", "").strip()


def ocr_pdf_page(data: bytes, index: int, *, filename: str, limits: DocumentLimits) -> str:
    """Render page ``index`` (0-based) of a PDF and OCR it."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise CorruptDocument(f"the PDF page cannot be rendered: {exc}", filename=filename) from exc
    try:
        page = document[index]
        width, height = page.get_size()
        scale = limits.ocr_dpi / 72
        if width * height * scale * scale > _MAX_RENDER_PIXELS:
            scale = (_MAX_RENDER_PIXELS / max(width * height, 1.0)) ** 0.5
        image = page.render(scale=scale, grayscale=True).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
    except pdfium.PdfiumError as exc:
        raise CorruptDocument(
            f"page {index + 1} cannot be rendered: {exc}", filename=filename
        ) from exc
    finally:
        document.close()
    return ocr_image(buffer.getvalue(), filename=filename, limits=limits)
