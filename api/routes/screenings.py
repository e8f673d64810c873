from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Response, UploadFile

from api.deps import RuntimeDep, ScreenCaller
from api.routes._common import problems
from api.schemas import ScreeningPublic
from screener.service import AI_NOTICE, ScreeningOutcome, Upload, screen_upload

router = APIRouter(prefix="/v1/screenings", tags=["screenings"])


@router.post("", response_model=ScreeningPublic, responses=problems(404, 413, 422))
def create_screening(
    caller: ScreenCaller,
    runtime: RuntimeDep,
    response: Response,
    file: Annotated[UploadFile, File(description="One CV: PDF, DOCX or plain text.")],
    role: Annotated[str, Form(description="Role id, e.g. ml-engineer.", examples=["ml-engineer"])],
    market: Annotated[
        str, Form(description="Market of the salary band: de, tr, ae or us.", examples=["de"])
    ] = "de",
) -> ScreeningPublic:
    """Screen one CV for one role, synchronously. The same file, role and rubric version reuse
    the stored result (``reused``). The ``Server-Timing`` header gives the milliseconds of each
    step: parse, profile, embed, score, store (or reuse)."""
    outcome = screen_upload(
        runtime=runtime, upload=Upload(file.filename or "cv", file.file.read()),
        role_id=role, market=market, caller_key_id=caller.key_id,
    )  # fmt: skip
    if outcome.timings:
        response.headers["Server-Timing"] = server_timing(outcome)
    return ScreeningPublic.model_validate(
        {"candidate_id": outcome.candidate_id, "screening_id": outcome.screening_id,
         "reused": outcome.reused, "notice": AI_NOTICE, "screening": outcome.result}
    )  # fmt: skip


def server_timing(outcome: ScreeningOutcome) -> str:
    """``Server-Timing`` value of a screening's steps: ``parse;dur=31.2, profile;dur=6.0, …``
    (milliseconds, W3C Server Timing)."""
    return ", ".join(f"{step};dur={seconds * 1000:.1f}" for step, seconds in outcome.timings)
