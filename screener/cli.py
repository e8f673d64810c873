"""The ``screener`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from screener.settings import get_settings

__all__ = ["main"]


def _parse_command(args: argparse.Namespace) -> int:
    from screener.parsing import parse_paths, parse_result_json

    settings = get_settings()
    if args.workers is not None:
        settings = settings.model_copy(update={"parse_workers": args.workers})
    failures = 0
    for path, result in parse_paths(
        [Path(p) for p in args.files], settings=settings, reference_date=args.reference_date
    ):
        row = parse_result_json(path, result)
        failures += "error" in row
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        elif "error" in row:
            print(f"{path}: FAILED {row['error']['type']}: {row['error']['message']}", flush=True)
        else:
            kinds = ", ".join(dict.fromkeys(s["kind"] for s in row["sections"]))
            profile = row["profile"]
            print(
                f"{path}: {row['pages']} page(s){' (OCR)' if row['ocr_used'] else ''}, "
                f"{len(row['text'])} chars; sections: {kinds}; "
                f"experience {profile['total_experience_months']} months; "
                f"{len(profile['education'])} education, {len(profile['skill_mentions'])} skills",
                flush=True,
            )
            for warning in row["warnings"]:
                print(f"  warning: {warning}", flush=True)
    # A file that could not be read is reported, not a failed command; 1 only if all failed.
    return 1 if failures and failures == len(args.files) else 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="screener", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser(
        "parse", help="Parse CV files (PDF, DOCX, TXT) into text, sections and profile."
    )
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.add_argument("--json", action="store_true", help="one JSON object per line per file")
    parse.add_argument("--workers", type=int, default=None, help="parse processes (0: per core)")
    parse.add_argument(
        "--reference-date",
        type=date.fromisoformat,
        default=date.today(),
        help="date that 'present'/'heute'/'halen' resolve to (YYYY-MM-DD; default today)",
    )
    parse.set_defaults(handler=_parse_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `screener parse ... | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
