"""Hybrid skill matching: exact alias hits are certain, semantic hits catch paraphrases.

For one CV and one role every skill gets a status:

- **found** — the CV names the skill or an alias (``torch`` → PyTorch), unless it says in the
  same sentence that it lacks the skill or wants to learn it ("Don't have experience but would
  like to develop skills with Python"), or, for a concept skill
  (``paraphrase: true`` in the role file: RAG, A/B testing, drift monitoring), one of its chunks
  is at least as close to the skill as the calibrated ``found`` threshold;
- **related** — the best chunk clears only the lower ``related`` threshold;
- **missing** — neither.

Semantic hits come from prose only: a chunk of names ("Environment: Hive, Spark, Sqoop, Scala",
a skills line, a job title, see ``is_name_list``) sits close to many skills in the model's
space whatever it names, and its names are alias hits already. On the categorised resumes 467
of 1,039 "related" hits over the six roles had come from such chunks, PEFT / LoRA among them
from "ETL tool (Informatica power Center 9.6.1), Oracle 11g (SQL, PL-SQL), UNIX, …".

Coverage (0-100) is the weighted share of the role's skills the CV covers: a found skill counts
its full weight, a related concept ``RELATED_CREDIT`` of it, a related named tool nothing (it is
shown to the recruiter as a question, not credited), and key (required) skills weigh what the
role file gives them (1.0) against 0.3-0.8 for a plus. Alternatives (skills sharing ``any_of``,
e.g. a job description's "Python, Go or PHP") count once, met by any one of them.

The CV side is prepared once (``CVVectors``: personal data blanked, chunked, encoded) and then
matched against any number of roles; ``assess_role`` is the pure core over arrays.
"""

from __future__ import annotations

import bisect
import contextlib
import math
import re
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np

from embeddings import Chunk, EmbeddingModel, Tokenizer, chunk_text
from rubrics import Mention, Role, quote_bounds
from screener.matching._model import (
    Evidence,
    MatchKind,
    MatchThresholds,
    RoleMatch,
    SkillMatch,
    SkillStatus,
)
from screener.matching._skills import SkillVectors
from screener.sections import Section

__all__ = [
    "RELATED_CREDIT",
    "CVVectors",
    "SkillMatcher",
    "assess_role",
    "coverage_score",
    "is_name_list",
    "prose_chunks",
    "semantic_best",
]

RELATED_CREDIT = 0.5

# Names, not prose: items of a few words; from this many items on, most of them.
_LIST_MIN_ITEMS = 4
_NAME_MAX_WORDS = 3
_NAME_SHARE = 0.75
_ITEM_SEPARATORS = re.compile(r"[,;|•·\n]|\s-\s")
_WORD = re.compile(r"[^\W\d_][\w'’.&+#-]*")
_CAPITALISED_SHARE = 0.9
# words prose cannot do without, in any case; names and headings rarely hold one
_FUNCTION_WORDS = frozenset(
    "a an the and or of in on at to by for from with as into using is are was were "
    "i we my our he she they".split()
)


def is_name_list(text: str) -> bool:
    """Whether a chunk holds names rather than prose.

    Items are what commas, semicolons, pipes, bullets, line ends and spaced dashes separate. A
    chunk of one to three items each at most three words long is names ("Data Science",
    "Machine Learning Engineer, OpenAI"); from four items on, three in four of that length make
    a list ("Hadoop Tools: HDFS, Spark, Map Reduce, Sqoop"). A sentence that ends in an
    enumeration of tools is a list too: what it says beyond the names is too little to
    paraphrase a skill. So is a run of capitalised words without a function word, however it
    is separated: a heading, a job's header line, a degree line, courses a PDF column laid end
    to end ("CORNELL ROBOT LEARNING LAB | RESEARCHER Jan 2014 – Jan 2015", "Cloud Computing
    Evolutionary Computation Machine Learning"); prose in capitals keeps its "OF", "THE", "AND".
    """
    items = [item for item in (part.strip() for part in _ITEM_SEPARATORS.split(text)) if item]
    short = sum(len(item.split()) <= _NAME_MAX_WORDS for item in items)
    if len(items) < _LIST_MIN_ITEMS:
        if short == len(items):
            return True
    elif short >= _NAME_SHARE * len(items):
        return True
    words = _WORD.findall(text)
    return (
        len(words) >= _LIST_MIN_ITEMS
        and not any(word.casefold() in _FUNCTION_WORDS for word in words)
        and sum(word[0].isupper() for word in words) >= _CAPITALISED_SHARE * len(words)
    )


