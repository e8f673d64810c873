"""The recruiter's pages: sign in, submit a batch, read the ranking, open a candidate's
explanation and record a decision.

Pages are rendered on the server; ``static/app.js`` adds upload progress, live batch progress,
sorting and filtering on top, and every page still works as plain forms and links.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import RuntimeDep, SessionDep
from api.schemas import DecisionCreate
from api.web._evidence import highlighted_text, summary_lines
from api.web._forms import form_errors
from api.web._render import render
from api.web._session import (
    SESSION_COOKIE,
    FormUser,
    UserDep,
    check_login_csrf,
    clear_session_cookie,
    login_csrf_token,
    set_login_csrf_cookie,
    set_session_cookie,
)
from api.web._throttle import SignInThrottle
from screener.accounts import end_session, sign_in
from screener.service import (
    AI_NOTICE,
    BatchProgress,
    DecisionKind,
    Runtime,
    Upload,
    batch_progress,
    batch_results,
    batch_results_csv,
    create_batch,
    get_candidate,
    recent_batches,
    record_decision,
)
from screener.store import ApiKey, Document, User

router = APIRouter(include_in_schema=False)


def market_names(runtime: Runtime) -> dict[str, str]:
    """Market codes and their names, as ``rubrics/markets.yaml`` gives them."""
    table = runtime.pipeline.roles.markets.markets
    return {market.value: rule.name for market, rule in table.items()}


def _safe_next(value: str | None) -> str:
    """Only paths on this site: an open redirect would turn sign-in into a phishing aid."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/batches"


# --- sign in and out -----------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    token = login_csrf_token(request)
    response = render(request, "login.html", user=None, csrf_token=token, next=_safe_next(next))
    set_login_csrf_cookie(response, request, token)
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    runtime: RuntimeDep,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/batches",
) -> Response:
    check_login_csrf(request, csrf_token)
    throttle: SignInThrottle = request.app.state.sign_in_throttle
    client = request.client.host if request.client else ""
    wait = throttle.wait_seconds(username, client)
    outcome = None
    if not wait:
        with runtime.transaction() as session:
            outcome = sign_in(session, username=username, password=password)
    if outcome is None:
        if wait:
            status = 429
            error = (
                f"Too many failed sign-ins. Try again in {math.ceil(wait / 60)} minute(s), "
                "or ask an admin to set a new password."
            )
        else:
            throttle.failed(username, client)
            status = 401
            error = "The username or password is not right. Try again, or ask an admin."
        refused = render(
            request, "login.html", user=None, status_code=status, csrf_token=csrf_token,
            next=_safe_next(next), username=username, error=error,
        )  # fmt: skip
        set_login_csrf_cookie(refused, request, csrf_token)
        return refused
    throttle.succeeded(username)
    token, _ = outcome
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, request, token)
    return response


@router.post("/logout")
def logout(request: Request, runtime: RuntimeDep, _user: FormUser) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    with runtime.transaction() as session:
        end_session(session, token=token)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/")
def home(_user: UserDep) -> Response:
    return RedirectResponse("/batches", status_code=303)


# --- batches -------------------------------------------------------------------------------------


def _batch_form_context(runtime: Runtime) -> dict[str, Any]:
    return {
        "roles": list(runtime.pipeline.roles),
        "markets": market_names(runtime),
        "max_files": runtime.settings.upload_max_files,
        "max_mb": runtime.settings.upload_max_bytes // (1024 * 1024),
    }


@router.get("/batches", response_class=HTMLResponse)
def batches_page(
    request: Request, user: UserDep, runtime: RuntimeDep, session: SessionDep
) -> Response:
    return render(
        request, "batches.html", user=user, batches=recent_batches(session, limit=50),
        **_batch_form_context(runtime),
    )  # fmt: skip


@router.post("/batches")
def submit_batch(
    request: Request,
    user: FormUser,
    runtime: RuntimeDep,
    session: SessionDep,
    files: Annotated[list[UploadFile] | None, File()] = None,
    role: Annotated[str, Form(max_length=100)] = "",
    market: Annotated[str, Form(max_length=8)] = "de",
) -> Response:
    """Queue the chosen files; scripts get JSON with the batch page's address, forms a redirect."""
    wants_json = "application/json" in request.headers.get("accept", "")
    form_files = [
        Upload(f.filename or f"file-{i}", data)
        for i, f in enumerate(files or [])
        if (data := f.file.read())
    ]
    if not form_files:
        message = "Choose at least one CV file (PDF, DOCX, TXT or a zip of them)."
        if wants_json:
            return JSONResponse({"error": message}, status_code=400)
        return render(
            request, "batches.html", user=user, status_code=400, error=message,
            batches=recent_batches(session, limit=50), **_batch_form_context(runtime),
        )  # fmt: skip
    batch = create_batch(
        runtime=runtime, uploads=form_files, role_id=role, market=market, caller_key_id=user.user_id
    )
    url = f"/batches/{batch.id}"
    if wants_json:
        return JSONResponse({"id": batch.id, "url": url, "total": batch.total}, status_code=202)
    return RedirectResponse(url, status_code=303)


