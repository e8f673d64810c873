from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from api.deps import MetricsDep, ReadCaller, SessionDep
from api.errors import problem
from api.schemas import HealthPublic
from screener.service import queue_depth

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=HealthPublic)
def healthz() -> HealthPublic:
    """The process is up (no key needed)."""
    return HealthPublic(status="ok")


@router.get(
    "/readyz",
    response_model=HealthPublic,
    responses={503: {"description": "Still loading the model, roles or index."}},
)
def readyz(request: Request) -> HealthPublic | JSONResponse:
    """The model, roles and candidate index are loaded (no key needed)."""
    runtime = getattr(request.app.state, "runtime", None)
    if runtime is None or not runtime.ready:
        return problem(503, "the model and index are still loading", slug="not-ready")
    return HealthPublic(
        status="ready",
        model_hash=runtime.pipeline.model.model_hash,
        roles_version=runtime.pipeline.roles.version,
        candidates_in_pool=len(runtime.pool),
    )


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(_caller: ReadCaller, service_metrics: MetricsDep, session: SessionDep) -> Response:
    """Prometheus metrics: screenings, latency, failures by kind, queue depth."""
    service_metrics.queue_depth.set(queue_depth(session))
    return Response(service_metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
