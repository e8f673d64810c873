"""Whole-word alias matching with per-alias case rules.

An alias is found only as a whole token sequence: ``R`` is not found in "React", ``Go`` not in
"Google", ``C++`` not in "C+++", ``.NET`` not in "ASP.NET". Spaces inside an alias match any run of
spaces or hyphens and a hyphen matches a hyphen, a space or nothing ("fine-tuning" finds "fine
tuning" and "finetuning"). Three match modes:

- ``any_case``   case-insensitive (distinctive names: ``PyTorch``, ``Kubernetes``);
- ``exact_case`` case-sensitive, for names whose lower-case form is an ordinary word
                 (``Spark`` vs "spark", ``Helm`` vs "helm", ``LoRA`` vs "Lora");
- ``in_list``    case-sensitive and only inside a list (commas, slashes, bullets, line ends,
                 "and"/"or") or before "programming"/"language": ``R``, ``C``, ``Go``.

Overlapping hits resolve to the longest one ("Apache Spark" over "Spark").

An alias with ``near`` phrases counts only where one of them, other than the hit's own word,
occurs within ``NEAR_CHARS`` characters: "clustering" beside "k-means" is machine learning, in
"database mirroring, replication, clustering" it is not; "Transformers" beside "BERT" is the
library, in "Special Test on Transformers … 33 KV" it is electrical equipment.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

__all__ = [
    "Alias",
    "AliasMatcher",
    "MatchMode",
    "Mention",
    "forget_recent_texts",
    "longest_of_overlaps",
]


class MatchMode(StrEnum):
    """How strictly an alias is matched; see the module docstring."""

    ANY_CASE = "any_case"
    EXACT_CASE = "exact_case"
    IN_LIST = "in_list"


def _checked_near_phrases(value: tuple[str, ...]) -> tuple[str, ...]:
    for phrase in value:
        if not phrase or phrase != phrase.strip() or "\n" in phrase or len(phrase) > 80:
            raise ValueError("near phrases are 1-80 characters on one line, no outer spaces")
    return value


NearPhrases = Annotated[
    tuple[str, ...], Field(max_length=80), AfterValidator(_checked_near_phrases)
]
"""Context phrases (any case, whole words) of an alias or a phrase rule: a hit counts only
where one of them, other than the hit's own word, lies within ``NEAR_CHARS`` characters."""


class Alias(BaseModel):
    """One spelling of a skill and how to match it. In YAML a plain string is ``any_case``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str = Field(min_length=1, max_length=80)
    match: MatchMode = MatchMode.ANY_CASE
    near: NearPhrases = ()

    @field_validator("text")
    @classmethod
    def _stripped_one_line(cls, value: str) -> str:
        if value != value.strip() or "\n" in value:
            raise ValueError("alias must be one line without surrounding spaces")
        return value

    @model_serializer(mode="wrap")
    def _without_empty_near(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # an alias without context dumps as before, so the versions of roles that use none
        # stay what they were
        data: dict[str, Any] = handler(self)
        if not self.near:
            data.pop("near", None)
        return data


@dataclass(frozen=True, slots=True)
class Mention:
    """One alias hit in a text: ``text[start:end]`` is what was found, ``key`` whose alias it is."""

    key: str
    alias: str
    start: int
    end: int
    text: str


# A hit may not continue a word or a symbol-bearing name on either side. "." counts as part of a
# name only when a word character follows it ("Node.js", "ASP.NET"), not at the end of a sentence.
_BEFORE = r"(?<![\w@#+])(?<!\w\.)"
_AFTER = r"(?![\w+#])(?!\.\w)"

_LIST_LEFT = re.compile(
    r"(?:^|[,/;:|(&•·*\n]|\b(?:and|or|und|oder|ve|veya|as|such as|e\.g\.)|\s-)\s*$"
)
_LIST_RIGHT = re.compile(
    r"^\s*(?:$|[,/;|()\n]|&\s|-\s|\.(?:\s|$)|(?:and|or|und|oder|ve|veya|etc)\b)"
)
_LANGUAGE_WORD = re.compile(r"^[\s(-]*(?:programming|language|lang\b|scripts?\b|scripting|Studio)")
_COPYRIGHT = re.compile(r"^\)\s*\d")


def _alias_pattern(text: str) -> str:
    parts: list[str] = []
    for char in text:
        if char == " ":
            parts.append(r"[\s\-]+")
        elif char == "-":
            parts.append(r"[\s\-]?")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _matches(term: _Term, text: str, lowered: str) -> Iterator[re.Match[str]]:
    """``term.regex.finditer(text)``, trying the pattern only where its probe starts.

    A hit starts with the alias's first word, so it can only start where ``lowered`` has the
    probe; matching there instead of scanning the whole CV with every alias's pattern is what
    keeps a rubric's hundreds of phrases cheap. Where lower-casing changed the text's length
    (a few non-Latin letters), positions differ and the whole text is scanned.
    """
    if not term.probe or len(lowered) != len(text):
        yield from term.regex.finditer(text)
        return
    position = lowered.find(term.probe)
    while position >= 0:
        match = term.regex.match(text, position)
        if match is not None:
            yield match
            position = lowered.find(term.probe, match.end())
        else:
            position = lowered.find(term.probe, position + 1)


def _in_list_context(text: str, start: int, end: int) -> bool:
    right = text[end : end + 40]
    if _LANGUAGE_WORD.match(right):
        return True
    if _COPYRIGHT.match(right):  # "(C) 2019"
        return False
    left = text[max(0, start - 40) : start]
    return bool(_LIST_LEFT.search(left)) and bool(_LIST_RIGHT.match(right))


@dataclass(frozen=True, slots=True)
class _Term:
    key: str
    alias: str
    mode: MatchMode
    regex: re.Pattern[str]
    probe: str  # lower-cased text that must occur for the regex to have a chance
    near: re.Pattern[str] | None  # one of the alias's near phrases, any case, whole words


NEAR_CHARS = 200
"""How far from an alias's hit one of its ``near`` phrases may be, either side."""


