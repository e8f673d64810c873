"""The app factory: ``create_app(settings)`` builds the FastAPI app; its lifespan builds the
heavy objects (model, pipeline, candidate pool, parse and batch workers, database) once."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM_JSON, install_error_handlers, problem
from api.metrics import ServiceMetrics
from api.routes import (
    audit,
    batches,
    candidates,
    health,
    integrations,
    roles,
    screenings,
    search,
    webhooks,
)
from api.schemas import Problem
from api.web import HtmlErrors, install_web
from embeddings import EmbeddingModel
from screener.service import Runtime, UploadTooLarge
from screener.settings import Settings, get_settings
from screener.webhook_jobs import WebhookWorkers
from screener.webhooks import FetchPolicy

__all__ = ["create_app"]

log = logging.getLogger("api")

_DESCRIPTION = """
Local CV screening for AI/ML roles. Every result is an **AI-generated assessment that a person
reviews**: it ranks, notes and cites CV evidence, and never rejects anyone.

Authenticate with an API key (`Authorization: Bearer <key>` or `X-API-Key`); scopes are
`screen`, `read` and `admin`. Errors are RFC 9457 `application/problem+json`.
"""
_SINGLE_UPLOAD_SLACK = 64 * 1024  # multipart framing and form fields around one CV


def create_app(
    settings: Settings | None = None,
    *,
    model: EmbeddingModel | None = None,
    webhook_fetch_policy: FetchPolicy | None = None,
) -> FastAPI:
    """The service app.

    Args:
        settings: default ``get_settings()`` (environment, prefix ``SCREENER_``).
        model: an already loaded embedding model to reuse (tests load one per session).
        webhook_fetch_policy: how webhook workers download CVs and send callbacks; default
            from the settings (tests pass one with their own resolver or TLS trust).
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.start(settings, model=model, observer=app.state.metrics)
        app.state.runtime = runtime
        app.state.webhooks = WebhookWorkers.start(runtime, fetch_policy=webhook_fetch_policy)
        try:
            yield
        finally:
            app.state.webhooks.stop()
            runtime.close()

    app = FastAPI(
        title="CV screener",
        version="1.0.0",
        description=_DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.metrics = ServiceMetrics()
    install_error_handlers(app)
    install_web(app)
    for module in (health, roles, screenings, candidates, batches, search, audit, integrations,
                   webhooks):  # fmt: skip
        app.include_router(module.router)
    app.add_middleware(
        _BodyLimit,
        default_limit=settings.upload_max_bytes,
        limits={"/v1/screenings": settings.documents.max_bytes + _SINGLE_UPLOAD_SLACK},
    )
    app.add_middleware(HtmlErrors)
    app.add_middleware(_RequestLog, metrics=app.state.metrics)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema with every error response documented as problem+json."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    problem_content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.get("responses", {})
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("422", {"description": "Invalid request."})
            for status, response in responses.items():
                if status[:1] in ("4", "5"):
                    response["content"] = problem_content
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    app.openapi_schema = schema
    return schema


class _BodyLimit:
    """413 for a request body over the limit, before anything reads it into memory."""

    def __init__(self, app: ASGIApp, *, default_limit: int, limits: dict[str, int]) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default_limit)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = problem(
                413, f"the request body is {int(declared)} bytes; the limit is {limit} bytes",
                slug="upload-too-large", limit=limit,
            )  # fmt: skip
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise UploadTooLarge(f"the request body exceeds {limit} bytes", limit=limit)
            return message

        await self.app(scope, counted, send)


class _RequestLog:
    """Structured access log line and latency metric per request, with a request id."""

    def __init__(self, app: ASGIApp, *, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = dict(scope["headers"]).get(b"x-request-id", b"").decode() or uuid.uuid4().hex
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []),
                                      (b"x-request-id", request_id.encode())]  # fmt: skip
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route: Any = scope.get("route")
            template = getattr(route, "path", "unmatched")
            self.metrics.requests.labels(scope["method"], template, str(status)).observe(seconds)
            log.info(
                "request",
                extra={"request_id": request_id, "method": scope["method"], "path": template,
                       "status": status, "seconds": round(seconds, 4)},
            )  # fmt: skip
