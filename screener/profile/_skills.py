"""Skill mentions: exact alias hits from the gazetteer in ``screener/data/skills.tsv``.

The gazetteer is compiled once into two trie-shaped regular expressions (one case-insensitive,
one case-sensitive), so a CV is scanned twice whatever the number of aliases. Each alias has a
mode (see ``scripts/build_skill_gazetteer.py``): ``i`` any case, ``cs`` exact case because the
word is also ordinary English ("Excel", "Spring"), ``ctx`` exact case and only inside a list
because the name is a letter or a short word ("R", "C", "Go").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from screener.profile._model import SkillMention, TextSpan

__all__ = ["find_skill_mentions", "load_gazetteer"]

# A skill name never continues a word, an e-mail, a path or a version string on its left
# ("ASP.NET" is not ".NET", "PL-SQL" is one name; URLs are masked out
# beforehand), nor on its right ("C++" is not "C").
_LEFT = r"(?<![\w+#.@\\-])"
_RIGHT = r"(?![\w+#]|\.\w|-\w)"
_MASK = re.compile(r"\S+@\S+|(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|io|de|ai|co)/\S*")
_LIST_LEFT = re.compile(
    r"(?:^|[,;/|:(•·*▪\-–]|\band|&|\bund|\bve|\bin|\busing|\bwith)\s*$", re.IGNORECASE
)
_LIST_RIGHT = re.compile(
    r"^\s*(?:$|[,;/|)•·]|\.\s*$|\band\b|&(?!\w)|\bund\b|\bve\b|\(|programming|language|lang\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    insensitive: re.Pattern[str]
    sensitive: re.Pattern[str]
    canonical_folded: dict[str, str]  # lower-cased alias -> canonical (mode i)
    canonical_exact: dict[str, tuple[str, bool]]  # alias -> (canonical, needs list context)


def _trie_regex(words: list[str]) -> str:
    """One regex for many words; shared prefixes are factored so matching stays linear-ish."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict[str, dict]) -> str:
        ends = "" in node
        branches = []
        for char in sorted(c for c in node if c):
            token = r"\s+" if char == " " else re.escape(char)
            branches.append(token + render(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy optional: the longest alias wins, the shorter one is the fallback.
        return f"(?:{body})?" if ends else body

    return render(trie)


def _normalise(alias: str) -> str:
    return " ".join(alias.split())


@cache
def load_gazetteer() -> Gazetteer:
    """Read and compile the packaged gazetteer (once per process)."""
    data = resources.files("screener").joinpath("data/skills.tsv").read_text(encoding="utf-8")
    folded: dict[str, str] = {}
    exact: dict[str, tuple[str, bool]] = {}
    for line in data.splitlines():
        if not line or line.startswith("#"):
            continue
        alias, canonical, mode = line.split("\t")
        alias = _normalise(alias)
        if mode == "i":
            folded[alias.lower()] = canonical
        else:
            exact[alias] = (canonical, mode == "ctx")
    insensitive = re.compile(_LEFT + "(?:" + _trie_regex(list(folded)) + ")" + _RIGHT, re.I)
    sensitive = re.compile(_LEFT + "(?:" + _trie_regex(list(exact)) + ")" + _RIGHT)
    return Gazetteer(insensitive, sensitive, folded, exact)


def _in_list(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    left = text[line_start:start]
    right = text[end : len(text) if line_end == -1 else line_end]
    if re.match(r"\s*(?:programming|language|lang)\b", right, re.IGNORECASE):
        return True
    return bool(_LIST_LEFT.search(left)) and bool(_LIST_RIGHT.match(right))


def find_skill_mentions(text: str) -> list[SkillMention]:
    """Every gazetteer hit in text order; overlapping hits resolve to the longest."""
    gazetteer = load_gazetteer()
    masked = _MASK.sub(lambda m: " " * len(m.group()), text)
    candidates: list[tuple[int, int, str]] = []
    for match in gazetteer.insensitive.finditer(masked):
        canonical = gazetteer.canonical_folded.get(_normalise(match.group()).lower())
        if canonical is not None:
            candidates.append((match.start(), match.end(), canonical))
    for match in gazetteer.sensitive.finditer(masked):
        entry = gazetteer.canonical_exact.get(_normalise(match.group()))
        if entry is None:
            continue
        canonical, needs_list = entry
        if needs_list and not _in_list(masked, match.start(), match.end()):
            continue
        candidates.append((match.start(), match.end(), canonical))
    candidates.sort(key=lambda c: (c[0], -(c[1] - c[0])))
    mentions: list[SkillMention] = []
    last_end = -1
    for start, end, canonical in candidates:
        if start < last_end:
            continue
        mentions.append(SkillMention(canonical, text[start:end], TextSpan(start, end)))
        last_end = end
    return mentions
