"""The CV text with every quoted piece of evidence highlighted, and the explanation's summary.

Evidence carries character offsets into the stored document text; each quote on the candidate
page links to its highlight (``#ev-N``) so a recruiter can read it in context.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from markupsafe import Markup, escape

__all__ = ["evidence_key", "highlighted_text", "summary_lines"]


def evidence_key(evidence: Mapping[str, Any]) -> str:
    return f"{evidence['start']}-{evidence['end']}"


def _evidence(result: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for dimension in result.get("dimensions", {}).values():
        for rule in dimension.get("rules", []):
            yield from rule.get("evidence") or []
    for group in result.get("skills", {}).values():
        for skill in group:
            if skill.get("evidence"):
                yield skill["evidence"]
    for item in [*result.get("red_flags", []), *result.get("sourcing_signals", [])]:
        yield from item.get("evidence") or []


def highlighted_text(text: str, result: Mapping[str, Any]) -> tuple[Markup, dict[str, str]]:
    """The escaped CV text with ``<mark id="ev-N">`` around evidence, and for each piece of
    evidence (``evidence_key``) the id of the highlight that holds it.

    Overlapping quotes share one highlight. Offsets that do not fall inside the text (a CV
    re-read by a newer parser) are skipped rather than guessed.
    """
    spans = sorted(
        {
            (int(e["start"]), int(e["end"]))
            for e in _evidence(result)
            if 0 <= int(e["start"]) < int(e["end"]) <= len(text)
        }
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    ids: dict[str, str] = {}
    for start, end in spans:
        index = next(i for i, (s, e) in enumerate(merged) if s <= start < e)
        ids[f"{start}-{end}"] = f"ev-{index + 1}"
    parts: list[str] = []
    cursor = 0
    for index, (start, end) in enumerate(merged, start=1):
        parts.append(str(escape(text[cursor:start])))
        parts.append(f'<mark id="ev-{index}" tabindex="-1">{escape(text[start:end])}</mark>')
        cursor = end
    parts.append(str(escape(text[cursor:])))
    return Markup("".join(parts)), ids


def summary_lines(explanation: str) -> list[str]:
    """The bullet lines under "Summary" in the explanation text (strengths, gaps, red flags,
    sourcing signals, salary band)."""
    lines = explanation.splitlines()
    try:
        start = lines.index("Summary") + 1
    except ValueError:
        return []
    out = []
    for line in lines[start:]:
        if not line.strip():
            break
        out.append(line.removeprefix("- ").strip())
    return out