def prose_chunks(chunks: Sequence[Chunk]) -> list[int]:
    """Indices of the chunks that are prose, not lists of names (``is_name_list``)."""
    return [index for index, chunk in enumerate(chunks) if not is_name_list(chunk.text)]


def semantic_best(
    skills: SkillVectors,
    chunks: Sequence[Chunk],
    vectors: np.ndarray,
    prose: Sequence[int] | None = None,
) -> dict[str, tuple[float, int]]:
    """Per skill id, the best cosine over the CV's prose chunks and that chunk's index in
    ``chunks`` (lists of names take no part, see ``is_name_list``); ``prose``, when the
    caller has it, is ``prose_chunks(chunks)``."""
    prose = prose_chunks(chunks) if prose is None else list(prose)
    best = skills.best_per_skill(vectors[prose])
    return {skill_id: (score, prose[row]) for skill_id, (score, row) in best.items()}


@dataclass(frozen=True, slots=True)
class CVChunker:
    """Cuts a CV's scoring text into the chunks the model reads, section by section: a chunk
    never crosses a section and carries its kind as label. It pickles (the model's tokenizer as
    its file), so parse workers cut the chunks beside the process that encodes them
    (``screener.parsing.analyse``)."""

    tokenizer: Tokenizer
    max_tokens: int  # the model's max sequence length, special tokens included

    def __call__(self, scoring_text: str, sections: Sequence[Section]) -> list[Chunk]:
        segments = [(s.start, s.end, s.kind.value) for s in sections if s.end > s.start]
        return chunk_text(
            scoring_text, segments or None, tokenizer=self.tokenizer, max_tokens=self.max_tokens
        )


@dataclass(frozen=True, slots=True)
class CVVectors:
    """A CV ready for matching: scoring text (personal data blanked), chunks and their vectors."""

    text: str
    sections: tuple[Section, ...]
    chunks: tuple[Chunk, ...]
    vectors: np.ndarray
    page_at: Callable[[int], int]
    # Best chunk per skill, computed once at ``prepare`` for every role that is matched next;
    # tagged with the skill index it came from (``SkillVectors.key``), so a pipeline with other
    # skills (custom roles) recomputes instead of missing its new skills.
    best_chunk: tuple[str, dict[str, tuple[float, int]]] | None = None
    # False: chunks of names were left unencoded (rows of NaN), as scoring never reads them
    # (``SkillMatcher.prepare_many``); such a CV cannot join the candidate pool.
    names_encoded: bool = True

    def section_at(self, offset: int) -> str:
        starts = [s.heading_start for s in self.sections]
        index = bisect.bisect_right(starts, offset) - 1
        return self.sections[index].kind.value if index >= 0 else "header"


def coverage_score(skills: Sequence[SkillMatch]) -> float:
    """Weighted share of the role's requirements covered, 0-100 (see module docstring).

    A requirement is a skill, or a group of alternatives (same ``any_of``): the group weighs
    what its heaviest member weighs and earns the best credit of its members, so a CV with Go
    fully meets "Python, Go or PHP" and a CV with all three does not count three times.
    """
    requirements: dict[str, tuple[float, float]] = {}
    for index, skill in enumerate(skills):
        key = f"any-of:{skill.any_of}" if skill.any_of else f"skill:{index}"
        weight, earned = requirements.get(key, (0.0, 0.0))
        requirements[key] = (max(weight, skill.weight), max(earned, skill.weight * skill.credit))
    total = sum(weight for weight, _ in requirements.values())
    if total <= 0:
        return 0.0
    covered = sum(earned for _, earned in requirements.values())
    return round(100.0 * covered / total, 2)


# Words by which a CV says it lacks a skill or wants to learn it ("Don't have experience but
# would like to develop skills with Python, Golang", "No experience with Kubernetes yet"): a
# skill named after them in the same sentence is not the candidate's.
_LACKED = re.compile(
    r"\b(?:no|without)\s+(?:\w+\s+)?(?:experience|knowledge)\s+(?:in|with|of)\b"
    r"|\b(?:do\s+not|don['’]?t|did\s+not|didn['’]?t|have\s+not|haven['’]?t)\s+"
    r"(?:\w+\s+)?(?:experience|knowledge|worked)\b"
    r"|\b(?:would\s+like|want|wanting|wish|plan|planning|hope|eager|keen)\s+to\s+"
    r"(?:learn|study|develop|gain|master|try)\b"
    r"|\bnot\s+(?:yet\s+)?familiar\s+with\b",
    re.IGNORECASE,
)
# where a sentence (or a bullet, or a paragraph) begins; a PDF's line breaks run on through one
_SENTENCE_START = re.compile(r"[.!?;•]\s|\n\s*\n")
_LOOK_BACK = 200


