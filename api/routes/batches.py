from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi.responses import Response

from api.deps import AnyCaller, RuntimeDep, ScreenCaller, SessionDep
from api.routes._common import problems
from api.schemas import BatchPublic, BatchResultsPublic, BatchRowPublic
from screener.service import (
    BatchProgress,
    Upload,
    batch_progress,
    batch_results,
    batch_results_csv,
    create_batch,
)

router = APIRouter(prefix="/v1/batches", tags=["batches"])

MinFit = Annotated[float | None, Query(ge=0, le=100, description="Only fits at or above.")]
RedFlag = Annotated[
    str | None, Query(max_length=100, description="Only rows with this red-flag code.")
]


def _public(progress: BatchProgress) -> BatchPublic:
    batch = progress.batch
    return BatchPublic(
        id=batch.id, status=progress.status, role_id=batch.role_id, market=batch.market,
        total=batch.total, done=progress.done, failed=progress.failed, queued=progress.queued,
        running=progress.running, created_at=batch.created_at, finished_at=batch.finished_at,
        results_url=f"/v1/batches/{batch.id}/results",
    )  # fmt: skip


@router.post(
    "",
    response_model=BatchPublic,
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(400, 404, 413, 422),
)
def submit_batch(
    caller: ScreenCaller,
    runtime: RuntimeDep,
    session: SessionDep,
    files: Annotated[list[UploadFile], File(description="CV files, or zip archives of them.")],
    role: Annotated[str, Form(examples=["ml-engineer"])],
    market: Annotated[str, Form(examples=["de"])] = "de",
) -> BatchPublic:
    """Queue many CVs for one role; background workers screen them. A file that cannot be
    read becomes a result row with its error; the batch still completes."""
    uploads = [Upload(f.filename or f"file-{i}", f.file.read()) for i, f in enumerate(files)]
    batch = create_batch(
        runtime=runtime, uploads=uploads, role_id=role, market=market,
        caller_key_id=caller.key_id,
    )  # fmt: skip
    return _public(batch_progress(session, batch_id=batch.id))


@router.get("/{batch_id}", response_model=BatchPublic, responses=problems(404))
def read_batch(batch_id: str, _caller: AnyCaller, session: SessionDep) -> BatchPublic:
    """Status and progress: done, failed, queued, running of total."""
    return _public(batch_progress(session, batch_id=batch_id))


@router.get("/{batch_id}/results", response_model=BatchResultsPublic, responses=problems(404))
def read_results(
    batch_id: str,
    _caller: AnyCaller,
    session: SessionDep,
    min_fit: MinFit = None,
    red_flag: RedFlag = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> BatchResultsPublic:
    """Ranked by fit (ties share a rank); files that failed come last with their error."""
    rows, total = batch_results(
        session, batch_id=batch_id, min_fit=min_fit, red_flag=red_flag,
        offset=(page - 1) * page_size, limit=page_size,
    )  # fmt: skip
    return BatchResultsPublic(
        batch_id=batch_id, page=page, page_size=page_size, total=total,
        data=[BatchRowPublic.model_validate(r, from_attributes=True) for r in rows],
    )  # fmt: skip


@router.get(
    "/{batch_id}/results.csv",
    response_class=Response,
    responses={**problems(404), 200: {"content": {"text/csv": {}}}},
)
def read_results_csv(
    batch_id: str,
    _caller: AnyCaller,
    session: SessionDep,
    min_fit: MinFit = None,
    red_flag: RedFlag = None,
) -> Response:
    """The ranked results as CSV."""
    text = batch_results_csv(session, batch_id=batch_id, min_fit=min_fit, red_flag=red_flag)
    return Response(
        text, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.csv"'},
    )  # fmt: skip
