"""ATS integrations (scope ``admin``): create them, map their jobs to our roles, and read what
their webhooks did (events) and what we sent back (callbacks and notes with every attempt).

Secrets are returned once, by ``POST /v1/integrations``; afterwards only their presence shows.
The schemas live here, next to the only routes that use them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from api.deps import AdminCaller, RuntimeDep, SessionDep
from api.routes._common import problems
from api.schemas import UtcDatetime
from screener.store import Integration, JobMappingRow, WebhookDelivery
from screener.webhook_jobs import (
    EventStatus,
    create_integration,
    get_integration,
    list_deliveries,
    list_events,
    list_integrations,
    list_job_mappings,
    secret_box,
    set_job_mapping,
)
from screener.webhooks import StandardWebhookSecret

router = APIRouter(prefix="/v1/integrations", tags=["integrations"])

ProviderName = Literal["greenhouse", "lever", "generic"]
IntegrationId = Annotated[str, Path(max_length=32)]
Page = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[int, Query(ge=1, le=500)]


def _http_url(value: str | None) -> str | None:
    if value is None:
        return None
    if not value.startswith(("http://", "https://")) or len(value) > 2000:
        raise ValueError("must be an absolute http(s) URL of at most 2000 characters")
    return value


class IntegrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    provider: ProviderName
    name: str = Field(min_length=1, max_length=200, examples=["Greenhouse production"])
    callback_url: str | None = Field(
        None, description="Where screening results are posted (Standard Webhooks, signed with "
        "the outbound secret). A generic delivery's own callback_url takes precedence."
    )  # fmt: skip
    inbound_secret: str | None = Field(
        None, min_length=16, max_length=500, repr=False,
        description="Verifies the ATS's deliveries. Lever: the webhook's signature token "
        "(required). Greenhouse and generic: generated when absent.",
    )  # fmt: skip
    ats_api_key: str | None = Field(
        None, min_length=1, max_length=500, repr=False,
        description="Lever API key (resumes, notes) or Greenhouse Harvest key (notes).",
    )  # fmt: skip
    ats_base_url: str | None = Field(None, description="Overrides the ATS API base URL.")
    ats_user_id: str | None = Field(
        None, max_length=100, description="Greenhouse On-Behalf-Of user / Lever perform_as."
    )
    write_back_notes: bool = Field(
        False, description="Post the recruiter explanation as a note in the ATS."
    )

    _urls = field_validator("callback_url", "ats_base_url")(_http_url)

    @model_validator(mode="after")
    def _secret_fits_provider(self) -> IntegrationCreate:
        if self.provider == "lever" and self.inbound_secret is None:
            raise ValueError("a Lever integration needs inbound_secret: the signature token")
        if self.provider == "generic" and self.inbound_secret is not None:
            StandardWebhookSecret.parse(self.inbound_secret)  # ValueError says what is wrong
        return self


class IntegrationPublic(BaseModel):
    id: str
    name: str
    provider: ProviderName
    webhook_url: str = Field(description="The path the ATS posts to.")
    callback_url: str | None
    ats_base_url: str | None
    ats_user_id: str | None
    has_ats_api_key: bool
    write_back_notes: bool
    created_at: UtcDatetime


class IntegrationCreatedPublic(IntegrationPublic):
    """Shown once: store the secrets now, they are never returned again."""

    inbound_secret: str = Field(description="Configure it in the ATS's web hook.")
    outbound_secret: str = Field(description="Verifies our callbacks (whsec_...).")


class IntegrationsPublic(BaseModel):
    data: list[IntegrationPublic]


class JobMappingUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role_id: str = Field(min_length=1, max_length=100, examples=["ml-engineer"])
    market: str = Field("de", min_length=2, max_length=40, examples=["de"])


class JobMappingPublic(BaseModel):
    ats_job_id: str
    role_id: str
    market: str


class JobMappingsPublic(BaseModel):
    data: list[JobMappingPublic]


class WebhookEventPublic(BaseModel):
    id: str
    provider: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    reason: str | None
    error_kind: str | None
    role_id: str | None
    market: str | None
    candidate_id: str | None
    screening_id: str | None
    received_at: UtcDatetime
    updated_at: UtcDatetime


class WebhookEventsPublic(BaseModel):
    page: int
    page_size: int
    total: int
    data: list[WebhookEventPublic]


class DeliveryPublic(BaseModel):
    id: str
    webhook_event_id: str
    kind: Literal["callback", "note"]
    msg_id: str | None
    url: str
    outcome: str = Field(description="pending, sending, delivered, failed or gave_up.")
    reason: str | None
    attempts: list[dict[str, Any]]
    created_at: UtcDatetime
    finished_at: UtcDatetime | None


class DeliveriesPublic(BaseModel):
    page: int
    page_size: int
    total: int
    data: list[DeliveryPublic]


def _public(row: Integration) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "provider": row.provider,
        "webhook_url": f"/v1/webhooks/{row.provider}/{row.id}", "callback_url": row.callback_url,
        "ats_base_url": row.ats_base_url, "ats_user_id": row.ats_user_id,
        "has_ats_api_key": row.ats_api_key_enc is not None,
        "write_back_notes": row.write_back_notes, "created_at": row.created_at,
    }  # fmt: skip


def _mapping(row: JobMappingRow) -> JobMappingPublic:
    return JobMappingPublic(ats_job_id=row.ats_job_id, role_id=row.role_id, market=row.market)


@router.post(
    "",
    response_model=IntegrationCreatedPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problems(),
)
def create(
    body: IntegrationCreate, caller: AdminCaller, runtime: RuntimeDep, session: SessionDep
) -> IntegrationCreatedPublic:
    """Create an integration; the response holds its secrets, shown this once."""
    created = create_integration(
        session, box=secret_box(runtime.settings), provider=body.provider, name=body.name,
        callback_url=body.callback_url, inbound_secret=body.inbound_secret,
        ats_api_key=body.ats_api_key, ats_base_url=body.ats_base_url,
        ats_user_id=body.ats_user_id, write_back_notes=body.write_back_notes,
        by=caller.key_id, source="api",
    )  # fmt: skip
    session.commit()
    return IntegrationCreatedPublic(
        **_public(created.integration),
        inbound_secret=created.inbound_secret,
        outbound_secret=created.outbound_secret,
    )


@router.get("", response_model=IntegrationsPublic, responses=problems())
def read_all(_caller: AdminCaller, session: SessionDep) -> IntegrationsPublic:
    """Every integration, without secrets."""
    return IntegrationsPublic(
        data=[IntegrationPublic(**_public(row)) for row in list_integrations(session)]
    )


@router.get("/{integration_id}", response_model=IntegrationPublic, responses=problems(404))
def read_one(
    integration_id: IntegrationId, _caller: AdminCaller, session: SessionDep
) -> IntegrationPublic:
    return IntegrationPublic(**_public(get_integration(session, integration_id=integration_id)))


@router.get("/{integration_id}/mappings", response_model=JobMappingsPublic, responses=problems(404))
def read_mappings(
    integration_id: IntegrationId, _caller: AdminCaller, session: SessionDep
) -> JobMappingsPublic:
    """The ATS jobs screened and the role and market each is screened for."""
    rows = list_job_mappings(session, integration_id=integration_id)
    return JobMappingsPublic(data=[_mapping(row) for row in rows])


@router.put(
    "/{integration_id}/mappings/{ats_job_id}",
    response_model=JobMappingPublic,
    responses=problems(404, 422),
)
def put_mapping(
    integration_id: IntegrationId,
    ats_job_id: Annotated[str, Path(min_length=1, max_length=200)],
    body: JobMappingUpdate,
    caller: AdminCaller,
    runtime: RuntimeDep,
    session: SessionDep,
) -> JobMappingPublic:
    """Screen applications to this ATS job for a role in a market. Applications to unmapped
    jobs are acknowledged and recorded as skipped."""
    row = set_job_mapping(
        session, runtime=runtime, integration_id=integration_id, ats_job_id=ats_job_id,
        role_id=body.role_id, market=body.market, by=caller.key_id, source="api",
    )  # fmt: skip
    session.commit()
    return _mapping(row)


@router.get("/{integration_id}/events", response_model=WebhookEventsPublic, responses=problems(404))
def read_events(
    integration_id: IntegrationId,
    _caller: AdminCaller,
    session: SessionDep,
    status: Annotated[EventStatus | None, Query(description="Only events in this state.")] = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> WebhookEventsPublic:
    """Inbound deliveries, newest first: received, processing, screened, skipped or failed,
    with the reason."""
    rows, total = list_events(
        session, integration_id=integration_id, status=status,
        offset=(page - 1) * page_size, limit=page_size,
    )  # fmt: skip
    return WebhookEventsPublic(
        page=page, page_size=page_size, total=total,
        data=[WebhookEventPublic.model_validate(r, from_attributes=True) for r in rows],
    )  # fmt: skip


@router.get(
    "/{integration_id}/deliveries", response_model=DeliveriesPublic, responses=problems(404)
)
def read_deliveries(
    integration_id: IntegrationId,
    _caller: AdminCaller,
    session: SessionDep,
    page: Page = 1,
    page_size: PageSize = 50,
) -> DeliveriesPublic:
    """Callbacks and ATS notes, newest first, with every attempt and the outcome."""
    rows, total = list_deliveries(
        session, integration_id=integration_id, offset=(page - 1) * page_size, limit=page_size
    )
    return DeliveriesPublic(
        page=page, page_size=page_size, total=total,
        data=[_delivery(r) for r in rows],
    )  # fmt: skip


def _delivery(row: WebhookDelivery) -> DeliveryPublic:
    return DeliveryPublic.model_validate(row, from_attributes=True)