def _beside(near: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """Whether a ``near`` phrase lies within ``NEAR_CHARS`` of the hit ``text[start:end]``,
    on either side of it and other than the hit's own word.

    A context list may hold the alias itself (the software words hold "cloud" and "API"): the
    hit never vouches for itself, nor does the same word again ("API 6A … API 5L" in a
    pipeline engineer's codes is no software).
    """
    own = text[start:end].casefold()
    for low, high in ((max(0, start - NEAR_CHARS), start), (end, end + NEAR_CHARS)):
        for found in near.finditer(text, low, high):
            if found.group().casefold() != own:
                return True
    return False


# A hit starts where no word character stands before it (``_BEFORE`` asks more), with its
# alias's first word (the probe) in lower case; the lower-cased text's windows of 3 to 6
# characters at such places tell which probes can be there at all.
_MIN_WINDOW, _MAX_WINDOW = 3, 6
_WORD_START = re.compile(rf"(?<!\w)(?=(\S{{1,{_MAX_WINDOW}}}))")


class _TextProbes:
    """One text as every matcher's probes test it: lower-cased, with the set of windows that
    start a word. Built once per text (``_probes_of`` keeps the last few): a CV's text goes
    through some 40 matchers in a row (each role's skills, each rule's phrases), and searching
    the whole text for each of their ~1,900 probes had taken longer than the matching itself."""

    __slots__ = ("lowered", "windows")

    def __init__(self, text: str) -> None:
        self.lowered = text.lower()
        self.windows = {
            found[:length]
            for found in _WORD_START.findall(self.lowered)
            for length in range(_MIN_WINDOW, len(found) + 1)
        }

    def may_hold(self, probe: str) -> bool:
        """False only where no hit can start with ``probe``; the text is searched where the
        windows cannot tell (a probe under 3 or over 6 characters)."""
        if len(probe) < _MIN_WINDOW:
            return probe in self.lowered
        if probe[:_MAX_WINDOW] not in self.windows:
            return False
        return len(probe) <= _MAX_WINDOW or probe in self.lowered


@functools.lru_cache(maxsize=8)  # a few CVs screened at once by the service's threads
def _probes_of(text: str) -> _TextProbes:
    return _TextProbes(text)


def forget_recent_texts() -> None:
    """Drop the texts kept for the next matchers (a candidate's erasure: no CV text stays)."""
    _probes_of.cache_clear()


class AliasMatcher:
    """Finds alias mentions in text. Build once per term set; ``find`` is pure and thread-safe.

    Args:
        terms: ``(key, alias)`` pairs; the key is returned with each mention (a skill id).
    """

    def __init__(self, terms: Iterable[tuple[str, Alias]]) -> None:
        compiled: list[_Term] = []
        seen: set[tuple[str, str, MatchMode, tuple[str, ...]]] = set()
        for key, alias in terms:
            marker = (key, alias.text, alias.match, alias.near)
            if marker in seen:
                continue
            seen.add(marker)
            flags = re.IGNORECASE if alias.match is MatchMode.ANY_CASE else 0
            regex = re.compile(_BEFORE + _alias_pattern(alias.text) + _AFTER, flags)
            probe = re.split(r"[\s\-]", alias.text.lower(), maxsplit=1)[0]
            near = None
            if alias.near:
                either = "|".join(_alias_pattern(phrase) for phrase in alias.near)
                near = re.compile(f"{_BEFORE}(?:{either}){_AFTER}", re.IGNORECASE)
            compiled.append(_Term(key, alias.text, alias.match, regex, probe, near))
        self._terms = tuple(compiled)

    def __len__(self) -> int:
        return len(self._terms)

    def find(self, text: str) -> list[Mention]:
        """All non-overlapping mentions in ``text``, in text order (longest hit wins overlaps)."""
        probes = _probes_of(text)
        hits: list[Mention] = []
        for term in self._terms:
            if probes.may_hold(term.probe):
                hits.extend(term_mentions(term, text, _matches(term, text, probes.lowered)))
        spans = [(m.start, m.end, m.key) for m in hits]
        return [hits[i] for i in longest_of_overlaps(spans)]


def term_mentions(term: _Term, text: str, matches: Iterable[re.Match[str]]) -> Iterator[Mention]:
    """The mentions among ``matches`` of ``term``'s pattern in ``text`` that its match mode and
    near phrases allow."""
    for match in matches:
        start, end = match.span()
        if term.mode is MatchMode.IN_LIST and not _in_list_context(text, start, end):
            continue
        if term.near is not None and not _beside(term.near, text, start, end):
            continue
        yield Mention(term.key, term.alias, start, end, match.group())


def longest_of_overlaps(spans: list[tuple[int, int, str]]) -> list[int]:
    """Indices of the ``(start, end, key)`` hits kept where hits overlap, in text order: the
    longest wins, then the earlier, then the smaller key. One mention is one phrase, whether an
    alias or a rule's pattern found it."""
    chosen: list[int] = []
    for index in sorted(
        range(len(spans)), key=lambda i: (spans[i][0] - spans[i][1], spans[i][0], spans[i][2])
    ):
        start, end, _ = spans[index]
        if all(end <= spans[c][0] or start >= spans[c][1] for c in chosen):
            chosen.append(index)
    return sorted(chosen, key=lambda i: (spans[i][0], spans[i][2]))