def _said_lacking(text: str, start: int) -> bool:
    """Whether the hit at ``text[start:]`` follows words of lacking or wanting to learn it in
    its sentence (within ``_LOOK_BACK`` characters)."""
    low = max(0, start - _LOOK_BACK)
    clause = low
    for boundary in _SENTENCE_START.finditer(text, low, start):
        clause = boundary.end()
    return _LACKED.search(text, clause, start) is not None


def _evidence(cv: CVVectors, start: int, end: int) -> Evidence:
    return Evidence(
        text=cv.text[start:end],
        start=start,
        end=end,
        section=cv.section_at(start),
        page=cv.page_at(start),
    )


def assess_role(
    role: Role,
    cv: CVVectors,
    *,
    mentions: Sequence[Mention],
    best_chunk: dict[str, tuple[float, int]],
    thresholds: MatchThresholds,
) -> RoleMatch:
    """Status, evidence and coverage for every skill of ``role``.

    Args:
        role: the role to match.
        cv: the prepared CV.
        mentions: alias hits of ``role.matcher`` in ``cv.text``.
        best_chunk: per skill id, the best chunk cosine and that chunk's index in ``cv.chunks``.
        thresholds: calibrated cut-offs for semantic hits.
    """
    by_skill: dict[str, list[Mention]] = {}
    for mention in mentions:
        if not _said_lacking(cv.text, mention.start):
            by_skill.setdefault(mention.key, []).append(mention)

    # alternatives ("PHP, Python or Go") that the CV names one of are met
    met = {skill.any_of for skill in role.skills if skill.any_of and skill.id in by_skill}

    section_starts = [s.heading_start for s in cv.sections]
    results: list[SkillMatch] = []
    for skill in role.skills:
        hits = by_skill.get(skill.id, [])
        score, chunk_index = best_chunk.get(skill.id, (float("-inf"), -1))
        found_at, related_at = thresholds.for_skill(skill.id)
        if not skill.paraphrase:
            # A named tool's "related" earns nothing: it is a question for the recruiter, worth
            # asking only where the resemblance reaches the median skill's related cut-off (YOLO,
            # which no calibration CV comes near, had come out related at cosine 0.28 to "a
            # strong advocator of augmented era"). A concept keeps its own calibrated cut-off.
            related_at = max(related_at, thresholds.related)
            if skill.any_of in met:
                # no question about Python where Go already meets "PHP, Python or Go"
                related_at = math.inf
        if hits:
            # Quote a hit that shows use: one in experience or projects, and there a line of
            # prose before a line of names (the job title "Machine Learning Engineer, OpenAI"
            # names classical ML but shows none of it); else the first hit.
            sections = [cv.section_at(m.start) for m in hits]
            quotes = [quote_bounds(cv.text, m.start, m.end, section_starts) for m in hits]
            weakness = [
                (0 if is_name_list(cv.text[start:end]) else -1)
                if section in ("experience", "projects")
                else 1
                for section, (start, end) in zip(sections, quotes, strict=True)
            ]
            start, end = quotes[weakness.index(min(weakness))]
            results.append(
                SkillMatch(
                    skill.id, skill.name, skill.required, skill.weight, SkillStatus.FOUND,
                    MatchKind.ALIAS, 1.0, _evidence(cv, start, end), credit=1.0,
                    mentioned_in=tuple(dict.fromkeys(sections)), any_of=skill.any_of,
                )
            )  # fmt: skip
            continue
        if chunk_index >= 0 and score >= related_at:
            chunk = cv.chunks[chunk_index]
            # A named tool is evidenced by its name only; a close description is "related".
            found = score >= found_at and skill.paraphrase
            status = SkillStatus.FOUND if found else SkillStatus.RELATED
            credit = 1.0 if found else (RELATED_CREDIT if skill.paraphrase else 0.0)
            results.append(
                SkillMatch(
                    skill.id, skill.name, skill.required, skill.weight, status,
                    MatchKind.SEMANTIC, round(score, 4), _evidence(cv, chunk.start, chunk.end),
                    credit=credit, any_of=skill.any_of,
                )
            )  # fmt: skip
            continue
        results.append(
            SkillMatch(
                skill.id, skill.name, skill.required, skill.weight, SkillStatus.MISSING, None,
                round(score, 4) if chunk_index >= 0 else 0.0, None, any_of=skill.any_of,
            )
        )  # fmt: skip
    return RoleMatch(
        role_id=role.id,
        role_version=role.version,
        model_hash=thresholds.model_hash,
        coverage=coverage_score(results),
        skills=tuple(results),
    )


