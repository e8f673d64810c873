"""The admin page: web users, API keys, ATS integrations, the audit log and its retention.

Only admins open it (``AdminUser``) or post its forms (``AdminForm``, CSRF checked). Each form
either redirects back with a fixed notice or renders the page again with a sentence saying what
to change. Secrets (a new API key, a new integration's webhook secrets) are shown once, on the
page that answers the form, and never again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import RuntimeDep, SessionDep
from api.routes.audit import audit_json_lines
from api.routes.integrations import IntegrationCreate
from api.web._forms import form_errors, sentence
from api.web._render import render
from api.web._session import AdminForm, AdminUser
from api.web.pages import market_names
from screener.accounts import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    SignedIn,
    UserRole,
    audit_retention_days,
    create_user,
    disable_user,
    list_users,
    set_audit_retention_days,
)
from screener.service import NotFound, Runtime, Scope, create_api_key, revoke_api_key
from screener.settings import MIN_AUDIT_RETENTION_DAYS
from screener.store import ApiKey, ChainReport, utcnow, verify_chain
from screener.webhook_jobs import (
    create_integration,
    list_deliveries,
    list_integrations,
    list_job_mappings,
    secret_box,
    set_job_mapping,
)
from screener.webhooks import Provider

router = APIRouter(include_in_schema=False)

#: What a form did, shown after its redirect (``/admin?done=...``); fixed texts, nothing echoed.
_DONE = {
    "user-created": "The user was created and can sign in now.",
    "user-disabled": "The user was disabled and signed out everywhere; their decisions stay on "
    "record.",
    "key-revoked": "The API key was revoked; it no longer authenticates.",
    "mapping-saved": "The job mapping was saved; new applications to that job are screened "
    "for its role.",
    "retention-saved": "The audit retention was saved.",
}
_RECENT_DELIVERIES = 10
_USERNAME_PATH = Annotated[str, Path(max_length=100)]
_ID_PATH = Annotated[str, Path(max_length=32)]


def _integrations(request: Request, session: Session) -> list[dict[str, Any]]:
    base = str(request.base_url).rstrip("/")
    views = []
    for row in list_integrations(session):
        deliveries, total = list_deliveries(
            session, integration_id=row.id, limit=_RECENT_DELIVERIES
        )
        views.append({
            "row": row,
            "webhook_url": f"{base}/v1/webhooks/{row.provider}/{row.id}",
            "mappings": list_job_mappings(session, integration_id=row.id),
            "deliveries": deliveries,
            "deliveries_total": total,
        })  # fmt: skip
    return views


def _page(
    request: Request, user: SignedIn, session: Session, runtime: Runtime, *,
    status_code: int = 200, errors: dict[str, list[str]] | None = None,
    form: dict[str, dict[str, Any]] | None = None, chain: ChainReport | None = None,
    **shown_once: Any,
) -> Response:  # fmt: skip
    """The admin page; ``errors`` and ``form`` are keyed by section, ``chain`` is the audit
    chain's check when one was asked for, ``shown_once`` holds a new key's or integration's
    secrets."""
    keys = session.scalars(select(ApiKey).order_by(ApiKey.created_at, ApiKey.id))
    return render(
        request, "admin.html", user=user, status_code=status_code,
        errors=errors or {}, form=form or {},
        users=list_users(session), user_roles=[r.value for r in UserRole],
        min_password=MIN_PASSWORD_LENGTH,
        keys=list(keys), scopes=[s.value for s in Scope],
        integrations=_integrations(request, session), providers=[p.value for p in Provider],
        roles=list(runtime.pipeline.roles), markets=market_names(runtime), chain=chain,
        retention_days=audit_retention_days(session, runtime.settings),
        min_retention_days=MIN_AUDIT_RETENTION_DAYS,
        **shown_once,
    )  # fmt: skip


def _refused(
    request: Request, user: SignedIn, session: Session, runtime: Runtime, *, section: str,
    problems: list[str], values: dict[str, Any] | None = None, status_code: int = 422,
) -> Response:  # fmt: skip
    session.rollback()  # nothing half-done from the refused form reaches the page
    return _page(
        request, user, session, runtime, status_code=status_code,
        errors={section: problems}, form={section: values or {}},
    )  # fmt: skip


def _back(done: str, section: str) -> Response:
    return RedirectResponse(f"/admin?done={done}#{section}", status_code=303)


@router.get("/admin", response_class=HTMLResponse)
def admin_page(
    request: Request,
    user: AdminUser,
    runtime: RuntimeDep,
    session: SessionDep,
    done: Annotated[str | None, Query(max_length=40)] = None,
    verify: Annotated[bool, Query(description="check the audit log's hash chain")] = False,
) -> Response:
    # Checking the chain reads every audit record, so it runs when asked, not on every visit.
    chain = verify_chain(session) if verify else None
    return _page(request, user, session, runtime, notice=_DONE.get(done or ""), chain=chain)


# --- users ---------------------------------------------------------------------------------------


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    user: AdminForm,
    runtime: RuntimeDep,
    session: SessionDep,
    username: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=20)] = UserRole.RECRUITER.value,
    password: Annotated[str, Form(max_length=1000)] = "",
    password_again: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    values = {"username": username, "role": role}
    if password != password_again:
        return _refused(
            request, user, session, runtime, section="users", values=values,
            problems=["The two passwords differ; type the same password twice."],
        )  # fmt: skip
    try:
        create_user(
            session, username=username, password=password, role=role, by_user_id=user.user_id
        )
    except AccountError as exc:
        return _refused(
            request, user, session, runtime, section="users", values=values,
            problems=[sentence(exc.message)],
        )  # fmt: skip
    session.commit()
    return _back("user-created", "users")


def _confirm(
    request: Request, user: SignedIn, *, title: str, consequence: str, button: str, back: str
) -> Response:
    """A page that asks once more before an action that cannot be undone from these pages; its
    form posts the same request again with ``confirm=yes``."""
    return render(
        request, "confirm.html", user=user, title=title, consequence=consequence,
        button=button, action=request.url.path, back=back,
    )  # fmt: skip


_CONFIRM = Annotated[str, Form(max_length=3)]


@router.post("/admin/users/{username}/disable", response_class=HTMLResponse)
def disable(
    request: Request,
    username: _USERNAME_PATH,
    user: AdminForm,
    runtime: RuntimeDep,
    session: SessionDep,
    confirm: _CONFIRM = "",
) -> Response:
    if username == user.username:
        return _refused(
            request, user, session, runtime, section="users", status_code=409,
            problems=["You cannot disable your own account; ask another admin to do it."],
        )  # fmt: skip
    if confirm != "yes":
        return _confirm(
            request, user, title=f"Disable {username}?",
            consequence=f"{username} will be signed out everywhere and cannot sign in again; "
            "their decisions stay on record.",
            button=f"Disable {username}", back="/admin#users",
        )  # fmt: skip
    try:
        disable_user(session, username=username, by_user_id=user.user_id)
    except AccountError as exc:
        return _refused(
            request, user, session, runtime, section="users", status_code=404,
            problems=[sentence(exc.message)],
        )  # fmt: skip
    session.commit()
    return _back("user-disabled", "users")


# --- API keys ------------------------------------------------------------------------------------


@router.post("/admin/keys", response_class=HTMLResponse)
def add_key(
    request: Request,
    user: AdminForm,
    runtime: RuntimeDep,
    session: SessionDep,
    name: Annotated[str, Form(max_length=500)] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    name, chosen = name.strip(), scopes or []
    values = {"name": name, "scopes": chosen}
    problems = []
    if not name or len(name) > 200:
        problems.append("Give the key a name of 1 to 200 characters, saying who uses it.")
    valid = [s.value for s in Scope]
    if not chosen or any(s not in valid for s in chosen):
        problems.append(f"Choose at least one scope: {', '.join(valid)}.")
    if problems:
        return _refused(
            request, user, session, runtime, section="keys", values=values, problems=problems
        )
    row, presented = create_api_key(
        session, name=name, scopes=chosen,
        pepper=runtime.settings.api_key_pepper.get_secret_value(), by=user.user_id, source="web",
    )  # fmt: skip
    session.commit()
    return _page(request, user, session, runtime, new_key={"row": row, "key": presented})


@router.post("/admin/keys/{key_id}/revoke", response_class=HTMLResponse)
def revoke_key(
    request: Request,
    key_id: _ID_PATH,
    user: AdminForm,
    session: SessionDep,
    confirm: _CONFIRM = "",
) -> Response:
    if confirm != "yes":
        row = session.get(ApiKey, key_id)
        if row is None or row.revoked_at is not None:
            raise NotFound(f"no active API key {key_id!r}")
        return _confirm(
            request, user, title=f"Revoke the key {row.name}?",
            consequence=f"Every request with the key {row.id} ({row.name}) is refused from now "
            "on; whatever uses it needs a new key.",
            button="Revoke the key", back="/admin#keys",
        )  # fmt: skip
    revoke_api_key(session, key_id=key_id, by=user.user_id, source="web")  # NotFound: error page
    session.commit()
    return _back("key-revoked", "keys")


# --- ATS integrations ----------------------------------------------------------------------------


@router.post("/admin/integrations", response_class=HTMLResponse)
def add_integration(
    request: Request,
    user: AdminForm,
    runtime: RuntimeDep,
    session: SessionDep,
    provider: Annotated[str, Form(max_length=20)] = "",
    name: Annotated[str, Form(max_length=500)] = "",
    callback_url: Annotated[str, Form(max_length=4000)] = "",
    inbound_secret: Annotated[str, Form(max_length=1000)] = "",
    ats_api_key: Annotated[str, Form(max_length=1000)] = "",
    ats_base_url: Annotated[str, Form(max_length=4000)] = "",
    ats_user_id: Annotated[str, Form(max_length=200)] = "",
    write_back_notes: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    optional = {
        "callback_url": callback_url, "inbound_secret": inbound_secret,
        "ats_api_key": ats_api_key, "ats_base_url": ats_base_url, "ats_user_id": ats_user_id,
    }  # fmt: skip
    values: dict[str, Any] = {
        "provider": provider, "name": name.strip(),
        **{key: value.strip() or None for key, value in optional.items()},
        "write_back_notes": bool(write_back_notes),
    }  # fmt: skip
    try:
        body = IntegrationCreate.model_validate(values)
    except ValidationError as exc:
        # secrets are not sent back into the form
        shown = {k: v for k, v in values.items() if k not in ("inbound_secret", "ats_api_key")}
        return _refused(
            request, user, session, runtime, section="integrations", values=shown,
            problems=form_errors(exc),
        )  # fmt: skip
    created = create_integration(
        session, box=secret_box(runtime.settings), by=user.user_id, source="web",
        **body.model_dump(),
    )  # fmt: skip
    session.commit()
    base = str(request.base_url).rstrip("/")
    row = created.integration
    return _page(
        request, user, session, runtime,
        new_integration={
            "row": row, "webhook_url": f"{base}/v1/webhooks/{row.provider}/{row.id}",
            "inbound_secret": created.inbound_secret,
            "outbound_secret": created.outbound_secret,
        },
    )  # fmt: skip


@router.post("/admin/integrations/{integration_id}/mappings", response_class=HTMLResponse)
def map_job(
    request: Request,
    integration_id: _ID_PATH,
    user: AdminForm,
    runtime: RuntimeDep,
    session: SessionDep,
    ats_job_id: Annotated[str, Form(max_length=1000)] = "",
    role_id: Annotated[str, Form(max_length=100)] = "",
    market: Annotated[str, Form(max_length=40)] = "de",
) -> Response:
    ats_job_id = ats_job_id.strip()
    if not ats_job_id or len(ats_job_id) > 200:
        return _refused(
            request, user, session, runtime, section="integrations",
            values={"integration_id": integration_id, "role_id": role_id, "market": market},
            problems=["Give the ATS job's id (1 to 200 characters) as the ATS shows it."],
        )  # fmt: skip
    # an unknown integration, role or market comes from a forged form: the error page says which
    set_job_mapping(
        session, runtime=runtime, integration_id=integration_id, ats_job_id=ats_job_id,
        role_id=role_id, market=market, by=user.user_id, source="web",
    )  # fmt: skip
    session.commit()
    return _back("mapping-saved", f"integration-{integration_id}")


# --- audit log -----------------------------------------------------------------------------------


@router.get("/admin/audit.jsonl")
def audit_download(_user: AdminUser, runtime: RuntimeDep) -> StreamingResponse:
    """The whole audit log as JSON lines, the same as ``GET /v1/audit``, as a download."""
    filename = f"audit-{utcnow().strftime('%Y%m%d-%H%M%S')}.jsonl"
    return StreamingResponse(
        audit_json_lines(runtime), media_type="application/x-ndjson",
        headers={"Content-Disposition": f'attachment; filename="{filename}"',
                 "Cache-Control": "no-store"},
    )  # fmt: skip


@router.post("/admin/retention", response_class=HTMLResponse)
def change_retention(
    request: Request,
    user: AdminForm,
    runtime: RuntimeDep,
    session: SessionDep,
    days: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    values = {"days": days}
    try:
        number = int(days.strip())
    except ValueError:
        return _refused(
            request, user, session, runtime, section="retention", values=values,
            problems=["Give the retention as a whole number of days."],
        )  # fmt: skip
    try:
        set_audit_retention_days(session, days=number, by_user_id=user.user_id)
    except AccountError as exc:
        return _refused(
            request, user, session, runtime, section="retention", values=values,
            problems=[sentence(exc.message)],
        )  # fmt: skip
    session.commit()
    return _back("retention-saved", "retention")
