"""One mapping from domain errors to RFC 9457 ``application/problem+json`` responses.

DocumentError (any kind)    422  the file could not be read; ``kind`` says why
UnknownRole                 404  ``valid_roles`` lists the ids
UnknownMarket               422  ``valid_markets`` lists the codes
JobDescriptionError         422
RoleFileError / pydantic    422  a role that does not validate
UploadTooLarge              413  ``limit`` holds the limit, also named in ``detail``
InvalidUpload               400
NotFound                    404
Conflict                    409
WebhookError (any kind)     its ``http_status``: 401 bad/missing/stale signature, 409 replayed
                            Lever token, 400 malformed body; ``kind`` names the class
request validation          422  ``errors`` lists each field and problem
HTTP errors (401, 403, ...) as raised; 401 carries ``WWW-Authenticate``
anything else               500  logged with the request id; no internals in the body

A browser asking for a web page (``api.web``) gets the same status as an HTML page with the
detail as a plain sentence instead.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.web import error_page, is_page_request
from rubrics import JobDescriptionError, RoleFileError, UnknownMarket, UnknownRole
from screener.errors import DocumentError
from screener.service import Conflict, InvalidUpload, NotFound, UploadTooLarge
from screener.webhooks.errors import WebhookError

__all__ = ["PROBLEM_JSON", "install_error_handlers", "problem"]

log = logging.getLogger("api.errors")

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://cv-screener.local/problems/"
_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    """A problem+json response; ``extensions`` become extra members."""
    body = {
        "type": _TYPE_BASE + (slug or str(status)),
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **jsonable_encoder(extensions),
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DocumentError)
    async def _document(request: Request, exc: DocumentError) -> JSONResponse:
        return problem(
            422, exc.message, slug="document-unreadable", title="The CV file cannot be read",
            kind=exc.kind, filename=exc.filename or None,
        )  # fmt: skip

    @app.exception_handler(UnknownRole)
    async def _role(request: Request, exc: UnknownRole) -> JSONResponse:
        return problem(
            404, str(exc), slug="unknown-role", title="Unknown role", valid_roles=exc.valid_ids
        )

    @app.exception_handler(UnknownMarket)
    async def _market(request: Request, exc: UnknownMarket) -> JSONResponse:
        return problem(
            422, str(exc), slug="unknown-market", title="Unknown market", valid_markets=exc.valid
        )

    @app.exception_handler(JobDescriptionError)
    async def _jd(request: Request, exc: JobDescriptionError) -> JSONResponse:
        return problem(422, str(exc), slug="job-description", kind=exc.kind)

    @app.exception_handler(RoleFileError)
    async def _role_file(request: Request, exc: RoleFileError) -> JSONResponse:
        errors = [{"field": f, "message": m} for f, m in exc.problems]
        return problem(422, str(exc), slug="invalid-role", errors=errors)

    @app.exception_handler(ValidationError)
    async def _model(request: Request, exc: ValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        return problem(422, "the request does not validate", slug="validation", errors=errors)

    @app.exception_handler(UploadTooLarge)
    async def _too_large(request: Request, exc: UploadTooLarge) -> JSONResponse:
        return problem(413, exc.message, slug="upload-too-large", limit=exc.limit)

    @app.exception_handler(InvalidUpload)
    async def _invalid_upload(request: Request, exc: InvalidUpload) -> JSONResponse:
        return problem(400, exc.message, slug="invalid-upload")

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return problem(404, exc.message, slug="not-found")

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> JSONResponse:
        return problem(409, exc.message, slug="conflict")

    @app.exception_handler(WebhookError)
    async def _webhook(request: Request, exc: WebhookError) -> JSONResponse:
        slug = "webhook-" + "".join(f"-{c.lower()}" if c.isupper() else c for c in exc.kind)
        return problem(exc.http_status, str(exc), slug=slug.replace("--", "-"), kind=exc.kind)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ())),
                "message": e.get("msg", ""),
                "type": e.get("type", ""),
            }
            for e in exc.errors()
        ]
        fields = ", ".join(e["field"] for e in errors[:5])
        return problem(
            422, f"the request does not validate: {fields}", slug="validation", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        request_id = request.headers.get("x-request-id", "")
        log.exception(
            "unhandled error",
            extra={"path": request.url.path, "method": request.method, "request_id": request_id},
        )
        if is_page_request(request.url.path, request.headers.get("accept", "")):
            return error_page(
                request, 500, "Something went wrong",
                "Something went wrong on the server; the error was logged. Try again later.",
            )  # fmt: skip
        return problem(500, "the request failed on the server; it has been logged", slug="internal")
