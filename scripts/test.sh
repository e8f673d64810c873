#!/usr/bin/env bash
# The whole test suite, from a fresh machine: set-up, lint, types, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
. .venv/bin/activate
ruff check screener embeddings rubrics api benchmarks tests scripts
mypy
python -m pytest "$@"
