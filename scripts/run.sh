#!/usr/bin/env bash
# The main job on the embedded default: set up, then parse CVs (default: the sample template
# CVs in ../shared/data) into one JSON line per file in var/parsed.jsonl, with a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate
mkdir -p var
if [ "$#" -eq 0 ]; then
  set -- ../shared/data/layout-diverse-cv-pdfs/*.pdf ../shared/data/vanetik-vacancy-resume-matching/CV/*.docx
fi
screener parse --json "$@" > var/parsed.jsonl
python - <<'PY'
import json
rows = [json.loads(line) for line in open("var/parsed.jsonl")]
failed = [r for r in rows if "error" in r]
print(f"parsed {len(rows) - len(failed)} of {len(rows)} files into var/parsed.jsonl")
for r in failed:
    print(f"  {r['file']}: {r['error']['type']}: {r['error']['message']}")
PY
