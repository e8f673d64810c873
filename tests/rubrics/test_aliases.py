"""Whole-word alias matching: short names, symbols and case rules."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rubrics import Alias, AliasMatcher, MatchMode, Mention, load_roles
from rubrics._aliases import longest_of_overlaps, term_mentions

UPDATED_RESUMES = Path("../shared/data/updated-resume-dataset/UpdatedResumeDataSet.csv")

MATCHER = AliasMatcher(
    [
        ("r", Alias(text="R", match=MatchMode.IN_LIST)),
        ("r", Alias(text="R programming")),
        ("go", Alias(text="Go", match=MatchMode.IN_LIST)),
        ("go", Alias(text="Golang")),
        ("c", Alias(text="C", match=MatchMode.IN_LIST)),
        ("cpp", Alias(text="C++")),
        ("csharp", Alias(text="C#")),
        ("dotnet", Alias(text=".NET", match=MatchMode.EXACT_CASE)),
        ("aspnet", Alias(text="ASP.NET")),
        ("spark", Alias(text="Spark", match=MatchMode.EXACT_CASE)),
        ("spark", Alias(text="Apache Spark")),
        ("pytorch", Alias(text="PyTorch")),
        ("finetune", Alias(text="fine-tuning")),
    ]
)


def keys(text: str) -> list[str]:
    return [m.key for m in MATCHER.find(text)]


@pytest.mark.parametrize(
    "text",
    ["Python, R, SQL", "Python or R.", "R programming", "languages: R", "R (tidyverse)"],
)
def test_r_matches_in_list_context(text: str) -> None:
    assert keys(text).count("r") == 1


@pytest.mark.parametrize(
    "text",
    ["React and Rust", "R is a must", "John R. Smith", "R&D budget", "Grade: r, s", "RStudio"],
)
def test_r_ignored_outside_list_context(text: str) -> None:
    assert "r" not in keys(text)


@pytest.mark.parametrize("text", ["Python or Go", "Go, Rust, Java", "Golang services"])
def test_go_matches_in_list_or_as_golang(text: str) -> None:
    assert "go" in keys(text)


@pytest.mark.parametrize(
    "text", ["Go to market fast", "Google Cloud", "a go-to person", "Let's Go!"]
)
def test_go_ignored_in_prose_and_inside_words(text: str) -> None:
    assert "go" not in keys(text)


def test_cpp_and_csharp_do_not_leak_into_c() -> None:
    assert keys("C++, C#, C and Python") == ["cpp", "csharp", "c"]
    assert keys("C+++") == []
    assert keys("Copyright (C) 2019") == []


def test_dotnet_not_found_inside_aspnet() -> None:
    assert keys("ASP.NET and .NET Core") == ["aspnet", "dotnet"]
    assert keys("see example.net") == []


def test_exact_case_alias_ignores_lower_case_word() -> None:
    assert keys("ideas that spark joy") == []
    assert keys("Spark jobs") == ["spark"]


def test_longest_overlapping_alias_wins() -> None:
    found = MATCHER.find("Apache Spark pipelines")
    assert [(m.key, m.text) for m in found] == [("spark", "Apache Spark")]


def test_any_case_alias_tolerates_case_and_hyphen_spacing() -> None:
    assert keys("PYTORCH; pytorch") == ["pytorch", "pytorch"]
    assert keys("fine tuning and finetuning and fine-tuning") == ["finetune"] * 3


def test_mentions_carry_exact_spans() -> None:
    text = "Skills: Python, R, SQL"
    (mention,) = MATCHER.find(text)
    assert text[mention.start : mention.end] == "R" == mention.text


def test_an_alias_with_near_phrases_counts_only_beside_one() -> None:
    from rubrics._aliases import NEAR_CHARS

    matcher = AliasMatcher(
        [
            ("ml", Alias(text="clustering", near=("k-means", "unsupervised"))),
            ("sql", Alias(text="SQL")),
        ]
    )
    database = "Worked on availability groups, database mirroring, replication, clustering and SQL."
    assert [m.key for m in matcher.find(database)] == ["sql"]
    assert [m.key for m in matcher.find("Logistic Regression, K means clustering")] == ["ml"]
    assert [m.key for m in matcher.find("Unsupervised customer clustering")] == ["ml"]
    # the near phrase must lie whole within NEAR_CHARS characters of the hit
    within = "x" * (NEAR_CHARS - len(" k-means") - 1)
    assert [m.key for m in matcher.find(f"clustering {within} k-means")] == ["ml"]
    assert matcher.find(f"clustering {within}xx k-means") == []


def test_a_hit_is_never_its_own_context() -> None:
    # a shared context list may hold the alias itself: "API" beside another software word is
    # the software kind, the same word again (a pipeline engineer's "API 6A … API 650") is not
    matcher = AliasMatcher([("api", Alias(text="API", near=("API", "Python", "REST")))])
    assert matcher.find("Specifications API 6A; 5L; API 650; ASTM A36.") == []
    assert [m.key for m in matcher.find("Wrote the API in Python.")] == ["api"]
    assert [m.key for m in matcher.find("REST, then the API")] == ["api"]


def test_near_is_left_out_of_an_alias_without_context() -> None:
    # roles that use no context keep the version they had
    assert Alias(text="PyTorch").model_dump(mode="json") == {"text": "PyTorch", "match": "any_case"}
    dumped = Alias(text="clustering", near=("k-means",)).model_dump(mode="json")
    assert dumped["near"] == ["k-means"]


@pytest.mark.parametrize("phrase", ["", " spaced", "two\nlines"])
def test_near_phrases_must_be_one_clean_line(phrase: str) -> None:
    with pytest.raises(ValueError, match="near phrases"):
        Alias(text="clustering", near=(phrase,))


def test_electrical_transformers_and_database_clustering_are_no_ml_skills() -> None:
    """Real lines from the categorised resumes (Testing and Database CVs)."""
    from rubrics import load_roles

    roles = {role.id: role for role in load_roles()}
    electrical = "To conduct Routine test, Type Test, Special Test on Transformers as per IS & IEC"
    database = "Worked on availability groups, database mirroring, replication, clustering"
    library = "Fine-tuned BERT with Transformers and PyTorch"  # the bare name, beside BERT
    nlp = roles["nlp-engineer"].matcher
    assert "transformers" not in [m.key for m in nlp.find(electrical)]
    assert ("transformers", "Transformers") in [(m.key, m.alias) for m in nlp.find(library)]
    assert roles["data-scientist"].matcher.find(database) == []
    ml = roles["data-scientist"].matcher.find("Neural Networks, K means clustering, Tensorflow")
    assert "clustering" in [m.alias for m in ml]
    # a chef's charity work, then the feature store beside the models it serves
    charity = "Moveable Feast, United Way, as well as a church group"
    store = "Served the ranking model's features from Feast"
    for role_id in ("ml-engineer", "mlops-engineer"):
        assert "feature-stores" not in [m.key for m in roles[role_id].matcher.find(charity)]
        assert "feature-stores" in [m.key for m in roles[role_id].matcher.find(store)]


def test_spans_stay_exact_where_lower_casing_changes_the_text_length() -> None:
    # "İ" lower-cases to two characters, so positions in the lower-cased text shift; the
    # matcher then scans the text itself and the spans still point at what was written
    text = "İstanbul İzmir: PyTorch, R and Apache Spark"
    found = MATCHER.find(text)
    assert [(m.key, text[m.start : m.end]) for m in found] == [
        ("pytorch", "PyTorch"), ("r", "R"), ("spark", "Apache Spark")
    ]  # fmt: skip
    plain = MATCHER.find(text.replace("İ", "I"))
    assert [(m.key, m.start, m.end) for m in plain] == [(m.key, m.start, m.end) for m in found]


def _scan_everything(matcher: AliasMatcher, text: str) -> list[Mention]:
    """``find`` without its shortcuts: every alias's pattern run over the whole text."""
    hits = [
        mention
        for term in matcher._terms
        for mention in term_mentions(term, text, term.regex.finditer(text))
    ]
    spans = [(m.start, m.end, m.key) for m in hits]
    return [hits[i] for i in longest_of_overlaps(spans)]


def test_find_misses_nothing_a_scan_of_the_whole_text_finds() -> None:
    """``find`` tries an alias only where its first word starts a word of the text; on real
    CVs (every 40th categorised resume) and on crafted lines (Turkish capitals, symbols,
    hyphens, quotes) it finds exactly what running every pattern over the whole text finds."""
    with UPDATED_RESUMES.open(encoding="utf-8", errors="replace", newline="") as handle:
        texts = [row["Resume"] for row in csv.DictReader(handle)][::40]
    texts += [
        "İSTANBUL Teknik Üniversitesi, Bilgisayar Mühendisliği; PyTorch ile derin öğrenme",
        "(PyTorch) scikit-learn, ASP.NET and .NET Core; C#/C++; R, Go; fine tuning LoRA",
        "pytorch-lightning, tensorflow.js, Node.js, TensorFlow2, «Kubernetes», k8s",
    ]
    matchers = [role.matcher for role in load_roles()] + [MATCHER]
    for text in texts:
        for matcher in matchers:
            assert matcher.find(text) == _scan_everything(matcher, text), text[:60]
