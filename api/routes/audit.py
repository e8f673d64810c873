from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.deps import AdminCaller, RuntimeDep, SessionDep
from api.routes._common import problems
from api.schemas import ChainPublic
from screener.service import Runtime
from screener.store import audit_record_json, iter_audit, verify_chain

router = APIRouter(prefix="/v1/audit", tags=["audit"])


def audit_json_lines(runtime: Runtime, *, since_seq: int = 0) -> Iterator[str]:
    """The audit log as JSON lines in chain order, read in a session of its own (the response
    streams after the request's session is gone); the API export and the admin page's
    download share it."""
    with runtime.sessions() as session:
        for record in iter_audit(session, since_seq=since_seq):
            yield json.dumps(audit_record_json(record), ensure_ascii=False) + "\n"


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
    return StreamingResponse(
        audit_json_lines(runtime, since_seq=since_seq), media_type="application/x-ndjson"
    )


@router.get("/verify", response_model=ChainPublic, responses=problems())
def verify_audit(_caller: AdminCaller, session: SessionDep) -> ChainPublic:
    """Recompute the hash chain; ``ok`` false names the first record that does not verify."""
    report = verify_chain(session)
    return ChainPublic.model_validate(report, from_attributes=True)
