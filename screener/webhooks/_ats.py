"""Talking back to the ATS: Lever's resume API, and notes via Greenhouse Harvest / Lever.

Only request building and sending live here; the note text (the recruiter explanation) is passed
in. Auto-screening never rejects: these helpers add a note and nothing else.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, urlencode

from screener.webhooks._delivery import (
    DeliveryResult,
    OutboundRequest,
    RetryPolicy,
    deliver_request,
    encode_json,
)
from screener.webhooks._fetch import FetchedFile, FetchPolicy, fetch_cv
from screener.webhooks._payloads import CvInline, CvLeverResume, CvSource, CvUrl
from screener.webhooks.errors import FetchError

__all__ = [
    "GREENHOUSE_HARVEST_URL",
    "LEVER_API_URL",
    "LeverApi",
    "greenhouse_note_request",
    "lever_note_request",
    "obtain_cv",
    "post_note",
]

GREENHOUSE_HARVEST_URL = "https://harvest.greenhouse.io"
LEVER_API_URL = "https://api.lever.co"
_JSON_TYPES = frozenset({"application/json"})


def _basic(api_key: str) -> str:
    # Both vendors: the API key is the user name, the password is empty.
    return "Basic " + base64.b64encode(f"{api_key}:".encode()).decode("ascii")


@dataclass(frozen=True)
class LeverApi:
    """Credentials and base URL of one Lever integration (base URL configurable for tests)."""

    api_key: str = field(repr=False)
    base_url: str = LEVER_API_URL

    def _url(self, *parts: str) -> str:
        return self.base_url.rstrip("/") + "/v1/" + "/".join(quote(p, safe="") for p in parts)

    def _get_json(self, url: str, policy: FetchPolicy) -> dict[str, Any]:
        json_policy = FetchPolicy(
            max_bytes=min(policy.max_bytes, 2 * 1024 * 1024),
            timeout_s=policy.timeout_s,
            max_redirects=policy.max_redirects,
            content_types=_JSON_TYPES,
            allow_networks=policy.allow_networks,
            resolver=policy.resolver,
            ssl_context=policy.ssl_context,
            user_agent=policy.user_agent,
        )
        fetched = fetch_cv(url, policy=json_policy, headers={"Authorization": _basic(self.api_key)})
        try:
            parsed = json.loads(fetched.content)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FetchError(f"Lever API answered invalid JSON at {url}") from exc
        if not isinstance(parsed, dict):
            raise FetchError(f"Lever API answered a non-object at {url}")
        return parsed

    def fetch_resume(self, opportunity_id: str, *, policy: FetchPolicy) -> FetchedFile:
        """The opportunity's most recent resume file.

        ``GET /v1/opportunities/{id}/resumes`` then ``.../resumes/{resume_id}/download``.

        Raises:
            FetchError: no resume on the opportunity, or any fetch error.
        """
        listing = self._get_json(self._url("opportunities", opportunity_id, "resumes"), policy)
        resumes = [r for r in listing.get("data") or [] if isinstance(r, dict) and r.get("id")]
        if not resumes:
            raise FetchError(f"Lever opportunity {opportunity_id} has no resume")
        latest = max(resumes, key=lambda r: r.get("createdAt") or 0)
        fetched = fetch_cv(
            self._url("opportunities", opportunity_id, "resumes", str(latest["id"]), "download"),
            policy=policy,
            headers={"Authorization": _basic(self.api_key)},
        )
        file_info = latest.get("file")
        name = file_info.get("name") if isinstance(file_info, dict) else None
        if isinstance(name, str) and name.strip():
            # Lever's own file name beats the storage URL's last segment.
            fetched = dataclasses.replace(fetched, filename=name.strip().rsplit("/", 1)[-1])
        return fetched

    def posting_ids(self, opportunity_id: str, *, policy: FetchPolicy) -> tuple[str, ...]:
        """Posting ids of the opportunity's applications (``GET .../applications``), for job
        mapping when the webhook did not name one."""
        listing = self._get_json(self._url("opportunities", opportunity_id, "applications"), policy)
        postings = []
        for application in listing.get("data") or []:
            posting = application.get("posting") if isinstance(application, dict) else None
            if isinstance(posting, dict):
                posting = posting.get("id")
            if isinstance(posting, str) and posting:
                postings.append(posting)
        return tuple(dict.fromkeys(postings))


def obtain_cv(
    source: CvSource, *, policy: FetchPolicy, lever: LeverApi | None = None
) -> FetchedFile:
    """The CV bytes of an inbound application, whatever form it came in.

    Raises:
        FetchError (and subclasses); ``FetchError`` too when a Lever resume is needed but no
        Lever credentials were given.
    """
    if isinstance(source, CvUrl):
        return fetch_cv(source.url, policy=policy)
    if isinstance(source, CvInline):
        return FetchedFile(
            content=source.content,
            filename=source.filename,
            content_type="application/octet-stream",
            url="",
        )
    if isinstance(source, CvLeverResume):
        if lever is None:
            raise FetchError("a Lever resume is needed but the integration has no Lever API key")
        return lever.fetch_resume(source.opportunity_id, policy=policy)
    raise TypeError(f"unknown CV source {type(source).__name__}")


def greenhouse_note_request(
    *,
    candidate_id: str | int,
    user_id: str | int,
    note: str,
    api_key: str,
    visibility: Literal["admin_only", "private", "public"] = "private",
    base_url: str = GREENHOUSE_HARVEST_URL,
) -> OutboundRequest:
    """``POST /v1/candidates/{id}/activity_feed/notes`` (Harvest; Basic ``api_key:``,
    ``On-Behalf-Of`` the acting user)."""
    body = encode_json({"user_id": int(user_id), "body": note, "visibility": visibility})
    return OutboundRequest(
        method="POST",
        url=(
            f"{base_url.rstrip('/')}/v1/candidates/{quote(str(candidate_id), safe='')}"
            "/activity_feed/notes"
        ),
        headers={
            "Authorization": _basic(api_key),
            "On-Behalf-Of": str(user_id),
            "Content-Type": "application/json",
        },
        body=body,
    )


def lever_note_request(
    *,
    opportunity_id: str,
    note: str,
    api_key: str,
    perform_as: str | None = None,
    base_url: str = LEVER_API_URL,
) -> OutboundRequest:
    """``POST /v1/opportunities/{id}/notes[?perform_as=<user>]`` with ``{"value": note}``."""
    query = f"?{urlencode({'perform_as': perform_as})}" if perform_as else ""
    return OutboundRequest(
        method="POST",
        url=(
            f"{base_url.rstrip('/')}/v1/opportunities/{quote(opportunity_id, safe='')}/notes{query}"
        ),
        headers={"Authorization": _basic(api_key), "Content-Type": "application/json"},
        body=encode_json({"value": note}),
    )


def post_note(
    request: OutboundRequest,
    *,
    policy: FetchPolicy,
    retry: RetryPolicy,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> DeliveryResult:
    """Send a note request with the same retry rules as callbacks (both ATSs answer 429 +
    ``Retry-After`` when rate limited)."""
    return deliver_request(request, policy=policy, retry=retry, clock=clock, sleep=sleep, rng=rng)