def _progress_json(progress: BatchProgress) -> dict[str, Any]:
    return {
        "status": progress.status, "total": progress.batch.total, "done": progress.done,
        "failed": progress.failed, "queued": progress.queued, "running": progress.running,
    }  # fmt: skip


def _ranking_context(session: Session, batch_id: str) -> dict[str, Any]:
    progress = batch_progress(session, batch_id=batch_id)
    rows, _ = batch_results(session, batch_id=batch_id, limit=100_000)
    flags = sorted({code for row in rows for code in row.red_flags})
    return {"progress": progress, "rows": rows, "flag_codes": flags}


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def ranking_page(
    request: Request, batch_id: str, user: UserDep, runtime: RuntimeDep, session: SessionDep
) -> Response:
    context = _ranking_context(session, batch_id)
    role = runtime.pipeline.roles.get(context["progress"].batch.role_id)
    return render(
        request, "ranking.html", user=user, role=role, markets=market_names(runtime), **context
    )


@router.get("/batches/{batch_id}/progress")
def ranking_progress(batch_id: str, _user: UserDep, session: SessionDep) -> JSONResponse:
    return JSONResponse(_progress_json(batch_progress(session, batch_id=batch_id)))


@router.get("/batches/{batch_id}/rows", response_class=HTMLResponse)
def ranking_rows(request: Request, batch_id: str, user: UserDep, session: SessionDep) -> Response:
    """The ranking table's body alone, for the page to swap in while the batch runs."""
    return render(request, "_ranking_rows.html", user=user, **_ranking_context(session, batch_id))


@router.get("/batches/{batch_id}/results.csv")
def ranking_csv(batch_id: str, _user: UserDep, session: SessionDep) -> Response:
    return Response(
        batch_results_csv(session, batch_id=batch_id),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="ranking-{batch_id}.csv"'},
    )


# --- candidates ----------------------------------------------------------------------------------


def _reviewer_names(session: Session, ids: set[str]) -> dict[str, str]:
    names = {u.id: u.username for u in session.scalars(select(User).where(User.id.in_(ids)))}
    keys = session.scalars(select(ApiKey).where(ApiKey.id.in_(ids - names.keys())))
    names.update({k.id: f"API key “{k.name}”" for k in keys})
    return names


def _candidate_context(
    session: Session, candidate_id: str, screening_id: str | None, *, personal_data: bool
) -> dict[str, Any]:
    candidate, profile, screenings, decisions = get_candidate(
        session, candidate_id=candidate_id, include_personal_data=personal_data
    )
    chosen = next((s for s in screenings if s.id == screening_id), None) or (
        screenings[-1] if screenings else None
    )
    document = session.get(Document, candidate_id)
    result = chosen.result if chosen is not None else None
    text_html, quotes = (
        highlighted_text(document.text, result) if document is not None and result else ("", {})
    )
    return {
        "candidate": candidate,
        "profile": profile,
        "screenings": screenings,
        "screening": chosen,
        "result": result,
        "summary": summary_lines(result["explanation"]) if result else [],
        "document": document,
        "cv_html": text_html,
        "quote_ids": quotes,
        "decisions": list(reversed(decisions)),
        "reviewers": _reviewer_names(session, {d.reviewer_key_id for d in decisions}),
        "notice": AI_NOTICE,
        "decision_kinds": [kind.value for kind in DecisionKind],
    }


@router.get("/candidates/{candidate_id}", response_class=HTMLResponse)
def candidate_page(
    request: Request,
    candidate_id: str,
    user: UserDep,
    session: SessionDep,
    screening: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    context = _candidate_context(session, candidate_id, screening, personal_data=user.is_admin)
    return render(request, "candidate.html", user=user, **context)


@router.post("/candidates/{candidate_id}/decisions", response_class=HTMLResponse)
def decide(
    request: Request,
    candidate_id: str,
    user: FormUser,
    session: SessionDep,
    decision: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=10_000)] = "",
    override_fit: Annotated[str, Form(max_length=20)] = "",
    screening_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    values = {
        "decision": decision, "reason": reason.strip(),
        "override_fit": override_fit.strip() or None, "screening_id": screening_id or None,
    }  # fmt: skip
    try:
        body = DecisionCreate.model_validate(values)
    except ValidationError as exc:
        context = _candidate_context(
            session, candidate_id, screening_id or None, personal_data=user.is_admin
        )
        return render(
            request, "candidate.html", user=user, status_code=422,
            decision_errors=form_errors(exc), form=values, **context,
        )  # fmt: skip
    record_decision(
        session, candidate_id=candidate_id, decision=body.decision, reason=body.reason,
        reviewer_key_id=user.user_id, screening_id=body.screening_id,
        override_fit=body.override_fit,
    )  # fmt: skip
    session.commit()
    target = f"/candidates/{candidate_id}" + (f"?screening={screening_id}" if screening_id else "")
    return RedirectResponse(target + "#decisions", status_code=303)
