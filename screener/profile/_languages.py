"""Spoken languages and the number of publications."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from screener.sections import Section, SectionKind

__all__ = ["count_publications", "find_languages"]

# Canonical English name: spellings in English, German and Turkish (with and without accents).
_LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "English": ("english", "englisch", "ingilizce"),
    "German": ("german", "deutsch", "almanca"),
    "Turkish": ("turkish", "türkisch", "turkisch", "türkçe", "turkce"),
    "Arabic": ("arabic", "arabisch", "arapça", "arapca"),
    "French": ("french", "französisch", "franzosisch", "fransızca", "fransizca"),
    "Spanish": ("spanish", "spanisch", "ispanyolca"),
    "Italian": ("italian", "italienisch", "italyanca"),
    "Russian": ("russian", "russisch", "rusça", "rusca"),
    "Chinese": ("chinese", "mandarin", "cantonese", "chinesisch", "çince", "cince"),
    "Japanese": ("japanese", "japanisch", "japonca"),
    "Korean": ("korean", "koreanisch", "korece"),
    "Portuguese": ("portuguese", "portugiesisch", "portekizce"),
    "Dutch": ("dutch", "niederländisch", "niederlandisch", "hollandaca", "felemenkçe"),
    "Polish": ("polish", "polnisch", "lehçe", "lehce"),
    "Greek": ("greek", "griechisch", "yunanca"),
    "Persian": ("persian", "farsi", "persisch", "farsça", "farsca"),
    "Kurdish": ("kurdish", "kurdisch", "kürtçe", "kurtce"),
    "Hindi": ("hindi",),
    "Urdu": ("urdu",),
    "Bengali": ("bengali", "bangla"),
    "Tamil": ("tamil",),
    "Telugu": ("telugu",),
    "Kannada": ("kannada",),
    "Malayalam": ("malayalam",),
    "Marathi": ("marathi",),
    "Gujarati": ("gujarati",),
    "Punjabi": ("punjabi",),
    "Ukrainian": ("ukrainian", "ukrainisch", "ukraynaca"),
    "Romanian": ("romanian", "rumänisch", "romence"),
    "Swedish": ("swedish", "schwedisch", "isveççe"),
}


def _fold(text: str) -> str:
    """Lower-case without accents; Turkish dotted/dotless i both become i."""
    text = text.replace("İ", "i").replace("ı", "i").lower()
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


_SPELLING_TO_NAME = {
    _fold(spelling): name for name, spellings in _LANGUAGE_NAMES.items() for spelling in spellings
}
_LANGUAGE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(re.escape(s) for s in sorted(_SPELLING_TO_NAME, key=len, reverse=True))
    + r")(?!\w)",
)
# Outside a languages section only a labelled line counts: "English" in prose ("English
# literature", "German market") says nothing about what the candidate speaks.
_LABELLED_LINE = re.compile(
    r"^\s*(?:languages?|spoken languages|sprachen|sprachkenntnisse|fremdsprachen|diller"
    r"|yabancı diller?|yabanci diller?|dil bilgisi)\s*[:\-–]\s*(?P<body>.+)$",
    re.IGNORECASE | re.MULTILINE,
)


def find_languages(text: str, sections: Sequence[Section]) -> list[str]:
    bodies = [text[s.start : s.end] for s in sections if s.kind is SectionKind.LANGUAGES]
    bodies += [m["body"] for m in _LABELLED_LINE.finditer(text)]
    found: list[str] = []
    for body in bodies:
        for match in _LANGUAGE.finditer(_fold(body)):
            name = _SPELLING_TO_NAME[match.group()]
            if name not in found:
                found.append(name)
    return found


_ITEM = re.compile(r"^\s*(?:\[\d+\]|\d+[.)]|[•·▪■►*●–-])\s+\S", re.MULTILINE)
_CITATION = re.compile(
    r"\bet al\b\.?|arXiv:\s?\d|\bdoi:?\s?10\.\d|\bIn Proc(?:eedings|\.)|\bProc\.\s|\bJournal of\b"
    r"|\bConference on\b|\b(?:NeurIPS|NIPS|ICML|ICLR|CVPR|ICCV|ECCV|ACL|EMNLP|NAACL|AAAI|IJCAI"
    r"|KDD|SIGIR|WWW|Interspeech|ICASSP)\b\s*['’]?\d{2,4}",
)


def count_publications(text: str, sections: Sequence[Section]) -> int:
    """Items of the publications section(s); without one, lines that read like citations."""
    bodies = [text[s.start : s.end] for s in sections if s.kind is SectionKind.PUBLICATIONS]
    if bodies:
        total = 0
        for body in bodies:
            items = len(_ITEM.findall(body))
            if items == 0:
                # Unmarked lists: one publication per paragraph, or per line with a year.
                paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
                dated = [
                    line for line in body.splitlines() if re.search(r"\b(?:19|20)\d\d\b", line)
                ]
                items = max(len(paragraphs), len(dated)) if len(paragraphs) > 1 else len(dated)
            total += items
        return total
    return sum(1 for line in text.splitlines() if _CITATION.search(line))
