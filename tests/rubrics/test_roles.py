"""Seed roles, validation errors, versions and market salary bands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from rubrics import (
    Market,
    RoleFileError,
    RoleSet,
    RoleSetError,
    UnknownMarket,
    UnknownRole,
    load_role_file,
    load_roles,
    save_role,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
ROLES_DIR = REPO_ROOT / "rubrics" / "roles"

# The hiring guide's Germany bands (EUR, annual gross) and key skills per role.
GUIDE = {
    "ml-engineer": (
        85_000,
        130_000,
        {"python", "deep-learning-frameworks", "mlops", "feature-stores", "model-serving"},
    ),
    "llm-genai-engineer": (
        95_000,
        150_000,
        {"transformers", "peft-lora", "vector-databases", "langchain", "inference-optimization"},
    ),
    "data-scientist": (
        75_000,
        110_000,
        {"python", "r", "sql", "ab-testing", "causal-inference", "visualization"},
    ),
    "computer-vision-engineer": (
        85_000,
        125_000,
        {"opencv", "yolo", "detectron2", "3d-vision", "edge-deployment"},
    ),
    "nlp-engineer": (85_000, 130_000, {"transformers", "tokenization", "ner", "embeddings"}),
    "mlops-engineer": (
        90_000,
        135_000,
        {"kubernetes", "mlflow", "weights-and-biases", "feature-stores", "ci-cd"},
    ),
}


@pytest.fixture(scope="module")
def roles() -> RoleSet:
    return load_roles()


def _role_data(role_id: str = "ml-engineer") -> dict:
    return yaml.safe_load((ROLES_DIR / f"{role_id}.yaml").read_text(encoding="utf-8"))


def _write(folder: Path, name: str, data: dict) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_load_roles_returns_the_six_guide_roles(roles: RoleSet) -> None:
    assert roles.ids == sorted(GUIDE)
    assert {r.name for r in roles} == {
        "ML Engineer",
        "LLM / GenAI Engineer",
        "Data Scientist",
        "Computer Vision Engineer",
        "NLP Engineer",
        "MLOps Engineer",
    }


@pytest.mark.parametrize("role_id", sorted(GUIDE))
def test_germany_band_matches_guide_for_each_role(roles: RoleSet, role_id: str) -> None:
    low, high, _ = GUIDE[role_id]
    band = roles.get(role_id).salary_band(Market.DE)
    assert (band.min, band.max, band.currency) == (low, high, "EUR")


@pytest.mark.parametrize("role_id", sorted(GUIDE))
def test_market_bands_derive_from_germany_band_for_each_role(roles: RoleSet, role_id: str) -> None:
    low, high, _ = GUIDE[role_id]
    bands = roles.get(role_id).salary_bands()
    assert (bands[Market.TR].min, bands[Market.TR].max) == (round(low * 0.4), round(high * 0.6))
    assert (bands[Market.AE].min, bands[Market.AE].max) == (low, high)
    assert (bands[Market.US].min, bands[Market.US].max) == (round(low * 1.3), round(high * 1.6))
    assert all(b.currency == "EUR" for b in bands.values())


def test_market_band_exact_amounts_for_ml_engineer(roles: RoleSet) -> None:
    role = roles.get("ml-engineer")
    assert (role.salary_band("tr").min, role.salary_band("tr").max) == (34_000, 78_000)
    assert (role.salary_band("Turkey").min, role.salary_band("us").max) == (34_000, 208_000)
    assert role.salary_band(Market.US).min == 110_500


@pytest.mark.parametrize("role_id", sorted(GUIDE))
def test_key_skills_are_required_with_full_weight_for_each_role(
    roles: RoleSet, role_id: str
) -> None:
    role = roles.get(role_id)
    assert {s.id for s in role.required_skills} == GUIDE[role_id][2]
    assert all(s.weight == 1.0 for s in role.required_skills)
    assert all(0 < s.weight < 1.0 for s in role.plus_skills)


def test_dimension_weights_sum_to_one_and_differ_by_role(roles: RoleSet) -> None:
    for role in roles:
        assert sum(role.dimension_weights.as_dict().values()) == pytest.approx(1.0)
    ds, mlops = roles.get("data-scientist"), roles.get("mlops-engineer")
    assert (
        ds.dimension_weights.mathematical_foundation
        > mlops.dimension_weights.mathematical_foundation
    )
    assert mlops.dimension_weights.engineering_maturity > ds.dimension_weights.engineering_maturity


def test_shared_skill_definitions_identical_across_roles(roles: RoleSet) -> None:
    seen: dict[str, tuple] = {}
    for role in roles:
        for skill in role.skills:
            definition = (skill.name, tuple(skill.aliases), skill.description, skill.general)
            assert seen.setdefault(skill.id, definition) == definition, skill.id


def test_expected_aliases_map_to_guide_skills(roles: RoleSet) -> None:
    def hits(role_id: str, text: str) -> set[str]:
        return {m.key for m in roles.get(role_id).matcher.find(text)}

    assert hits("ml-engineer", "Built models in torch and tf.keras") == {"deep-learning-frameworks"}
    assert hits("llm-genai-engineer", "QLoRA on Llama, served with vLLM, stored in pgvector") == {
        "peft-lora",
        "transformers",
        "inference-optimization",
        "vector-databases",
    }
    assert hits("mlops-engineer", "wandb sweeps, Feast, GitHub Actions, Airflow") == {
        "weights-and-biases",
        "feature-stores",
        "ci-cd",
        "ml-pipelines",
    }
    assert hits("data-scientist", "uplift modeling, diff-in-diff, ggplot2, R, Python") == {
        "causal-inference",
        "visualization",
        "r",
        "python",
    }


def test_broken_role_file_names_file_and_field(tmp_path: Path) -> None:
    data = _role_data()
    data["skills"][3]["weight"] = 0
    _write(tmp_path, "ml-engineer.yaml", data)
    with pytest.raises(RoleFileError) as caught:
        load_roles(tmp_path)
    assert caught.value.filename == "ml-engineer.yaml"
    assert caught.value.field == "skills[3].weight"
    assert "ml-engineer.yaml: skills[3].weight: Input should be greater than 0" in str(caught.value)


def test_missing_field_names_file_and_field(tmp_path: Path) -> None:
    data = _role_data("nlp-engineer")
    del data["salary_germany"]["max"]
    _write(tmp_path, "nlp-engineer.yaml", data)
    with pytest.raises(
        RoleFileError, match=r"nlp-engineer\.yaml: salary_germany\.max: Field required"
    ):
        load_roles(tmp_path)


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: bad\nskills: [unclosed\n", encoding="utf-8")
    with pytest.raises(RoleFileError, match=r"bad\.yaml: not valid YAML: line \d+"):
        load_roles(tmp_path)


def test_weights_not_summing_to_one_rejected(tmp_path: Path) -> None:
    data = _role_data()
    data["dimension_weights"]["domain_application"] = 0.5
    _write(tmp_path, "ml-engineer.yaml", data)
    with pytest.raises(RoleFileError, match=r"dimension_weights: weights must sum to 1, got 1\.2"):
        load_roles(tmp_path)


def test_duplicate_skill_id_rejected_with_its_path(tmp_path: Path) -> None:
    data = _role_data()
    data["skills"].append(dict(data["skills"][1]))
    _write(tmp_path, "ml-engineer.yaml", data)
    with pytest.raises(RoleFileError) as caught:
        load_roles(tmp_path)
    last = len(data["skills"]) - 1
    assert caught.value.field == f"skills[{last}].id"
    assert "repeats skills[1].id" in str(caught.value)


def test_alias_shared_by_two_skills_of_a_role_rejected(tmp_path: Path) -> None:
    data = _role_data()
    data["skills"][0]["aliases"].append("PyTorch")
    _write(tmp_path, "ml-engineer.yaml", data)
    with pytest.raises(RoleFileError, match="alias 'PyTorch' belongs to both"):
        load_roles(tmp_path)


def test_duplicate_role_id_across_files_rejected(tmp_path: Path) -> None:
    data = _role_data()
    _write(tmp_path, "ml-engineer.yaml", data)
    _write(tmp_path, "ml-engineer.yml", data)
    with pytest.raises(RoleSetError, match="duplicate role id 'ml-engineer'"):
        load_roles(tmp_path)


def test_id_differing_from_file_name_rejected(tmp_path: Path) -> None:
    _write(tmp_path, "other.yaml", _role_data())
    with pytest.raises(RoleFileError, match="other.yaml: id: 'ml-engineer' does not match"):
        load_roles(tmp_path)


def test_empty_directory_rejected(tmp_path: Path) -> None:
    with pytest.raises(RoleSetError, match="no role files"):
        load_roles(tmp_path)


def test_unknown_role_lists_valid_ids(roles: RoleSet) -> None:
    with pytest.raises(UnknownRole) as caught:
        roles.get("ml-enginer")
    assert caught.value.valid_ids == sorted(GUIDE)
    assert "valid ids: computer-vision-engineer, data-scientist" in str(caught.value)


def test_unknown_market_lists_valid_codes(roles: RoleSet) -> None:
    with pytest.raises(UnknownMarket, match="valid markets: de, tr, ae, us"):
        roles.get("ml-engineer").salary_band("fr")


def test_version_stable_across_loads_and_layout(roles: RoleSet, tmp_path: Path) -> None:
    assert load_roles().version == roles.version
    data = _role_data()
    # same content, different layout: keys reordered, no comments, flow style
    reordered = dict(reversed(list(data.items())))
    (tmp_path / "ml-engineer.yaml").write_text(
        yaml.safe_dump(reordered, default_flow_style=True), encoding="utf-8"
    )
    assert load_role_file(tmp_path / "ml-engineer.yaml").version == roles.get("ml-engineer").version


def test_version_stable_across_processes(roles: RoleSet) -> None:
    code = "import rubrics; print(rubrics.load_roles().version)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == roles.version
    assert len(roles.version) == 12


def test_version_changes_when_content_changes(roles: RoleSet, tmp_path: Path) -> None:
    for path in ROLES_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    data = _role_data()
    data["skills"][5]["weight"] = 0.55
    _write(tmp_path, "ml-engineer.yaml", data)
    changed = load_roles(tmp_path)
    assert changed.get("ml-engineer").version != roles.get("ml-engineer").version
    assert changed.get("data-scientist").version == roles.get("data-scientist").version
    assert changed.version != roles.version


def test_save_role_round_trips_with_same_version(roles: RoleSet, tmp_path: Path) -> None:
    original = roles.get("data-scientist")
    path = save_role(original, tmp_path)
    assert path.name == "data-scientist.yaml"
    reloaded = load_role_file(path)
    assert reloaded == original
    assert reloaded.version == original.version
    with pytest.raises(FileExistsError):
        save_role(original, tmp_path)


def test_market_band_basis_says_how_the_band_follows_from_the_germany_band(
    roles: RoleSet,
) -> None:
    bands = roles.get("ml-engineer").salary_bands()
    assert bands[Market.DE].basis == "the hiring guide's Germany band"
    assert bands[Market.TR].basis.startswith(
        "the Germany band EUR 85,000-130,000, its low end x 0.4 and its high end x 0.6; "
    )
    assert bands[Market.AE].basis.startswith("the Germany band EUR 85,000-130,000 unchanged; ")
    assert "amounts in EUR, not USD" in bands[Market.US].basis
    # the explanation puts the basis in parentheses at a sentence's end: no ".)."
    assert not any(band.basis.endswith(".") for band in bands.values())
