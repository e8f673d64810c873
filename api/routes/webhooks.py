"""Inbound ATS webhooks: ``POST /v1/webhooks/{provider}/{integration_id}``.

The integration is chosen by the path, so each ATS web hook gets its own URL (shown when the
integration is created) and its own secret. No API key: the signature is the authentication.

A route reads the raw body (capped at ``webhook_body_max_bytes``), verifies the signature on
those bytes before anything is parsed, stores the event and answers; fetching and screening
happen in the webhook workers.

Answers
    200  accepted, ignored (authentic but not an application, e.g. a ping) or duplicate (the
         event id was stored before: a provider retry is acknowledged, not screened twice).
         Greenhouse treats anything but exactly 200 as a failure.
    400  authentic but malformed body (problem+json says what)
    401  missing, malformed or wrong signature; stale timestamp (nothing stored)
    404  no integration of this provider with this id
    409  a replayed Lever delivery (its ``token`` was used before; nothing stored)
    413  body over the limit
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from api.deps import RuntimeDep
from api.schemas import Problem
from screener.service import UploadTooLarge
from screener.webhook_jobs import WebhookWorkers, receive_webhook
from screener.webhooks import Provider

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


class WebhookAckPublic(BaseModel):
    status: Literal["accepted", "ignored", "duplicate"] = Field(examples=["accepted"])
    event_id: str = Field(description="The provider's event id (idempotency key).")
    id: str = Field(description="Our stored event id (see GET /v1/integrations/{id}/events).")


_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": Problem, "description": "Authentic, but the body is malformed."},
    401: {"model": Problem, "description": "Missing, wrong or stale signature."},
    404: {"model": Problem, "description": "No such integration for this provider."},
    409: {"model": Problem, "description": "A replayed Lever delivery (token already used)."},
    413: {"model": Problem, "description": "The body is over the limit."},
}


async def _raw_body(request: Request, limit: int) -> bytes:
    """The request body as sent (signatures are over these bytes), refused past ``limit``."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise UploadTooLarge(
            f"the webhook body is {declared} bytes; the limit is {limit}", limit=limit
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise UploadTooLarge(f"the webhook body exceeds {limit} bytes", limit=limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def _receive(
    provider: Provider, integration_id: str, request: Request, runtime: RuntimeDep
) -> WebhookAckPublic:
    body = await _raw_body(request, runtime.settings.webhook_body_max_bytes)
    receipt = await run_in_threadpool(
        receive_webhook, runtime=runtime, provider=provider, integration_id=integration_id,
        body=body, headers=request.headers,
    )  # fmt: skip
    if receipt.status == "accepted":
        workers: WebhookWorkers | None = getattr(request.app.state, "webhooks", None)
        if workers is not None:
            workers.notify()
    return WebhookAckPublic(status=receipt.status.value, event_id=receipt.event_id, id=receipt.id)


@router.post("/greenhouse/{integration_id}", response_model=WebhookAckPublic, responses=_RESPONSES)
async def greenhouse_webhook(
    integration_id: str, request: Request, runtime: RuntimeDep
) -> WebhookAckPublic:
    """Greenhouse ``new_candidate_application``: header ``Signature: sha256 <hex>`` =
    HMAC-SHA256(secret, raw body); deduplicated by ``Greenhouse-Event-ID``."""
    return await _receive(Provider.GREENHOUSE, integration_id, request, runtime)


@router.post("/lever/{integration_id}", response_model=WebhookAckPublic, responses=_RESPONSES)
async def lever_webhook(
    integration_id: str, request: Request, runtime: RuntimeDep
) -> WebhookAckPublic:
    """Lever ``applicationCreated``: ``signature`` in the body = hex HMAC-SHA256(signature token,
    token + triggeredAt); a ``triggeredAt`` outside the window is 401, a used token 409."""
    return await _receive(Provider.LEVER, integration_id, request, runtime)


@router.post("/generic/{integration_id}", response_model=WebhookAckPublic, responses=_RESPONSES)
async def generic_webhook(
    integration_id: str, request: Request, runtime: RuntimeDep
) -> WebhookAckPublic:
    """Any other ATS, signed with Standard Webhooks (``webhook-id``, ``webhook-timestamp``,
    ``webhook-signature``; 5-minute tolerance). Body::

        {"candidate_ref": "cand-8812", "job_ref": "job-42", "role": "ml-engineer",
         "market": "de", "cv": {"url": "https://..."} | {"base64": "...", "filename": "cv.pdf"},
         "callback_url": "https://..."}

    ``role`` and ``market`` are optional (the job mapping decides); a repeated ``webhook-id`` is
    acknowledged as a duplicate."""
    return await _receive(Provider.GENERIC, integration_id, request, runtime)
