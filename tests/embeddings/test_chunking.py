"""Token-aware chunking: offsets, budgets, segments; fake tokenizer and the real one."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from embeddings import Chunk, EmbeddingModel, chunk_text

DATA_CSV = (
    Path(__file__).resolve().parents[2]
    / "../shared/data/updated-resume-dataset/UpdatedResumeDataSet.csv"
)

ML_CV = """Ayşe Demir — Senior Machine Learning Engineer

SUMMARY
Machine learning engineer with seven years of experience building NLP and LLM systems. \
I fine-tuned Llama 2 and Mistral models with LoRA and QLoRA adapters for domain question \
answering, reduced inference cost by 40% with vLLM and 4-bit quantisation, and set up \
evaluation suites (RAGAS, custom rubrics) that gate every release. Previously I worked on \
demand forecasting with gradient boosted trees and probabilistic models at a retailer, \
e.g. hierarchical reconciliation, and on recommender systems with two-tower retrieval.

SKILLS
• Python, SQL
• PyTorch
• Hugging Face Transformers, PEFT
• Kubernetes, Docker, Terraform
• MLflow, Weights & Biases

EXPERIENCE
Senior ML Engineer, Example AI GmbH, Berlin          03/2021 – present
- Led a team of four building a retrieval-augmented generation platform over 2M documents.
- Fine-tuned Llama with low-rank adapters; served with vLLM on A100 GPUs behind FastAPI.
- Introduced offline and online evaluation; cut hallucination rate from 12% to 3%.

