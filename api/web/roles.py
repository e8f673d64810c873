"""The roles pages: every role to screen for with its skills, weights and salary bands, and a
custom role drafted from a job description.

Anyone signed in may draft a role and review it; saving it (which makes it screenable at once)
is an admin's step. The review page carries the job description, not the drafted role, and
saving drafts it again from the same text, so what is saved is what the drafter produces and
never a role edited in the browser.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import RuntimeDep
from api.web._forms import sentence
from api.web._render import render
from api.web._session import AdminForm, FormUser, UserDep
from rubrics import JobDescriptionError, Role, RoleSet, load_roles
from screener.accounts import SignedIn
from screener.errors import DocumentError
from screener.service import Conflict, Runtime, draft_role, save_custom_role

router = APIRouter(include_in_schema=False)

_ROLE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_MAX_ROLE_ID = 80
_MAX_NAME = 120
_MAX_JD_CHARS = 100_000


@cache
def _seed_ids() -> frozenset[str]:
    """The packaged roles' ids; they cannot be replaced by a custom role."""
    return frozenset(load_roles().ids)


def _role_view(role: Role, roles: RoleSet) -> dict[str, Any]:
    """What the role's page shows: alternatives by name and the salary band per market."""
    alternatives = {
        skill.id: [o.name for o in role.skills if o.any_of == skill.any_of and o.id != skill.id]
        for skill in role.skills
        if skill.any_of
    }
    return {
        "role": role,
        "weights": role.dimension_weights.as_dict(),
        "alternatives": alternatives,
        "bands": list(role.salary_bands(markets=roles.markets).values()),
        "custom": role.id not in _seed_ids(),
    }


# --- reading -------------------------------------------------------------------------------------


@router.get("/roles", response_class=HTMLResponse)
def roles_page(request: Request, user: UserDep, runtime: RuntimeDep) -> Response:
    roles = runtime.pipeline.roles
    seeds = _seed_ids()
    rows = [
        {"role": r, "weights": r.dimension_weights.as_dict(), "custom": r.id not in seeds}
        for r in roles
    ]
    return render(request, "roles.html", user=user, rows=rows)


@router.get("/roles/new", response_class=HTMLResponse)
def new_role_page(request: Request, user: UserDep) -> Response:
    return render(request, "role_new.html", user=user, form={})


@router.get("/roles/{role_id}", response_class=HTMLResponse)
def role_page(request: Request, role_id: str, user: UserDep, runtime: RuntimeDep) -> Response:
    roles = runtime.pipeline.roles
    return render(request, "role.html", user=user, **_role_view(roles.get(role_id), roles))


# --- drafting and saving -------------------------------------------------------------------------


def _form_problem(role_id: str, name: str) -> str | None:
    """The first thing wrong with the id or name, as a sentence; None when both are usable."""
    if not role_id:
        return "Give the new role an id, for example acme-ml-platform."
    if len(role_id) > _MAX_ROLE_ID or not _ROLE_ID.match(role_id):
        return (
            f"The role id “{role_id[:_MAX_ROLE_ID]}” cannot be used: an id is lower-case letters "
            f"and digits in groups joined by single dashes, at most {_MAX_ROLE_ID} characters, "
            "for example acme-ml-platform."
        )
    if role_id in _seed_ids():
        return f"“{role_id}” is a packaged role and cannot be replaced; choose a new id."
    if len(name) > _MAX_NAME:
        return f"The name has {len(name)} characters; give at most {_MAX_NAME}."
    return None


def _job_description(runtime: Runtime, text: str, file: UploadFile | None) -> str:
    """The job description's text, from the text box or the uploaded file.

    Raises:
        JobDescriptionError: neither or both given, or the text is too long.
        DocumentError: the file cannot be read.
    """
    # a form without a chosen file still sends an empty file part
    filename = file.filename if file is not None and file.filename else ""
    data = file.file.read() if file is not None and filename else b""
    if text.strip() and data:
        raise JobDescriptionError("paste the job description or choose a file, not both")
    if data:
        parsed = runtime.parsers.parse(data, filename)
        if isinstance(parsed, DocumentError):
            raise parsed
        text = parsed.text
    # a textarea sends CRLF, the save form's hidden field LF: one text, so one draft
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise JobDescriptionError("paste the job description or choose a file (PDF, DOCX or TXT)")
    if len(text) > _MAX_JD_CHARS:
        raise JobDescriptionError(
            f"the job description has {len(text):,} characters; give at most {_MAX_JD_CHARS:,}"
        )
    return text


def _form_again(
    request: Request, user: SignedIn, *, error: str, role_id: str, name: str, text: str,
    status_code: int = 422,
) -> Response:  # fmt: skip
    return render(
        request, "role_new.html", user=user, status_code=status_code, error=error,
        form={"role_id": role_id, "name": name, "text": text},
    )  # fmt: skip


@router.post("/roles/draft", response_class=HTMLResponse)
def draft(
    request: Request,
    user: FormUser,
    runtime: RuntimeDep,
    role_id: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=500)] = "",
    text: Annotated[str, Form(max_length=2 * _MAX_JD_CHARS)] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Draft a role from the job description and show it for review (nothing is saved)."""
    role_id, name = role_id.strip(), name.strip()
    problem = _form_problem(role_id, name)
    if problem is not None:
        return _form_again(request, user, error=problem, role_id=role_id, name=name, text=text)
    try:
        text = _job_description(runtime, text, file)
        role = draft_role(runtime=runtime, text=text, role_id=role_id, name=name or None)
    except DocumentError as exc:
        error = (
            f"The file “{exc.filename or 'job description'}” cannot be read: "
            f"{exc.message.strip().rstrip('.')}. Choose another file or paste the text."
        )
        return _form_again(request, user, error=error, role_id=role_id, name=name, text="")
    except JobDescriptionError as exc:
        return _form_again(
            request, user, error=sentence(str(exc)), role_id=role_id, name=name, text=text
        )
    roles = runtime.pipeline.roles
    return render(
        request, "role_review.html", user=user, jd_text=text,
        form={"role_id": role_id, "name": name}, replaces=role_id in roles,
        **_role_view(role, roles),
    )  # fmt: skip


@router.post("/roles", response_class=HTMLResponse)
def save(
    request: Request,
    user: AdminForm,
    runtime: RuntimeDep,
    role_id: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=500)] = "",
    text: Annotated[str, Form(max_length=2 * _MAX_JD_CHARS)] = "",
) -> Response:
    """Draft the role again from the reviewed job description and save it."""
    role_id, name = role_id.strip(), name.strip()
    problem = _form_problem(role_id, name)
    if problem is not None:
        return _form_again(request, user, error=problem, role_id=role_id, name=name, text=text)
    try:
        text = _job_description(runtime, text, None)
        role = draft_role(runtime=runtime, text=text, role_id=role_id, name=name or None)
        save_custom_role(runtime=runtime, role=role, by=user.user_id, source="web")
    except JobDescriptionError as exc:
        return _form_again(
            request, user, error=sentence(str(exc)), role_id=role_id, name=name, text=text
        )
    except Conflict as exc:
        return _form_again(
            request, user, error=sentence(exc.message), role_id=role_id, name=name, text=text,
            status_code=409,
        )  # fmt: skip
    return RedirectResponse(f"/roles/{role.id}", status_code=303)
