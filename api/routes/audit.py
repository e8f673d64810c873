from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.deps import AdminCaller, RuntimeDep, SessionDep
from api.routes._common import problems
from api.schemas import ChainPublic
from screener.store import audit_record_json, iter_audit, verify_chain

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get(
    "",
    response_class=StreamingResponse,
    responses={**problems(), 200: {"content": {"application/x-ndjson": {}}}},
)
def export_audit(
    _caller: AdminCaller,
    runtime: RuntimeDep,
    since_seq: Annotated[int, Query(ge=0, description="Records after this sequence number.")] = 0,
) -> StreamingResponse:
    """The audit log as JSON lines, in chain order, each with its hash and the previous one."""

    def lines() -> Iterator[str]:
        with runtime.sessions() as session:
            for record in iter_audit(session, since_seq=since_seq):
                yield json.dumps(audit_record_json(record), ensure_ascii=False) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


@router.get("/verify", response_model=ChainPublic, responses=problems())
def verify_audit(_caller: AdminCaller, session: SessionDep) -> ChainPublic:
    """Recompute the hash chain; ``ok`` false names the first record that does not verify."""
    report = verify_chain(session)
    return ChainPublic.model_validate(report, from_attributes=True)