class SkillMatcher:
    """The model-bound side of matching: chunk and encode a CV, then assess roles.

    Args:
        model: the warmed-up embedding model.
        skill_vectors: vectors of every role skill (``SkillVectors.build``).
        thresholds: calibrated semantic cut-offs (``load_thresholds``).
    """

    def __init__(
        self, model: EmbeddingModel, skill_vectors: SkillVectors, thresholds: MatchThresholds
    ) -> None:
        self._model = model
        self._skills = skill_vectors
        self._thresholds = thresholds

    @property
    def model_hash(self) -> str:
        return self._model.model_hash

    @property
    def chunker(self) -> CVChunker:
        """How ``prepare`` cuts a CV into chunks, for a process that cuts them ahead."""
        return CVChunker(self._model.tokenizer, self._model.max_seq_length)

    def prepare(
        self, scoring_text: str, sections: Sequence[Section], *, page_at: Callable[[int], int]
    ) -> CVVectors:
        """Chunk the (already redacted) CV text section by section and encode the chunks."""
        return self.prepare_many([(scoring_text, sections, page_at)])[0]

    def prepare_many(
        self,
        cvs: Sequence[tuple[str, Sequence[Section], Callable[[int], int]]],
        *,
        while_encoding: Callable[[], AbstractContextManager[object]] = contextlib.nullcontext,
        names: bool = True,
        chunks: Sequence[Sequence[Chunk] | None] | None = None,
    ) -> list[CVVectors]:
        """``prepare`` for several CVs, their chunks encoded together.

        ``chunks`` gives, CV by CV, chunks already cut by ``chunker`` (in a parse worker),
        ``None`` where they are to be cut here.

        One encoding call over all chunks fills the model's batches better than CV by CV; each
        chunk's vector is the same either way (the model never pads a text). The encoding runs
        inside ``while_encoding()`` (``screener rank`` holds its parse workers there).

        ``names=False`` leaves the chunks of names (``is_name_list``) unencoded, their rows NaN:
        matching reads prose chunks only, so every score is the same, and on Kaggle CVs a
        fifth of the tokens (23% of the chunks) need no pass through the model. For screenings
        that are not kept; the candidate pool searches every chunk and refuses such a CV.
        """
        given = list(chunks) if chunks is not None else [None] * len(cvs)
        if len(given) != len(cvs):
            raise ValueError(f"chunks for {len(given)} CVs given with {len(cvs)} CVs.")
        chunker = self.chunker
        chunked = [
            list(cut) if cut is not None else chunker(scoring_text, sections)
            for (scoring_text, sections, _), cut in zip(cvs, given, strict=True)
        ]
        texts = [c.text for cv_chunks in chunked for c in cv_chunks]
        # which chunks are prose, once: encoding without names and the best chunk per skill
        # both read it
        prose_of = [prose_chunks(cv_chunks) for cv_chunks in chunked]
        vectors = np.zeros((0, self._model.dimension), dtype=np.float32)
        if texts and names:
            with while_encoding():
                vectors = self._model.encode(texts)
        elif texts:
            prose, start = [], 0  # the prose chunks' positions in ``texts``
            for cv_chunks, indices in zip(chunked, prose_of, strict=True):
                prose += [start + index for index in indices]
                start += len(cv_chunks)
            vectors = np.full((len(texts), self._model.dimension), np.nan, dtype=np.float32)
            if prose:
                with while_encoding():
                    vectors[prose] = self._model.encode([texts[index] for index in prose])
        prepared = []
        offset = 0
        for (scoring_text, sections, page_at), cv_chunks, prose_here in zip(
            cvs, chunked, prose_of, strict=True
        ):
            own = vectors[offset : offset + len(cv_chunks)]
            offset += len(cv_chunks)
            best = (self._skills.key, semantic_best(self._skills, cv_chunks, own, prose_here))
            prepared.append(
                CVVectors(
                    scoring_text, tuple(sections), tuple(cv_chunks), own, page_at, best, names
                )
            )
        return prepared

    def match(
        self, cv: CVVectors, role: Role, *, thresholds: MatchThresholds | None = None
    ) -> RoleMatch:
        """Assess ``role`` on a prepared CV; ``thresholds`` overrides the calibrated ones."""
        chosen = thresholds or self._thresholds
        thresholds = MatchThresholds(
            chosen.found, chosen.related, chosen.per_skill, self._model.model_hash
        )
        if cv.best_chunk is not None and cv.best_chunk[0] == self._skills.key:
            best_chunk = cv.best_chunk[1]
        else:
            best_chunk = semantic_best(self._skills, cv.chunks, cv.vectors)
        return assess_role(
            role,
            cv,
            mentions=role.matcher.find(cv.text),
            best_chunk=best_chunk,
            thresholds=thresholds,
        )
