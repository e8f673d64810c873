"""Skill matching: alias hits, calibrated semantic hits, coverage, real model end to end."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embeddings import Chunk, EmbeddingModel
from rubrics import load_roles
from screener.documents import read_document
from screener.errors import DocumentError
from screener.matching import (
    RELATED_CREDIT,
    CandidatePool,
    CVVectors,
    MatchKind,
    MatchThresholds,
    SkillMatch,
    SkillStatus,
    SkillVectors,
    assess_role,
    coverage_score,
    is_name_list,
    load_thresholds,
    semantic_best,
    skill_texts,
)
from screener.parsing import ParseAhead, analyse
from screener.pipeline import ScreeningPipeline
from screener.sections import detect_sections
from screener.settings import EmbeddingSettings, Settings

ROLES = load_roles()


def _skill(status: SkillStatus, weight: float, credit: float) -> SkillMatch:
    return SkillMatch("s", "S", True, weight, status, None, 0.0, None, credit=credit)


def test_coverage_is_the_weighted_share_of_credit() -> None:
    skills = [
        _skill(SkillStatus.FOUND, 1.0, 1.0),
        _skill(SkillStatus.RELATED, 1.0, RELATED_CREDIT),  # a related concept
        _skill(SkillStatus.RELATED, 1.0, 0.0),  # a related named tool
        _skill(SkillStatus.MISSING, 1.0, 0.0),
        _skill(SkillStatus.FOUND, 0.5, 1.0),
    ]
    assert coverage_score(skills) == pytest.approx(100 * (1 + 0.5 + 0 + 0 + 0.5) / 4.5, abs=0.01)
    assert coverage_score([]) == 0.0


def test_alternatives_count_once_and_any_one_meets_them() -> None:
    def skill(weight: float, credit: float, any_of: str | None) -> SkillMatch:
        status = SkillStatus.FOUND if credit else SkillStatus.MISSING
        return SkillMatch("s", "S", True, weight, status, None, 0.0, None, credit=credit,
                          any_of=any_of)  # fmt: skip

    # "PHP, Python or Go" with only Go found, plus SQL missing: one of two requirements met
    go_only = [skill(1.0, 0.0, "any-of-1"), skill(1.0, 0.0, "any-of-1"),
               skill(1.0, 1.0, "any-of-1"), skill(1.0, 0.0, None)]  # fmt: skip
    assert coverage_score(go_only) == 50.0
    # all three found still count as one requirement
    all_three = [skill(1.0, 1.0, "any-of-1")] * 3 + [skill(1.0, 0.0, None)]
    assert coverage_score(all_three) == 50.0
    # a group weighs its heaviest member and earns its best credit
    mixed = [skill(0.5, 1.0, "any-of-1"), skill(1.0, 0.0, "any-of-1"), skill(1.0, 1.0, None)]
    assert coverage_score(mixed) == 75.0


def _cv(text: str) -> CVVectors:
    sections = tuple(detect_sections(text))
    lines = [(i, line) for i, line in enumerate(text.split("\n")) if line.strip()]
    chunks, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            chunks.append(Chunk(line, offset, offset + len(line), "experience", 10))
        offset += len(line) + 1
    assert len(chunks) == len(lines)
    return CVVectors(text, sections, tuple(chunks), np.zeros((len(chunks), 384)), lambda _: 1)


def test_assess_role_sorts_alias_semantic_and_missing_by_threshold() -> None:
    role = ROLES.get("llm-genai-engineer")
    text = "Experience\nFine-tuned models with QLoRA\nBuilt retrieval for contract search\nOther\n"
    cv = _cv(text)
    thresholds = MatchThresholds(
        found=0.45,
        related=0.3,
        per_skill={
            "rag": (0.5, 0.4),
            "embeddings": (0.6, 0.4),
            "docker": (0.5, 0.4),
            "llm-evaluation": (0.3, 0.2),  # below the global found: the global one applies
            # a named tool's question needs the global related; a concept's own cut-off holds
            "langchain": (0.5, 0.1),
            "inference-optimization": (0.5, 0.1),
        },
    )
    # docker is a named tool: even above its found threshold a description is only "related"
    best = {
        "rag": (0.55, 2),
        "embeddings": (0.45, 2),
        "langchain": (0.2, 1),
        "docker": (0.7, 2),
        "llm-evaluation": (0.4, 2),
        "inference-optimization": (0.2, 2),
    }
    result = assess_role(
        role, cv, mentions=role.matcher.find(text), best_chunk=best, thresholds=thresholds
    )
    by_id = {s.skill_id: s for s in result.skills}
    peft = by_id["peft-lora"]
    assert (peft.status, peft.via, peft.similarity) == (SkillStatus.FOUND, MatchKind.ALIAS, 1.0)
    assert peft.evidence is not None and peft.evidence.text == "Fine-tuned models with QLoRA"
    assert peft.mentioned_in == ("experience",)
    assert (by_id["rag"].status, by_id["rag"].via) == (SkillStatus.FOUND, MatchKind.SEMANTIC)
    assert by_id["rag"].evidence is not None
    assert by_id["rag"].evidence.text == "Built retrieval for contract search"
    assert by_id["embeddings"].status is SkillStatus.RELATED
    assert by_id["embeddings"].credit == RELATED_CREDIT
    assert (by_id["docker"].status, by_id["docker"].credit) == (SkillStatus.RELATED, 0.0)
    assert by_id["llm-evaluation"].status is SkillStatus.RELATED
    assert by_id["langchain"].status is SkillStatus.MISSING
    assert by_id["inference-optimization"].status is SkillStatus.RELATED
    assert by_id["langchain"].evidence is None
    assert result.coverage == coverage_score(result.skills)


def test_a_found_skill_quotes_prose_that_shows_use_before_a_job_title() -> None:
    role = ROLES.get("ml-engineer")
    text = (
        "Skills\nscikit-learn, pandas\nExperience\nMachine Learning Engineer, OpenAI\n"
        "Trained machine learning models that route support tickets\n"
    )
    cv = _cv(text)
    result = assess_role(
        role, cv, mentions=role.matcher.find(text), best_chunk={}, thresholds=MatchThresholds(1, 1)
    )
    classical = next(s for s in result.skills if s.skill_id == "classical-ml")
    assert classical.evidence is not None
    assert classical.evidence.text == "Trained machine learning models that route support tickets"
    # where experience names it in a title only, that title still beats the skills line
    title_only = text.replace("Trained machine learning models", "Trained models")
    result = assess_role(
        role, _cv(title_only), mentions=role.matcher.find(title_only), best_chunk={},
        thresholds=MatchThresholds(1, 1),
    )  # fmt: skip
    classical = next(s for s in result.skills if s.skill_id == "classical-ml")
    assert classical.evidence is not None
    assert classical.evidence.text == "Machine Learning Engineer, OpenAI"
    assert classical.mentioned_in == ("skills", "experience")


@pytest.fixture(scope="module")
def pipeline(
    embedding_model: EmbeddingModel, tmp_path_factory: pytest.TempPathFactory
) -> ScreeningPipeline:
    settings = Settings(embeddings=EmbeddingSettings(index_dir=tmp_path_factory.mktemp("index")))
    return ScreeningPipeline.create(settings, model=embedding_model)


PARAPHRASE_CV = """Jane Doe
Experience
Machine Learning Engineer, Acme GmbH, 2021 - present
- Built retrieval over contract clauses: embedded passages, stored them in a vector index and
fed the top hits to the generator
- Ran controlled experiments on the checkout page and measured the uplift of each variant
Education
M.Sc. Computer Science, TU Munich
"""


def test_paraphrases_are_found_semantically_with_their_evidence(
    pipeline: ScreeningPipeline,
) -> None:
    cv = pipeline.prepare_text(PARAPHRASE_CV, reference_date=date(2026, 1, 1))
    llm = {s.skill_id: s for s in pipeline.match(cv, "llm-genai-engineer").skills}
    rag = llm["rag"]
    assert rag.status is SkillStatus.FOUND and rag.via is MatchKind.SEMANTIC
    assert rag.evidence is not None and "Built retrieval over contract clauses" in rag.evidence.text
    assert llm["docker"].status is SkillStatus.MISSING


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Environment: Hadoop 2.x, HDFS, Yarn, Hive, Sqoop, HBase, Tez, Tableau", True),
        ("Hadoop Tools: HDFS, Spark, Map Reduce, Sqoop, Hive, Hbase", True),
        ("• Python\n• Docker\n• Kubernetes\n• Terraform", True),
        ("Data Science", True),
        ("Machine Learning Engineer, OpenAI", True),
        ("Technologies used: HTML, CSS, PHP, jQuery, coded and integrated the checkout", True),
        ("CORNELL ROBOT LEARNING LAB | RESEARCHER Jan 2014 – Jan 2015 | Ithaca, NY", True),
        ("Cloud Computing Evolutionary Computation Computer Networks Machine Learning", True),
        ("IN VARIOUS AREAS OF THE STORE ENSURING GREAT CUSTOMER EXPERIENCE", False),
        ("Developed and deployed machine learning models for ride allocation", False),
        ("Analyzed large datasets using Python, R, SQL and Tableau", False),
        ("Built retrieval over contract clauses; fed the top hits to the generator", False),
        ("Built a feature store, served it over gRPC, monitored drift and retrained weekly", False),
    ],
)
def test_a_chunk_of_names_is_told_from_prose(text: str, names: bool) -> None:
    assert is_name_list(text) is names


def test_semantic_hits_come_from_prose_chunks_only(
    embedding_model: EmbeddingModel, tmp_path: Path
) -> None:
    # a tool list sits close to many skills in the model's space; the prose chunk keeps its index
    skills = SkillVectors.build(load_roles(), embedding_model, cache_dir=tmp_path)
    texts = [
        "ETL tool (Informatica power Center 9.6.1), Oracle 11g (SQL, PL-SQL), UNIX, Facets, Tidal",
        "Fine-tuned a language model with low-rank adapters on support tickets",
        "Skills",
    ]
    chunks = [Chunk(t, 0, len(t), "experience", 10) for t in texts]
    vectors = embedding_model.encode(texts)
    best = semantic_best(skills, chunks, vectors)
    assert {row for _, row in best.values()} == {1}
    assert best["peft-lora"][0] == skills.best_per_skill(vectors[1:2])["peft-lora"][0]
    assert semantic_best(skills, chunks[:1], vectors[:1]) == {}


def test_counterfactual_personal_details_do_not_change_the_match(
    pipeline: ScreeningPipeline,
) -> None:
    other = PARAPHRASE_CV.replace("Jane Doe", "Mehmet Öztürk\nDate of birth: 1975\nUyruk: Türk")
    first = pipeline.match(pipeline.prepare_text(PARAPHRASE_CV), "llm-genai-engineer")
    second = pipeline.match(pipeline.prepare_text(other), "llm-genai-engineer")
    assert first.coverage == second.coverage
    assert [(s.status, s.similarity) for s in first.skills] == [
        (s.status, s.similarity) for s in second.skills
    ]


def test_real_ml_engineer_cv_covers_the_ml_engineer_role(pipeline: ScreeningPipeline) -> None:
    path = Path("../shared/data/layout-diverse-cv-pdfs/resumematcher_harvey_dent_mle.pdf")
    parsed = analyse(read_document(path.read_bytes(), path.name), reference_date=date(2026, 1, 1))
    cv = pipeline.prepare(parsed)
    ml = pipeline.match(cv, "ml-engineer")
    frontend = pipeline.match(cv, "computer-vision-engineer")
    found = {s.skill_id: s for s in ml.with_status(SkillStatus.FOUND)}
    assert "python" in found and found["python"].evidence is not None
    assert found["python"].evidence.page == 1
    assert ml.coverage > frontend.coverage
    assert ml.model_hash == pipeline.model.model_hash
    assert ml.role_version == ROLES.get("ml-engineer").version


def test_a_cv_prepared_without_its_lists_of_names_matches_the_same_and_stays_out_of_the_pool(
    pipeline: ScreeningPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = Path("../shared/data/layout-diverse-cv-pdfs/resumematcher_harvey_dent_mle.pdf")
    parsed = analyse(read_document(path.read_bytes(), path.name), reference_date=date(2026, 1, 1))
    whole = pipeline.prepare(parsed)
    names = [i for i, chunk in enumerate(whole.chunks) if is_name_list(chunk.text)]
    assert 0 < len(names) < len(whole.chunks)
    encoded: list[str] = []
    encode = pipeline.model.encode

    def recorded(texts: list[str]) -> Any:
        encoded.extend(texts)
        return encode(texts)

    monkeypatch.setattr(pipeline.model, "encode", recorded)
    prose_only = pipeline.prepare_many([parsed], names=False)[0]

    prose = [i for i in range(len(whole.chunks)) if i not in names]
    assert encoded == [whole.chunks[i].text for i in prose]
    assert np.isnan(prose_only.vectors[names]).all()
    assert np.array_equal(prose_only.vectors[prose], whole.vectors[prose])
    for role in pipeline.roles:
        assert pipeline.match(prose_only, role) == pipeline.match(whole, role)
    with pytest.raises(ValueError, match="names=True"):
        CandidatePool(pipeline.model).add("harvey", prose_only)


def test_packaged_thresholds_cover_every_role_skill() -> None:
    thresholds = load_thresholds(model_hash="any")
    skill_ids = {s.id for role in ROLES for s in role.skills}
    assert skill_ids <= set(thresholds.per_skill)
    assert all(found >= related for found, related in thresholds.per_skill.values())


POOL_CVS = {
    "llm": "Experience\nFine-tuned Llama 3 with LoRA adapters and served it with vLLM\n"
    "Built a production RAG assistant over support tickets\n",
    "cv": "Experience\nTrained YOLO detectors for defects on a factory line\n"
    "Deployed OpenCV pipelines on Jetson edge devices\n",
    "ds": "Experience\nRan A/B tests on pricing and estimated uplift with causal inference\n"
    "Wrote SQL and R reports for the finance team\n",
}


def test_candidate_pool_finds_by_text_and_role_and_forgets_on_erasure(
    pipeline: ScreeningPipeline, tmp_path: Path
) -> None:
    pool = CandidatePool(pipeline.model)
    for candidate, text in POOL_CVS.items():
        pool.add(candidate, pipeline.prepare_text(text))
    assert len(pool) == 3

    hits = pool.search_text("PyTorch, LoRA, production RAG", k=3)
    assert hits[0].candidate_id == "llm"
    assert "LoRA" in hits[0].evidence[0].text or "RAG" in hits[0].evidence[0].text
    assert [
        h.candidate_id for h in pool.search_role(ROLES.get("computer-vision-engineer"), k=1)
    ] == ["cv"]
    assert pool.search_role(ROLES.get("data-scientist"), k=3)[0].candidate_id == "ds"

    pool.save(tmp_path)
    reloaded = CandidatePool.load(tmp_path, pipeline.model)
    assert reloaded.search_text("object detection on edge devices", k=1)[0].candidate_id == "cv"

    before = pool.chunk_count
    removed = pool.remove("llm")
    assert removed > 0 and pool.chunk_count == before - removed
    assert "llm" not in {h.candidate_id for h in pool.search_text("LoRA fine-tuning", k=3)}


def test_a_skill_scores_a_chunk_by_the_closer_of_its_two_texts(
    embedding_model: EmbeddingModel, tmp_path: Path
) -> None:
    roles = load_roles()
    skills = SkillVectors.build(roles, embedding_model, cache_dir=tmp_path)
    saved = SkillVectors.build(roles, embedding_model, cache_dir=tmp_path)  # from the index file
    chunks = embedding_model.encode(
        ["Served Llama 2 with vLLM behind FastAPI.", "Pivot tables in Excel.", "Led a team."]
    )
    by_id = {s.id: s for role in roles for s in role.skills}
    expected = np.empty((len(chunks), len(skills.skill_ids)), dtype=np.float32)
    for column, skill_id in enumerate(skills.skill_ids):
        skill = by_id[skill_id]
        texts = skill_texts(skill.name, skill.description, skill.alias_texts)
        expected[:, column] = (chunks @ embedding_model.encode(list(texts)).T).max(axis=1)
    np.testing.assert_allclose(skills.similarities(chunks), expected, atol=1e-6)
    np.testing.assert_array_equal(saved.similarities(chunks), skills.similarities(chunks))
    assert skills.best_per_skill(chunks)["model-serving"][1] == 0  # the vLLM chunk
    assert skills.similarities(chunks[:0]).shape == (0, len(skills.skill_ids))


@pytest.mark.parametrize(
    "line",
    [
        # a Vanetik CV's summary: the stack it has, then what it wants to learn
        "Don't have experience but would like to develop skills with Python, Golang, MongoDB.",
        "No experience with Python yet; eager to learn.",
        "I am not familiar with Python.",
        "Planning to learn Python and Docker this year.",
    ],
)
def test_a_skill_the_cv_lacks_or_wants_to_learn_is_not_found(line: str) -> None:
    def python_in(text: str) -> SkillMatch:
        role = ROLES.get("ml-engineer")
        result = assess_role(
            role, _cv(text), mentions=role.matcher.find(text), best_chunk={},
            thresholds=MatchThresholds(1, 1),
        )  # fmt: skip
        return next(s for s in result.skills if s.skill_id == "python")

    text = f"Summary\nMain stack: PHP, Node.js, MySQL.\n{line}\n"
    assert python_in(text).status is SkillStatus.MISSING
    # the sentence after it, or the same skill used elsewhere, counts as before
    used = python_in(f"{text}Would like to learn Rust. Built the Python services behind the API.\n")
    assert used.status is SkillStatus.FOUND
    assert used.evidence is not None and "Built the Python services" in used.evidence.text


def test_chunks_cut_in_the_parse_workers_are_the_chunks_prepare_cuts(
    pipeline: ScreeningPipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = sorted(Path("../shared/data/layout-diverse-cv-pdfs").glob("*.pdf"))[:3]
    settings = Settings(parse_workers=2)
    chunker = pipeline.matcher.chunker

    def not_here(*args: object, **kwargs: object) -> object:
        raise AssertionError("chunked in the process that encodes")

    with monkeypatch.context() as patched:
        # the workers are fresh interpreters with the real chunking; this process may not cut
        patched.setattr("screener.matching._match.chunk_text", not_here)
        with ParseAhead(
            paths, settings=settings, reference_date=date(2026, 1, 1), ahead=2, chunker=chunker
        ) as parsing:
            in_workers = [cv for _, cv in parsing]
        prepared = [pipeline.prepare(cv) for cv in in_workers if not isinstance(cv, DocumentError)]
    assert len(prepared) == len(paths)
    for path, cv, from_workers in zip(paths, in_workers, prepared, strict=True):
        assert not isinstance(cv, DocumentError) and cv.chunks
        here = analyse(read_document(path.read_bytes(), path.name), reference_date=date(2026, 1, 1))
        assert here.chunks is None  # no chunker: cut when the CV is encoded
        prepared_here = pipeline.prepare(here)
        assert cv.chunks == prepared_here.chunks
        assert from_workers.chunks == prepared_here.chunks
        assert np.array_equal(from_workers.vectors, prepared_here.vectors)


def test_prepare_many_refuses_chunks_for_another_number_of_cvs(
    pipeline: ScreeningPipeline,
) -> None:
    cv = ("Python and SQL", (), lambda offset: 1)
    with pytest.raises(ValueError, match="chunks for 2 CVs given with 1 CVs"):
        pipeline.matcher.prepare_many([cv], chunks=[None, None])
