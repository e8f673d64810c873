"""Whole-word alias matching: short names, symbols and case rules."""

from __future__ import annotations

import pytest

from rubrics import Alias, AliasMatcher, MatchMode

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
