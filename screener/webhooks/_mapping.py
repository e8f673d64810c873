"""Which of our roles (and market) an ATS job is screened for, per integration."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from rubrics import Market
from screener.webhooks._payloads import InboundApplication

__all__ = ["JobMapping", "JobResolution", "ResolutionStatus", "resolve_job"]


class JobMapping(BaseModel):
    """One ATS job of an integration mapped to our role id and market."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ats_job_id: str = Field(min_length=1)
    role_id: str = Field(min_length=1)
    market: Market


class ResolutionStatus(StrEnum):
    MAPPED = "mapped"
    SKIPPED = "skipped"


class JobResolution(BaseModel):
    """What to screen an application for, or why it is acknowledged and skipped."""

    model_config = ConfigDict(frozen=True)

    status: ResolutionStatus
    role_id: str | None = None
    market: Market | None = None
    ats_job_id: str | None = None
    reason: str | None = None

    @property
    def mapped(self) -> bool:
        return self.status is ResolutionStatus.MAPPED


def resolve_job(
    application: InboundApplication,
    mappings: Iterable[JobMapping],
    *,
    default_market: Market = Market.DE,
) -> JobResolution:
    """Pick the role and market for an application; never raises for an unknown job.

    The first of the application's jobs with a mapping wins. A generic delivery that names a
    ``role`` is screened for it even without a mapping (market: the body's, else the mapping's,
    else ``default_market``). Skipped, with the reason, when there is no CV, no job, or no
    mapping for any of the jobs.
    """
    if application.cv is None:
        return JobResolution(status=ResolutionStatus.SKIPPED, reason="skipped: no resume attached")
    by_job = {mapping.ats_job_id: mapping for mapping in mappings}
    mapping = next((by_job[ref] for ref in application.job_refs if ref in by_job), None)
    if application.role_id is not None:
        return JobResolution(
            status=ResolutionStatus.MAPPED,
            role_id=application.role_id,
            market=application.market or (mapping.market if mapping else default_market),
            ats_job_id=application.job_refs[0] if application.job_refs else None,
        )
    if not application.job_refs:
        return JobResolution(
            status=ResolutionStatus.SKIPPED, reason="skipped: the application names no job"
        )
    if mapping is None:
        return JobResolution(
            status=ResolutionStatus.SKIPPED,
            reason=f"skipped: unmapped job {', '.join(application.job_refs)}",
        )
    return JobResolution(
        status=ResolutionStatus.MAPPED,
        role_id=mapping.role_id,
        market=application.market or mapping.market,
        ats_job_id=mapping.ats_job_id,
    )
