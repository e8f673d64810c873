"""Rubric rule files: validation with file and field in errors, versions, what rules may key on."""

from __future__ import annotations

import re
import shutil
import typing
from pathlib import Path

import pytest

from rubrics import DIMENSIONS, RuleFileError, RuleSetError, load_rules
from rubrics._rules import Condition

PACKAGED = Path(__file__).resolve().parents[2] / "rubrics" / "rules"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(PACKAGED, folder)
    return folder


def test_packaged_rules_cover_three_dimensions_of_100_points_each() -> None:
    rules = load_rules()
    assert list(rules.dimensions) == list(DIMENSIONS)
    for dimension in rules.dimensions.values():
        assert sum(rule.points for rule in dimension.rules) == pytest.approx(100)
    assert {f.code for f in rules.red_flags} >= {
        "notebook-only",
        "no-version-control-or-testing",
        "research-only",
        "llm-prompting-only",
        "production-without-monitoring",
        "keyword-stuffing",
        "hidden-text",
        "impossible-dates",
        "overlapping-dates",
    }
    research = next(f for f in rules.red_flags if f.code == "research-only")
    assert research.severity == "info" and "needs production guidance" in research.note
    assert {s.code for s in rules.sourcing_signals} == {
        "kaggle-competitor",
        "open-source-contributor",
        "phd-to-industry",
        "research-lab-alumni",
    }


def test_version_ignores_comments_and_changes_with_meaning(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    baseline = load_rules(folder).version
    assert baseline == load_rules().version
    path = folder / "engineering_maturity.yaml"
    path.write_text("# another comment\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_rules(folder).version == baseline
    path.write_text(
        path.read_text(encoding="utf-8").replace("- pytest\n", "- pytest\n    - nose2\n"),
        encoding="utf-8",
    )
    assert load_rules(folder).version != baseline


def test_invalid_regex_names_file_and_field(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "mathematical_foundation.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("- '\\bphysic'\n", "- '(unclosed'\n", 1),
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as caught:
        load_rules(folder)
    assert caught.value.filename == "mathematical_foundation.yaml"
    assert caught.value.field.startswith("rules[0].when")
    assert "not a valid regex" in str(caught.value)


def test_points_that_do_not_sum_to_100_are_refused(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    path = folder / "engineering_maturity.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  points: 15\n", "  points: 25\n", 1), encoding="utf-8")
    with pytest.raises(RuleFileError, match="points must sum to 100, got 110"):
        load_rules(folder)


def test_unknown_condition_kind_is_refused_with_its_field(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "red_flags.yaml").write_text(
        "red_flags:\n- code: employment-gap\n  severity: warning\n"
        "  note: A gap between two jobs of more than a year.\n"
        "  when:\n    kind: employment_gap\n    min_months: 12\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as caught:
        load_rules(folder)
    assert caught.value.field.startswith("red_flags[0].when")
    assert "employment_gap" in str(caught.value)


def test_missing_dimension_and_repeated_code_are_rule_set_errors(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "domain_application.yaml").unlink()
    with pytest.raises(RuleSetError, match="domain_application"):
        load_rules(folder)
    folder = _copy(tmp_path / "again")
    path = folder / "sourcing_signals.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "code: kaggle-competitor", "code: kaggle-standing"
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleSetError, match="'kaggle-standing' is used in"):
        load_rules(folder)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RuleSetError, match="no rule files"):
        load_rules(empty)


def test_no_condition_kind_can_key_on_protected_attributes_or_gaps() -> None:
    kinds = {
        typing.get_args(cls.model_fields["kind"].annotation)[0]
        for cls in typing.get_args(typing.get_args(Condition)[0])
    }
    assert kinds == {
        "phrases",
        "skill",
        "degree",
        "publications",
        "experience_months",
        "coverage",
        "keyword_stuffing",
        "hidden_text",
        "date_issues",
    }
    rules = load_rules()
    text = " ".join(f"{flag.code} {flag.note}".casefold() for flag in rules.red_flags)
    for word in ("gap", "age", "nationality", "gender", "photo", "married", "foreign", "language"):
        assert not re.search(rf"\b{word}\b", text), word
