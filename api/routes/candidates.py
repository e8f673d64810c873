from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response, status
from fastapi.responses import PlainTextResponse

from api.deps import AdminCaller, ReadCaller, RuntimeDep, ScreenCaller, SessionDep
from api.routes._common import problems
from api.schemas import (
    CandidatePublic,
    DecisionCreate,
    DecisionPublic,
    ExplanationPublic,
    ScreeningResult,
    ScreeningSummaryPublic,
)
from screener.service import (
    AI_NOTICE,
    Scope,
    erase_candidate,
    get_candidate,
    get_screening,
    record_decision,
)

router = APIRouter(prefix="/v1/candidates", tags=["candidates"])

HOW_TO_CONTEST = (
    "You may ask the recruiter for a human review of this assessment, add your own view, and "
    "contest the result; a person then decides. You may also ask for your data to be erased."
)


@router.get("/{candidate_id}", response_model=CandidatePublic, responses=problems(404))
def read_candidate(candidate_id: str, caller: ReadCaller, session: SessionDep) -> CandidatePublic:
    """Profile and every screening and decision. Contacts (personal data) only for admin keys."""
    with_pii = caller.has(Scope.ADMIN)
    candidate, profile, screenings, decisions = get_candidate(
        session, candidate_id=candidate_id, include_personal_data=with_pii
    )
    return CandidatePublic(
        id=candidate.id,
        created_at=candidate.created_at,
        personal_data_included=with_pii,
        profile=profile,
        screenings=[ScreeningSummaryPublic.model_validate(s, from_attributes=True)
                    for s in screenings],
        decisions=[DecisionPublic.model_validate(d, from_attributes=True) for d in decisions],
    )  # fmt: skip


@router.get(
    "/{candidate_id}/screenings/{screening_id}",
    response_model=ScreeningResult,
    responses=problems(404),
)
def read_screening(
    candidate_id: str, screening_id: str, _caller: ReadCaller, session: SessionDep
) -> ScreeningResult:
    """The stored machine screening, as it was produced."""
    record = get_screening(session, candidate_id=candidate_id, screening_id=screening_id)
    return ScreeningResult.model_validate(record.result)


@router.get(
    "/{candidate_id}/screenings/{screening_id}/explanation",
    response_model=ExplanationPublic,
    responses={
        **problems(404),
        200: {"content": {"application/json": {}, "text/markdown": {}, "text/plain": {}}},
    },
)
def read_explanation(
    candidate_id: str,
    screening_id: str,
    _caller: ReadCaller,
    session: SessionDep,
    accept: Annotated[str | None, Header()] = None,
) -> ExplanationPublic | PlainTextResponse:
    """Why the screening came out as it did: main factors with CV evidence, red flags, the
    versions used, and how to contest. ``Accept: text/markdown`` (or ``text/plain``) gives text.
    """
    record = get_screening(session, candidate_id=candidate_id, screening_id=screening_id)
    result = record.result
    wanted = (accept or "").lower()
    if "text/markdown" in wanted or "text/plain" in wanted:
        media = "text/markdown" if "text/markdown" in wanted else "text/plain"
        text = (
            f"> {AI_NOTICE}\n\n{result['explanation']}\n\n"
            f"Model {record.model_hash}, rubric {record.rubric_version}.\n\n{HOW_TO_CONTEST}\n"
        )
        return PlainTextResponse(text, media_type=f"{media}; charset=utf-8")
    return ExplanationPublic(
        candidate_id=candidate_id, screening_id=record.id, role=result["role"],
        rubric_version=record.rubric_version, model_hash=record.model_hash, fit=record.fit,
        dimensions={name: dim["score"] for name, dim in result["dimensions"].items()},
        red_flags=record.red_flags, explanation=result["explanation"], notice=AI_NOTICE,
        how_to_contest=HOW_TO_CONTEST,
    )  # fmt: skip


@router.post(
    "/{candidate_id}/decisions",
    response_model=DecisionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=problems(404, 422),
)
def create_decision(
    candidate_id: str, body: DecisionCreate, caller: ScreenCaller, session: SessionDep
) -> DecisionPublic:
    """Record a recruiter's decision or score override with its reason. The machine score is
    kept unchanged next to it."""
    decision = record_decision(
        session, candidate_id=candidate_id, decision=body.decision, reason=body.reason,
        reviewer_key_id=caller.key_id, screening_id=body.screening_id,
        override_fit=body.override_fit,
    )  # fmt: skip
    session.commit()
    return DecisionPublic.model_validate(decision, from_attributes=True)


@router.delete(
    "/{candidate_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=problems(404),
)
def delete_candidate(candidate_id: str, caller: AdminCaller, runtime: RuntimeDep) -> Response:
    """Erase the candidate: CV file, text, profile, screenings, decisions and search vectors.
    The audit log keeps only hashes and scores. Erasing twice is not an error."""
    erase_candidate(runtime=runtime, candidate_id=candidate_id, caller_key_id=caller.key_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
