from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile

from api.deps import AdminCaller, AnyCaller, ReadCaller, RuntimeDep
from api.routes._common import problems
from api.schemas import RolePublic, RolesPublic, RoleSummaryPublic
from rubrics import Role, RoleSet, load_roles
from screener.errors import DocumentError
from screener.service import InvalidUpload, draft_role, save_custom_role

router = APIRouter(prefix="/v1/roles", tags=["roles"])


def _role_public(role: Role, roles: RoleSet) -> RolePublic:
    bands = [
        {"market": band.market.value, "market_name": band.market_name,
         "currency": band.currency, "min": band.min, "max": band.max, "basis": band.basis}
        for band in role.salary_bands(markets=roles.markets).values()
    ]  # fmt: skip
    data: dict[str, Any] = role.model_dump(mode="json")
    return RolePublic.model_validate({**data, "version": role.version, "salary_bands": bands})


@router.get("", response_model=RolesPublic, responses=problems())
def list_roles(_caller: AnyCaller, runtime: RuntimeDep) -> RolesPublic:
    """Roles to screen for, with skills count, dimension weights and version."""
    roles = runtime.pipeline.roles
    seeds = set(load_roles().ids)
    return RolesPublic(
        version=roles.version,
        data=[
            RoleSummaryPublic(
                id=r.id, name=r.name, focus=r.focus, version=r.version, skills=len(r.skills),
                dimension_weights=r.dimension_weights.as_dict(), custom=r.id not in seeds,
            )
            for r in roles
        ],
    )  # fmt: skip


@router.get("/{role_id}", response_model=RolePublic, responses=problems(404))
def get_role(role_id: str, _caller: AnyCaller, runtime: RuntimeDep) -> RolePublic:
    """One role: skills with aliases, dimension weights, salary band per market."""
    roles = runtime.pipeline.roles
    return _role_public(roles.get(role_id), roles)


@router.post("/from-job-description", response_model=RolePublic, responses=problems(400, 422))
def role_from_job_description(
    _caller: ReadCaller,
    runtime: RuntimeDep,
    role_id: Annotated[str, Form(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)],
    text: Annotated[str | None, Form(max_length=100_000)] = None,
    file: Annotated[UploadFile | None, File(description="The JD as PDF, DOCX or text.")] = None,
    name: Annotated[str | None, Form(max_length=120)] = None,
) -> RolePublic:
    """Draft a custom role from a job description (text or file); review it, then PUT it."""
    if (text is None) == (file is None):
        raise InvalidUpload("give the job description as text or as a file, not both")
    if file is not None:
        parsed = runtime.parsers.parse(file.file.read(), file.filename or "job-description")
        if isinstance(parsed, DocumentError):
            raise parsed
        text = parsed.text
    assert text is not None
    role = draft_role(runtime=runtime, text=text, role_id=role_id, name=name)
    return _role_public(role, runtime.pipeline.roles)


@router.put("/{role_id}", response_model=RolePublic, responses=problems(409, 422))
def put_role(role_id: str, role: Role, caller: AdminCaller, runtime: RuntimeDep) -> RolePublic:
    """Save a reviewed custom role; it can be screened for at once. Seed roles are read-only."""
    if role.id != role_id:
        raise HTTPException(422, f"the role's id {role.id!r} differs from the path's {role_id!r}")
    saved = save_custom_role(runtime=runtime, role=role, by=caller.key_id)
    return _role_public(saved, runtime.pipeline.roles)