Data Scientist, Örnek Perakende A.Ş., Istanbul          2017 – 2021
- Forecasting for 4,000 stores with LightGBM and Prophet; MAPE down 18%.
"""


class WhitespaceTokenizer:
    """Each run of non-space characters is one token; [CLS] and [SEP] around the text."""

    special_tokens = 2

    def offsets(self, text: str) -> list[tuple[int, int]]:
        return [match.span() for match in re.finditer(r"\S+", text)]


def _assert_exact(text: str, chunks: list[Chunk]) -> None:
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()
    starts = [chunk.start for chunk in chunks]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:], strict=False))


def test_chunk_text_merges_short_lines_within_budget_when_fake_tokenizer() -> None:
    text = "Python, SQL\nPyTorch\nDocker, Kubernetes\n\nMLflow"
    chunks = chunk_text(text, tokenizer=WhitespaceTokenizer(), max_tokens=20, merge_tokens=4)
    assert [c.text for c in chunks] == ["Python, SQL\nPyTorch", "Docker, Kubernetes", "MLflow"]
    assert [c.token_count for c in chunks] == [5, 4, 3]
    _assert_exact(text, chunks)


def test_chunk_text_strips_bullets_and_splits_inline_bullets_when_flattened() -> None:
    text = "  • Python   \n- Led a team of four people\nSkills * Spark * Airflow"
    chunks = chunk_text(text, tokenizer=WhitespaceTokenizer(), max_tokens=10, merge_tokens=1)
    assert [c.text for c in chunks] == [
        "Python", "Led a team of four people", "Skills", "Spark", "Airflow"
    ]  # fmt: skip
    _assert_exact(text, chunks)


def test_chunk_text_splits_long_line_on_sentences_keeping_abbreviations() -> None:
    text = (
        "I built models, e.g. rankers. I shipped them! Then I measured them; it worked. "
        "I ran forecasts (i.e. demand models)."
    )
    chunks = chunk_text(text, tokenizer=WhitespaceTokenizer(), max_tokens=9, merge_tokens=3)
    assert [c.text for c in chunks] == [
        "I built models, e.g. rankers.", "I shipped them!", "Then I measured them;",
        "it worked.", "I ran forecasts (i.e. demand models).",
    ]  # fmt: skip
    _assert_exact(text, chunks)


def test_chunk_text_falls_back_to_token_windows_when_sentence_too_long() -> None:
    text = " ".join(f"word{i}" for i in range(50))
    chunks = chunk_text(text, tokenizer=WhitespaceTokenizer(), max_tokens=12, merge_tokens=5)
    assert [c.token_count for c in chunks] == [12] * 5  # 10 content tokens + 2 special
    assert " ".join(c.text for c in chunks) == text
    _assert_exact(text, chunks)


def test_chunk_text_respects_segments_and_labels() -> None:
    text = "Header line\nSKILLS\nPython\nSQL\nEXPERIENCE\nBuilt things"
    skills = (text.index("Python"), text.index("EXPERIENCE"), "skills")
    experience = (text.index("Built"), len(text), "experience")
    chunks = chunk_text(text, [experience, skills], tokenizer=WhitespaceTokenizer(), max_tokens=10)
    assert [(c.label, c.text) for c in chunks] == [
        ("skills", "Python\nSQL"), ("experience", "Built things")
    ]  # fmt: skip


def test_chunk_text_refuses_overlapping_segments() -> None:
    with pytest.raises(ValueError, match="overlaps"):
        chunk_text("abcdef", [(0, 4, "a"), (3, 6, "b")], tokenizer=WhitespaceTokenizer())


def _real_cv_texts() -> list[str]:
    texts = [ML_CV]
    if DATA_CSV.is_file():
        csv.field_size_limit(10**8)
        with DATA_CSV.open(encoding="utf-8", errors="replace", newline="") as handle:
            resumes = [row["Resume"] for row in csv.DictReader(handle)]
        texts += sorted(resumes, key=len)[-3:]  # the longest CVs of the data set
    return texts


def test_chunk_text_never_exceeds_model_length_when_real_tokenizer(
    embedding_model: EmbeddingModel,
) -> None:
    tokenizer = embedding_model.tokenizer
    for text in _real_cv_texts():
        chunks = chunk_text(text, tokenizer=tokenizer, max_tokens=embedding_model.max_seq_length)
        assert chunks
        _assert_exact(text, chunks)
        real_counts = tokenizer.counts([chunk.text for chunk in chunks])
        assert real_counts == [chunk.token_count for chunk in chunks]
        assert max(real_counts) <= 256
    # No words are lost between chunks except whitespace and bullet glyphs.
    kept = "".join(c.text for c in chunk_text(ML_CV, tokenizer=tokenizer))
    assert re.sub(r"[\s•\-]", "", kept) == re.sub(r"[\s•\-]", "", ML_CV)


def test_chunk_text_windows_unbroken_text_when_real_tokenizer(
    embedding_model: EmbeddingModel,
) -> None:
    text = "pytorch,tensorflow,jax," * 200  # one "sentence" of ~1 400 tokens
    chunks = chunk_text(text, tokenizer=embedding_model.tokenizer, max_tokens=256)
    assert len(chunks) >= 5
    assert all(c.token_count <= 256 for c in chunks)
    assert "".join(c.text for c in chunks) == text
    vectors = embedding_model.encode([c.text for c in chunks])
    assert vectors.shape == (len(chunks), 384)


def test_chunk_text_keeps_ml_evidence_lines_apart_when_real_tokenizer(
    embedding_model: EmbeddingModel,
) -> None:
    chunks = chunk_text(ML_CV, tokenizer=embedding_model.tokenizer)
    lora = [c for c in chunks if "low-rank adapters" in c.text]
    assert len(lora) == 1 and lora[0].text.startswith("Fine-tuned Llama")
    skills = [c for c in chunks if "Python, SQL" in c.text]
    assert len(skills) == 1 and "MLflow" in skills[0].text  # short bullets merged


# Spans whose ends sit beside characters BERT's tokenizer treats unlike Python's str methods: a
# symbol bullet glued to a word ("●Python" is one word, so "Python" alone counts otherwise), a
# control character it drops (the letters beside it join), accents, CJK, a replacement character.
_TRICKY = (
    "●Python and SQL; ▪Spark\n"
    "abc\x1cdef ghi\x0bjkl\n"
    "naïve Café, İstanbul résumé\n"
    "深度学习 model C++/C# e-mail: a.b@c.de\n"
    "playing\ufffdgames x\u00a0y z\u2028w, 12% (p<0.05)"
)


def test_chunk_spans_count_as_the_tokenizer_counts_each_span_when_real_tokenizer(
    embedding_model: EmbeddingModel,
) -> None:
    import random

    from embeddings._chunking import _SpanTokens

    tokenizer = embedding_model.tokenizer
    assert tokenizer.words_tokenised_alone
    chooser = random.Random(7)
    for text in [_TRICKY, *_real_cv_texts()]:
        spans = _SpanTokens(text, 0, len(text), tokenizer)
        cuts = [m.start() for m in re.finditer(r"\s|\W|$", text)]
        for _ in range(400):
            # ends at word cuts (the counted path) and anywhere (the re-tokenised path)
            picks = cuts if chooser.random() < 0.7 else range(len(text) + 1)
            a, b = sorted(chooser.sample(picks, 2))
            assert spans.count(a, b) == len(tokenizer.offsets(text[a:b])), (a, b, text[a:b])


def test_chunk_text_tokenises_each_segment_once_when_real_tokenizer(
    embedding_model: EmbeddingModel,
) -> None:
    tokenizer = embedding_model.tokenizer

    class Recording:
        special_tokens = tokenizer.special_tokens

        def __init__(self, words_tokenised_alone: bool) -> None:
            self.words_tokenised_alone = words_tokenised_alone
            self.texts: list[str] = []

        def offsets(self, text: str) -> list[tuple[int, int]]:
            self.texts.append(text)
            return tokenizer.offsets(text)

    segments = [(0, ML_CV.index("SKILLS"), "summary"), (ML_CV.index("SKILLS"), len(ML_CV), "")]
    by_segment, by_span = Recording(True), Recording(False)
    chunks = chunk_text(ML_CV, segments, tokenizer=by_segment)
    assert chunks == chunk_text(ML_CV, segments, tokenizer=by_span)
    assert by_segment.texts == [ML_CV[a:b] for a, b, _ in segments]
    assert len(by_span.texts) > 20  # every line, sentence and merge on its own
