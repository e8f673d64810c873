"""Request and response schemas, in families: ``*Create`` in, ``*Public`` out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from screener.service import DecisionKind

__all__ = [
    "UtcDatetime",
    "BatchPublic",
    "BatchResultsPublic",
    "BatchRowPublic",
    "CandidatePublic",
    "ChainPublic",
    "DecisionCreate",
    "DecisionPublic",
    "EvidencePublic",
    "ExplanationPublic",
    "HealthPublic",
    "Problem",
    "RolePublic",
    "RoleSummaryPublic",
    "RolesPublic",
    "ScreeningPublic",
    "ScreeningResult",
    "ScreeningSummaryPublic",
    "SearchCreate",
    "SearchHitPublic",
    "SearchPublic",
]


def _as_utc(value: datetime) -> datetime:
    # the database keeps naive UTC; the API says so (RFC 3339 date-times carry an offset)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


class Problem(BaseModel):
    """RFC 9457 problem details; extra members (``kind``, ``limit``, ``valid_roles``, ``errors``)
    depend on the problem."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "https://cv-screener.local/problems/unknown-role",
                    "title": "Unknown role",
                    "status": 404,
                    "detail": "unknown role 'ml-eng'; valid ids: data-scientist, ml-engineer",
                    "valid_roles": ["data-scientist", "ml-engineer"],
                }
            ]
        },
    )

    type: str
    title: str
    status: int
    detail: str


class HealthPublic(BaseModel):
    status: str = Field(examples=["ok"])
    model_hash: str | None = None
    roles_version: str | None = None
    candidates_in_pool: int | None = None


# --- roles ---------------------------------------------------------------------------------------


class SalaryBandPublic(BaseModel):
    market: str = Field(examples=["de"])
    market_name: str = Field(examples=["Germany"])
    currency: str = Field(examples=["EUR"])
    min: int
    max: int
    basis: str


class RoleSummaryPublic(BaseModel):
    id: str = Field(examples=["ml-engineer"])
    name: str = Field(examples=["ML Engineer"])
    focus: str
    version: str
    skills: int
    dimension_weights: dict[str, float]
    custom: bool


class RolesPublic(BaseModel):
    version: str
    data: list[RoleSummaryPublic]


class RolePublic(BaseModel):
    """The full role definition (skills, aliases, weights) and its salary band per market."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    version: str
    salary_bands: list[SalaryBandPublic]


# --- screenings ----------------------------------------------------------------------------------


class EvidencePublic(BaseModel):
    text: str
    start: int
    end: int
    section: str
    page: int


class DimensionPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    score: float
    rules: list[dict[str, Any]]


class RedFlagPublic(BaseModel):
    model_config = ConfigDict(extra="allow")

    code: str = Field(examples=["unexplained-title-inflation"])
    severity: str
    note: str
    evidence: list[EvidencePublic]


class ScreeningResult(BaseModel):
    """The machine screening: deterministic for the same bytes, role, rubric and model."""

    model_config = ConfigDict(extra="allow")

    fit: float = Field(ge=0, le=100, examples=[67.5])
    dimensions: dict[str, DimensionPublic]
    coverage: float = Field(ge=0, le=100)
    skills: dict[str, list[dict[str, Any]]]
    red_flags: list[RedFlagPublic]
    sourcing_signals: list[dict[str, Any]]
    salary_band: SalaryBandPublic
    explanation: str
    role: dict[str, str]
    rubric_version: str
    model_hash: str
    cv_sha256: str


class ScreeningPublic(BaseModel):
    candidate_id: str
    screening_id: str
    reused: bool = Field(description="True when the same CV, role and rubric were screened before.")
    notice: str
    screening: ScreeningResult


class ScreeningSummaryPublic(BaseModel):
    id: str
    role_id: str
    market: str
    rubric_version: str
    model_hash: str
    fit: float
    red_flags: list[str]
    created_at: UtcDatetime


class ExplanationPublic(BaseModel):
    candidate_id: str
    screening_id: str
    role: dict[str, str]
    rubric_version: str
    model_hash: str
    fit: float
    dimensions: dict[str, float]
    red_flags: list[str]
    explanation: str
    notice: str
    how_to_contest: str


# --- candidates and decisions ---------------------------------------------------------------


class DecisionCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decision": "advance",
                    "reason": "Strong production RAG work; invite to a technical interview.",
                    "screening_id": None,
                    "override_fit": None,
                }
            ]
        }
    )

    decision: DecisionKind
    reason: str = Field(min_length=3, max_length=4000)
    screening_id: str | None = None
    override_fit: float | None = Field(
        None, ge=0, le=100, description="A corrected fit; the machine score is kept as it was."
    )

    @model_validator(mode="after")
    def _override_needs_score(self) -> DecisionCreate:
        if self.decision is DecisionKind.OVERRIDE and self.override_fit is None:
            raise ValueError("decision 'override' needs override_fit")
        return self


class DecisionPublic(BaseModel):
    id: str
    candidate_id: str
    screening_id: str | None
    decision: str
    override_fit: float | None
    reason: str
    reviewer_key_id: str
    created_at: UtcDatetime


class CandidatePublic(BaseModel):
    id: str
    created_at: UtcDatetime
    personal_data_included: bool = Field(
        description="Contacts (name, e-mail, phone, links, location) are shown to admin keys only."
    )
    profile: dict[str, Any]
    screenings: list[ScreeningSummaryPublic]
    decisions: list[DecisionPublic]


# --- batches -------------------------------------------------------------------------------------


class BatchPublic(BaseModel):
    id: str
    status: str = Field(examples=["running"])
    role_id: str
    market: str
    total: int
    done: int
    failed: int
    queued: int
    running: int
    created_at: UtcDatetime
    finished_at: UtcDatetime | None
    results_url: str


class BatchRowPublic(BaseModel):
    rank: int | None
    file: str
    status: str
    candidate_id: str | None
    screening_id: str | None
    fit: float | None
    mathematical_foundation: float | None
    engineering_maturity: float | None
    domain_application: float | None
    coverage: float | None
    red_flags: list[str]
    error_kind: str | None
    error: str | None


class BatchResultsPublic(BaseModel):
    batch_id: str
    page: int
    page_size: int
    total: int
    data: list[BatchRowPublic]


# --- search and audit ----------------------------------------------------------------------------


class SearchCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"query": "PyTorch, LoRA, production RAG", "k": 10}]}
    )

    query: str | None = Field(None, min_length=1, max_length=2000)
    role_id: str | None = Field(None, min_length=1, max_length=100)
    k: int = Field(20, ge=1, le=200)

    @model_validator(mode="after")
    def _one_of(self) -> SearchCreate:
        if (self.query is None) == (self.role_id is None):
            raise ValueError("give either query or role_id")
        return self


class SearchHitPublic(BaseModel):
    candidate_id: str
    score: float
    evidence: list[EvidencePublic]


class SearchPublic(BaseModel):
    data: list[SearchHitPublic]


class ChainPublic(BaseModel):
    ok: bool
    records: int
    first_seq: int | None
    last_seq: int | None
    broken_seq: int | None
    problem: str | None
