"""Field-extraction accuracy of the profile stage against two labelled resume sets.

Run from the repository root::

    python -m benchmarks.fields [--data-dir ../shared/data] [--json OUT]

Data sets (``--data-dir``):
- Dataturks resume NER (``dataturks-resume-ner/traindata.json`` 200 CVs, ``testdata.json`` 20):
  Indeed resumes with labelled spans.
- dotin resume NER (``dotin-resume-ner-545/train`` 310 CVs, ``test_50cvs`` 50): inline XML,
  ``<label type="...">span</label>``; the document text is the XML text with the tags removed.

Fields and what is compared:
- ``email``: gold "Email Address" spans vs our contact identifiers. In Dataturks nearly every
  "Email Address" is an Indeed relay link (``indeed.com/r/Name/hash``), so there the prediction
  is our e-mails **plus our Indeed links**; in dotin (real-looking e-mail addresses) only e-mails.
  Compared exactly after normalising case and URLs (no scheme, ``www.``, query or line breaks);
  an Indeed link is compared on its ``/r/<slug>/<hash>`` path, because the gold spans often clip
  or extend the host ("ndeed.com/r/…", "Indeed: indeed.com/r/…").
- ``name``: gold "Name" vs ``contacts.name``.
- ``degree``: gold "Degree" vs ``EducationEntry.degree``.
- ``designation``: gold "Designation" vs ``ExperienceEntry.title``.
- ``companies``: gold "Companies worked at" vs ``ExperienceEntry.organisation``.
- ``skills`` (dotin only): gold "Tech Tools" vs ``SkillMention.text`` (the text as written).

Matching: strings are normalised (NFKC, case-folded, every character other than letters, digits
and ``+#.`` becomes a space, spaces collapsed). Gold spans and predictions are each deduplicated
per document on that normal form. A prediction matches a gold span if the normal forms are
equal or, except for ``email``, if their token sets overlap with Jaccard >= 0.5 ("Microsoft
Word" ~ "Word", "Oracle 10g" ~ "Oracle"); pairs are matched one-to-one, exact pairs first.
Scores are micro-averaged: TP, FP and FN summed over documents, then precision, recall, F1.

A document counts for a field only if its gold has at least one span of that field: both sets
leave whole fields unlabelled in some CVs (a Dataturks CV without any "Designation" label still
lists jobs), and scoring our output there would measure the annotation gaps, not the extractor.
The number of documents behind each figure is reported.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path

from screener.profile import CandidateProfile, LinkKind, extract_profile
from screener.profile._contacts import normalise_url

FIELDS = ("email", "name", "degree", "designation", "companies", "skills")
_GOLD_LABELS = {
    "Email Address": "email",
    "Name": "name",
    "Degree": "degree",
    "Designation": "designation",
    "Companies worked at": "companies",
    "Tech Tools": "skills",
}
# Both sets were scraped from Indeed around 2018-2019; "Present" is resolved against this.
_REFERENCE_DATE = date(2019, 6, 1)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    documents: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            **asdict(self),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class Document:
    text: str
    gold: dict[str, list[str]] = field(default_factory=dict)


def normalise(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold()
    value = re.sub(r"[^\w+#.]+|_", " ", value)
    return " ".join(token.strip(".") for token in value.split() if token.strip("."))


def _normalise_email(value: str) -> str:
    value = re.sub(r"\s+", "", value).lower()
    if "@" in value:
        return value.strip(".,;:")
    # An Indeed relay link is identified by its /r/<slug>/<hash> path; annotators' spans often
    # clip or extend the host ("ndeed.com/r/…", "Indeed: indeed.com/r/…").
    if "/r/" in value:
        return "r/" + normalise_url(value.split("/r/", 1)[1])
    return normalise_url(value)


def _jaccard(a: str, b: str) -> float:
    left, right = set(a.split()), set(b.split())
    return len(left & right) / len(left | right) if left | right else 0.0


def score_document(predicted: list[str], gold: list[str], *, fuzzy: bool) -> tuple[int, int, int]:
    """(tp, fp, fn) for one document; inputs are already normalised and deduplicated."""
    unmatched_gold = list(gold)
    unmatched_pred = []
    tp = 0
    for value in predicted:
        if value in unmatched_gold:
            unmatched_gold.remove(value)
            tp += 1
        else:
            unmatched_pred.append(value)
    if fuzzy:
        for value in list(unmatched_pred):
            best = max(unmatched_gold, key=lambda g: _jaccard(value, g), default=None)
            if best is not None and _jaccard(value, best) >= 0.5:
                unmatched_gold.remove(best)
                unmatched_pred.remove(value)
                tp += 1
    return tp, len(unmatched_pred), len(unmatched_gold)


def predictions(
    profile: CandidateProfile, *, indeed_links_are_emails: bool
) -> dict[str, list[str]]:
    emails = list(profile.contacts.emails)
    if indeed_links_are_emails:
        emails += [link.url for link in profile.contacts.links if link.kind is LinkKind.INDEED]
    return {
        "email": emails,
        "name": [profile.contacts.name] if profile.contacts.name else [],
        "degree": [entry.degree for entry in profile.education],
        "designation": [entry.title for entry in profile.experience if entry.title],
        "companies": [entry.organisation for entry in profile.experience if entry.organisation],
        "skills": [mention.text for mention in profile.skill_mentions],
    }


def _dedup(values: list[str], normaliser: Callable[[str], str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        key = normaliser(value)
        if key and key not in seen:
            seen.append(key)
    return seen


def score_profiles(
    labelled: Iterable[tuple[CandidateProfile, dict[str, list[str]]]],
    *,
    indeed_links_are_emails: bool,
) -> dict[str, Score]:
    """Micro-averaged scores of extracted profiles against gold values, per field.

    ``labelled`` pairs a profile with its gold values by field name (``FIELDS``); a field
    without gold values in a document is not scored for that document.
    """
    scores = {name: Score() for name in FIELDS}
    for profile, gold_values in labelled:
        predicted = predictions(profile, indeed_links_are_emails=indeed_links_are_emails)
        for name in FIELDS:
            if not gold_values.get(name):
                continue
            normaliser = _normalise_email if name == "email" else normalise
            gold = _dedup(gold_values[name], normaliser)
            tp, fp, fn = score_document(
                _dedup(predicted[name], normaliser), gold, fuzzy=name != "email"
            )
            score = scores[name]
            score.tp += tp
            score.fp += fp
            score.fn += fn
            score.documents += 1
    return {name: score for name, score in scores.items() if score.documents}


def evaluate(documents: list[Document], *, indeed_links_are_emails: bool) -> dict[str, Score]:
    return score_profiles(
        (
            (extract_profile(document.text, reference_date=_REFERENCE_DATE), document.gold)
            for document in documents
        ),
        indeed_links_are_emails=indeed_links_are_emails,
    )


def load_dataturks(path: Path) -> Iterator[Document]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            record = json.loads(line)
            document = Document(text=record["content"])
            for annotation in record.get("annotation") or []:
                for label in annotation["label"]:
                    name = _GOLD_LABELS.get(label)
                    if name is None:
                        continue
                    for point in annotation["points"]:
                        document.gold.setdefault(name, []).append(point["text"])
            yield document


def load_dotin(folder: Path) -> Iterator[Document]:
    for path in sorted(folder.glob("*.xml")):
        root = ET.parse(path).getroot()
        parts = [root.text or ""]
        document = Document(text="")
        for label in root:
            span = label.text or ""
            name = _GOLD_LABELS.get(label.get("type", ""))
            if name is not None and span.strip():
                document.gold.setdefault(name, []).append(span)
            parts.append(span)
            parts.append(label.tail or "")
        document.text = "".join(parts)
        yield document


def run(
    data_dir: Path, limit: int | None = None
) -> dict[str, dict[str, dict[str, dict[str, float | int]]]]:
    """Scores per data set and split, and pooled; ``limit`` caps the documents per split."""
    results: dict[str, dict[str, dict[str, dict[str, float | int]]]] = {}
    turks = data_dir / "dataturks-resume-ner"
    dotin = data_dir / "dotin-resume-ner-545"
    splits = [
        ("dataturks", "train", lambda: load_dataturks(turks / "traindata.json"), True),
        ("dataturks", "test", lambda: load_dataturks(turks / "testdata.json"), True),
        ("dotin", "train", lambda: load_dotin(dotin / "train"), False),
        ("dotin", "test_50cvs", lambda: load_dotin(dotin / "test_50cvs"), False),
    ]
    # The acceptance set: Dataturks train + test and dotin test_50cvs, micro-averaged together.
    pooled: dict[str, Score] = {}
    for dataset, split, load, indeed in splits:
        scores = evaluate(list(islice(load(), limit)), indeed_links_are_emails=indeed)
        results.setdefault(dataset, {})[split] = {k: v.as_dict() for k, v in scores.items()}
        if (dataset, split) != ("dotin", "train"):
            for name, score in scores.items():
                total = pooled.setdefault(name, Score())
                total.tp += score.tp
                total.fp += score.fp
                total.fn += score.fn
                total.documents += score.documents
    results["pooled"] = {"turks+dotin_test": {k: v.as_dict() for k, v in pooled.items()}}
    return results


def _table(results: dict[str, dict[str, dict[str, dict[str, float | int]]]]) -> str:
    rows = [f"{'data set':<10} {'split':<16} {'field':<12} {'docs':>5} {'P':>6} {'R':>6} {'F1':>6}"]
    for dataset, splits in results.items():
        for split, fields in splits.items():
            for name, score in fields.items():
                rows.append(
                    f"{dataset:<10} {split:<16} {name:<12} {score['documents']:>5} "
                    f"{score['precision']:>6.3f} {score['recall']:>6.3f} {score['f1']:>6.3f}"
                )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Profile field extraction F1")
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--json", type=Path, default=Path("benchmarks/results/fields.json"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = run(args.data_dir)
    print(_table(results))
    print(f"\n{time.perf_counter() - started:.1f} s")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
