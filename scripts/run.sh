#!/usr/bin/env bash
# The main job on the embedded default (SQLite, local model): set up, then rank a folder of CVs
# for a role and write the ranked table to var/ranked.csv.
#   scripts/run.sh                                   the sample template CVs, ML Engineer
#   scripts/run.sh DIR [ROLE] [MARKET]               your folder of PDF/DOCX/TXT CVs
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
. .venv/bin/activate
folder="${1:-../shared/data/layout-diverse-cv-pdfs}"
role="${2:-ml-engineer}"
market="${3:-de}"
mkdir -p var
screener rank "$folder" --role "$role" --market "$market" --out var/ranked.csv
echo "explain one candidate: screener screen FILE --role $role --market $market"
