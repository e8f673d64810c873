"""Dependencies handed to routes: the runtime, a database session and the authenticated caller.

Scopes: ``screen`` submits CVs and records decisions, ``read`` reads results (profiles without
personal data), ``admin`` may do everything, sees personal data, erases and exports the audit
log. A request without a valid key gets 401; a key without the scope gets 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from api.metrics import ServiceMetrics
from screener.service import Runtime, Scope, authenticate

__all__ = [
    "AdminCaller",
    "AnyCaller",
    "Caller",
    "MetricsDep",
    "ReadCaller",
    "RuntimeDep",
    "ScreenCaller",
    "SessionDep",
]

_bearer = HTTPBearer(auto_error=False, description="API key as a bearer token.")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key.")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_metrics(request: Request) -> ServiceMetrics:
    metrics: ServiceMetrics = request.app.state.metrics
    return metrics


MetricsDep = Annotated[ServiceMetrics, Depends(get_metrics)]


def get_session(runtime: RuntimeDep) -> Iterator[Session]:
    with runtime.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True, slots=True)
class Caller:
    key_id: str
    scopes: frozenset[str]

    def has(self, scope: Scope) -> bool:
        return scope.value in self.scopes or Scope.ADMIN.value in self.scopes


def _authenticated(
    runtime: RuntimeDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    header: Annotated[str | None, Security(_header)],
) -> Caller:
    presented = bearer.credentials if bearer is not None else header
    if not presented:
        raise HTTPException(
            401, "an API key is required (Authorization: Bearer <key> or X-API-Key)",
            headers={"WWW-Authenticate": "Bearer"},
        )  # fmt: skip
    # a short session of its own: the route's work must not wait on it (SQLite write lock)
    with runtime.sessions() as session:
        key = authenticate(
            session, presented=presented,
            pepper=runtime.settings.api_key_pepper.get_secret_value(),
        )  # fmt: skip
        caller = Caller(key.id, frozenset(key.scopes)) if key is not None else None
    if caller is None:
        raise HTTPException(
            401, "the API key is unknown or revoked", headers={"WWW-Authenticate": "Bearer"}
        )
    return caller


def require(*scopes: Scope) -> Callable[[Caller], Caller]:
    """A dependency that admits callers holding any of ``scopes`` (admin holds them all)."""

    def check(caller: Annotated[Caller, Depends(_authenticated)]) -> Caller:
        if not any(caller.has(scope) for scope in scopes):
            wanted = " or ".join(s.value for s in scopes)
            raise HTTPException(403, f"this API key lacks the {wanted} scope")
        return caller

    return check


AnyCaller = Annotated[Caller, Depends(require(Scope.SCREEN, Scope.READ))]
ScreenCaller = Annotated[Caller, Depends(require(Scope.SCREEN))]
ReadCaller = Annotated[Caller, Depends(require(Scope.READ))]
AdminCaller = Annotated[Caller, Depends(require(Scope.ADMIN))]
