#!/usr/bin/env bash
# One-time, idempotent set-up on a fresh Debian machine: OCR engine, virtual environment, project.
# Safe to re-run; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# Tesseract with English, German and Turkish models reads scanned CVs (image-only PDF pages).
if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx tur \
    || ! tesseract --list-langs 2>/dev/null | grep -qx deu; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-tur >/dev/null
fi

# Debian's Chromium and ChromeDriver drive the web-page tests (Playwright launches this binary;
# it never downloads a browser). Only the test command asks for them: scripts/setup.sh --browser.
if [ "${1:-}" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi

PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
# A C compiler and Python's headers build the PDF reader's per-glyph passes
# (screener/documents/_glyphs.c); without them the install skips it and PDFs read 3 times slower.
if ! command -v cc >/dev/null 2>&1 || ! "$PYTHON" -c \
    "import os, sysconfig; os.stat(os.path.join(sysconfig.get_paths()['include'], 'Python.h'))" \
    2>/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq gcc python3-dev >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# torch==2.13.0 resolves to the CPU wheel shipped on this machine kind (see README for GPU).
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 \
  | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import screener, pypdf, torch" >/dev/null
