"""The recruiter web pages, served by the same app as the API (``install_web``).

Signed-in users (``screener.accounts``) use the pages; integrators keep using API keys on
``/v1``. Errors on a page come back as a page with a plain sentence, never as JSON or a trace.
"""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web import admin, pages, roles
from api.web._render import STATIC_DIR, render
from api.web._session import CsrfRejected, NotAllowed, SignInRequired, sign_in_url
from api.web._throttle import SignInThrottle

__all__ = ["HtmlErrors", "error_page", "install_web", "is_page_request"]

_NOT_PAGES = ("/v1/", "/static/", "/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi")


def is_page_request(request_path: str, accept: str) -> bool:
    """A browser asking for a page (not the API, not a script's JSON request)."""
    return not request_path.startswith(_NOT_PAGES) and "text/html" in accept


def error_page(request: Request, status: int, title: str, message: str) -> Response:
    return render(
        request, "error.html", user=None, status_code=status, title=title, message=message
    )


def install_web(app: FastAPI) -> None:
    app.state.sign_in_throttle = SignInThrottle()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (pages, roles, admin):
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"error": "sign in again"}, status_code=401)
        return RedirectResponse(sign_in_url(exc.next_url), status_code=303)

    @app.exception_handler(CsrfRejected)
    async def _csrf(request: Request, exc: CsrfRejected) -> Response:
        return error_page(
            request, 403, "Form refused",
            "This form was not sent from this site's page or it has expired. Reload the page and "
            "try again.",
        )  # fmt: skip

    @app.exception_handler(NotAllowed)
    async def _not_allowed(request: Request, exc: NotAllowed) -> Response:
        return error_page(request, 403, "Admins only", "Only an admin can open this page.")


class HtmlErrors:
    """Turn the API's problem+json error into an error page when a browser asked for a page.

    Added outside the body-size limit, so a page's too-large upload also reads as a sentence.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
        if not is_page_request(scope["path"], accept):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def intercept(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"application/problem+json"):
                    start = message
                    return
            elif start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._page(scope, start, b"".join(chunks), receive, send)
                return
            await send(message)

        await self.app(scope, receive, intercept)

    @staticmethod
    async def _page(
        scope: Scope, start: Message, body: bytes, receive: Receive, send: Send
    ) -> None:
        try:
            problem = json.loads(body)
        except ValueError:
            problem = {}
        status = int(start["status"])
        detail = str(problem.get("detail") or "Something went wrong.")
        if status >= 500:
            detail = "Something went wrong on the server; the error was logged. Try again later."
        page = error_page(
            Request(scope), status, str(problem.get("title") or "Error"),
            detail[:1].upper() + detail[1:] + ("" if detail.endswith(".") else "."),
        )  # fmt: skip
        await page(scope, receive, send)
