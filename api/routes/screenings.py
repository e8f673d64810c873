from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from api.deps import RuntimeDep, ScreenCaller
from api.routes._common import problems
from api.schemas import ScreeningPublic
from screener.service import AI_NOTICE, Upload, screen_upload

router = APIRouter(prefix="/v1/screenings", tags=["screenings"])


@router.post("", response_model=ScreeningPublic, responses=problems(404, 413, 422))
def create_screening(
    caller: ScreenCaller,
    runtime: RuntimeDep,
    file: Annotated[UploadFile, File(description="One CV: PDF, DOCX or plain text.")],
    role: Annotated[str, Form(description="Role id, e.g. ml-engineer.", examples=["ml-engineer"])],
    market: Annotated[
        str, Form(description="Market of the salary band: de, tr, ae or us.", examples=["de"])
    ] = "de",
) -> ScreeningPublic:
    """Screen one CV for one role, synchronously. The same file, role and rubric version reuse
    the stored result (``reused``)."""
    outcome = screen_upload(
        runtime=runtime, upload=Upload(file.filename or "cv", file.file.read()),
        role_id=role, market=market, caller_key_id=caller.key_id,
    )  # fmt: skip
    return ScreeningPublic.model_validate(
        {"candidate_id": outcome.candidate_id, "screening_id": outcome.screening_id,
         "reused": outcome.reused, "notice": AI_NOTICE, "screening": outcome.result}
    )  # fmt: skip
