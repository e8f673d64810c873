"""SSRF-safe HTTP for CVs named by webhooks, and for our outbound requests.

A URL from a webhook (or a callback URL) is attacker-influenced, so every request here:

- allows only ``http``/``https``;
- resolves the host once, refuses the request if *any* address is loopback, private, link-local,
  multicast, reserved, unspecified, shared (100.64/10) or otherwise not global — IPv4 and IPv6,
  including IPv4-mapped, 6to4, Teredo and NAT64 forms — unless it lies in a network the policy
  explicitly allows (tests: loopback);
- connects to the address it checked (the TLS name is still the host name), so a DNS answer
  cannot change between check and connect;
- follows at most ``max_redirects`` redirects, each one checked the same way, and drops
  credentials when a redirect leaves the origin;
- stops reading past ``max_bytes`` and past a total ``timeout_s``;
- accepts only the content types the document stage reads.

Built on :mod:`http.client` (stdlib): no proxy settings from the environment are honoured.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import unquote, urljoin, urlsplit

from screener.webhooks.errors import (
    BadContentType,
    FetchError,
    FetchTimeout,
    FetchTooLarge,
    UnsafeUrl,
)

__all__ = [
    "DEFAULT_CV_CONTENT_TYPES",
    "FetchPolicy",
    "FetchedFile",
    "HttpResponse",
    "Resolver",
    "fetch_cv",
    "http_request",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]
"""``(host, port) -> IP address strings``; the default asks the system resolver."""

DEFAULT_CV_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/plain",
        # S3 and many ATSs serve files untyped; the document stage sniffs the bytes.
        "application/octet-stream",
        "binary/octet-stream",
    }
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one download (or one outbound request).

    Args:
        max_bytes: largest body read; larger ones raise :class:`FetchTooLarge`.
        timeout_s: total wall-clock budget: connect, redirects, headers and body together.
        max_redirects: redirects followed (each target checked again).
        content_types: media types accepted by :func:`fetch_cv` (a missing type counts as
            ``application/octet-stream``).
        allow_networks: address ranges exempt from the SSRF check, e.g. ``("127.0.0.0/8",)``
            for a fake ATS on loopback in tests. Empty in production.
        resolver: host name resolution, injectable for tests.
        ssl_context: for https; default: system trust store with host name checks.
    """

    max_bytes: int = 10 * 1024 * 1024
    timeout_s: float = 30.0
    max_redirects: int = 3
    content_types: frozenset[str] = DEFAULT_CV_CONTENT_TYPES
    allow_networks: tuple[IPNetwork | str, ...] = ()
    resolver: Resolver = field(default=_system_resolver, compare=False)
    ssl_context: ssl.SSLContext | None = field(default=None, compare=False)
    user_agent: str = "cv-screener-webhooks/0.1"

    def __post_init__(self) -> None:
        if self.max_bytes <= 0 or self.timeout_s <= 0 or self.max_redirects < 0:
            raise ValueError("max_bytes and timeout_s must be positive, max_redirects >= 0")
        networks = tuple(ipaddress.ip_network(net) for net in self.allow_networks)
        object.__setattr__(self, "allow_networks", networks)

    @classmethod
    def allowing_loopback(cls, **overrides: object) -> FetchPolicy:
        """A policy for tests that talk to servers on 127.0.0.0/8 and ::1 only."""
        return cls(allow_networks=("127.0.0.0/8", "::1/128"), **overrides)  # type: ignore[arg-type]

    def allows(self, address: IPAddress) -> bool:
        """Whether a request may connect to ``address``."""
        if any(address in net for net in self.allow_networks):
            return True
        return _is_public(address)


@dataclass(frozen=True)
class FetchedFile:
    """A downloaded CV: the bytes and what the server said about them."""

    content: bytes = field(repr=False)
    filename: str
    content_type: str
    url: str
    """The final URL after redirects."""

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class HttpResponse:
    """An outbound request's answer: status, headers (lower-case names) and the capped body."""

    status: int
    headers: Mapping[str, str]
    body: bytes = field(repr=False)


def fetch_cv(
    url: str, *, policy: FetchPolicy, headers: Mapping[str, str] | None = None
) -> FetchedFile:
    """Download a CV under ``policy`` (SSRF checks, redirects, size, time and type limits).

    Args:
        headers: extra request headers, e.g. ``Authorization`` for the Lever API; dropped when a
            redirect leaves the original scheme/host/port.

    Raises:
        UnsafeUrl, FetchTooLarge, FetchTimeout, BadContentType, FetchError (HTTP status, network).
    """
    deadline = time.monotonic() + policy.timeout_s
    request_headers = dict(headers or {})
    current = url
    for _ in range(policy.max_redirects + 1):
        with _exchange(
            "GET", current, headers=request_headers, body=None, policy=policy, deadline=deadline
        ) as (response, sock):
            if response.status in _REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(
                        f"HTTP {response.status} without Location from {_host(current)}"
                    )
                following = urljoin(current, location)
                if _origin(following) != _origin(current):
                    request_headers = {
                        k: v
                        for k, v in request_headers.items()
                        if k.lower() not in ("authorization", "cookie")
                    }
                current = following
                continue
            if not 200 <= response.status < 300:
                raise FetchError(f"HTTP {response.status} from {_host(current)}")
            content_type = _media_type(response.getheader("Content-Type"))
            if content_type not in policy.content_types:
                raise BadContentType(
                    f"content type {content_type!r} from {_host(current)} is not accepted"
                    f" (accepted: {', '.join(sorted(policy.content_types))})"
                )
            content = _read_limited(response, sock, policy.max_bytes, deadline)
            return FetchedFile(
                content=content,
                filename=_filename(response.getheader("Content-Disposition"), current),
                content_type=content_type,
                url=current,
            )
    raise FetchError(f"more than {policy.max_redirects} redirects from {_host(url)}")


def http_request(
    method: str,
    url: str,
    *,
    policy: FetchPolicy,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    max_response_bytes: int = 64 * 1024,
) -> HttpResponse:
    """One request under the SSRF and time rules of ``policy``; redirects are *not* followed.

    The response body is read up to ``max_response_bytes`` and the rest is discarded.

    Raises:
        UnsafeUrl, FetchTimeout, FetchError (network, TLS, protocol).
    """
    deadline = time.monotonic() + policy.timeout_s
    with _exchange(
        method, url, headers=dict(headers or {}), body=body, policy=policy, deadline=deadline
    ) as (response, sock):
        try:
            content = _read_limited(response, sock, max_response_bytes, deadline)
        except FetchTooLarge:
            content = b""
        return HttpResponse(
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
            body=content,
        )


# --- address checks -------------------------------------------------------------------------


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return _is_public(address.ipv4_mapped)
        embedded: list[ipaddress.IPv4Address] = []
        if address.sixtofour is not None:
            embedded.append(address.sixtofour)
        if address.teredo is not None:
            embedded.extend(address.teredo)
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address.is_site_local or not all(_is_public(inner) for inner in embedded):
            return False
    return not (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _check_url(url: str, policy: FetchPolicy) -> _Target:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"malformed URL: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrl(f"scheme {parts.scheme!r} is not allowed (only http and https)")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("URL has no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrl("credentials in the URL are not allowed")
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        resolved = policy.resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host!r}: {exc}") from exc
    if not resolved:
        raise FetchError(f"cannot resolve {host!r}: no addresses")
    addresses = []
    for text in resolved:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone id
        if not policy.allows(address):
            raise UnsafeUrl(f"{host!r} resolves to {address}, a non-public address")
        addresses.append(str(address))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _Target(parts.scheme, host, port, path, tuple(addresses))


# --- connections pinned to the checked address ----------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Sends ``Host: <host>`` but connects to an address chosen (and checked) beforehand."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned_address = address
        self.raw_socket: socket.socket | None = None

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.raw_socket = self.sock


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self, host: str, port: int, *, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.pinned_address = address
        self.ssl_context = context
        self.raw_socket: socket.socket | None = None

    def connect(self) -> None:
        plain = socket.create_connection((self.pinned_address, self.port), self.timeout)
        # The certificate is checked against the host name, not the pinned address.
        self.sock = self.ssl_context.wrap_socket(plain, server_hostname=self.host)
        self.raw_socket = self.sock


_Connection = _PinnedHTTPConnection | _PinnedHTTPSConnection


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchTimeout("the time budget ran out")
    return left


@contextmanager
def _exchange(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    body: bytes | None,
    policy: FetchPolicy,
    deadline: float,
) -> Iterator[tuple[http.client.HTTPResponse, socket.socket]]:
    """Open one request; every network error inside the ``with`` block is translated here."""
    target = _check_url(url, policy)
    connection: _Connection | None = None
    try:
        last_error: OSError | None = None
        for address in target.addresses:
            candidate: _Connection
            if target.scheme == "https":
                context = policy.ssl_context or ssl.create_default_context()
                candidate = _PinnedHTTPSConnection(
                    target.host,
                    target.port,
                    address=address,
                    timeout=_remaining(deadline),
                    context=context,
                )
            else:
                candidate = _PinnedHTTPConnection(
                    target.host, target.port, address=address, timeout=_remaining(deadline)
                )
            try:
                candidate.connect()
            except TimeoutError:
                raise
            except OSError as exc:
                candidate.close()
                last_error = exc
                continue
            connection = candidate
            break
        if connection is None or connection.raw_socket is None:
            raise FetchError(f"cannot connect to {target.host}: {last_error}") from last_error
        sock = connection.raw_socket
        request_headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "identity"}
        request_headers.update(headers)
        sock.settimeout(_remaining(deadline))
        connection.request(method, target.path, body=body, headers=request_headers)
        sock.settimeout(_remaining(deadline))
        response = connection.getresponse()
        yield response, sock
    except TimeoutError as exc:
        raise FetchTimeout(f"{target.host}: no answer within {policy.timeout_s:g} s") from exc
    except ssl.SSLError as exc:
        raise FetchError(f"TLS error with {target.host}: {exc.reason or exc}") from exc
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"{target.host}: {type(exc).__name__}: {exc}") from exc
    finally:
        if connection is not None:
            connection.close()


def _read_limited(
    response: http.client.HTTPResponse, sock: socket.socket, max_bytes: int, deadline: float
) -> bytes:
    declared = response.getheader("Content-Length")
    if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
        raise FetchTooLarge(f"Content-Length {int(declared)} is above the limit of {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    while True:
        # Each read gets only what is left of the budget, so a slow drip cannot outlast it.
        sock.settimeout(_remaining(deadline))
        chunk = response.read1(min(_CHUNK, max_bytes + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchTooLarge(f"body is larger than the limit of {max_bytes} bytes")
        chunks.append(chunk)


# --- response details -----------------------------------------------------------------------


def _media_type(header: str | None) -> str:
    if not header or not header.strip():
        return "application/octet-stream"
    return header.split(";", 1)[0].strip().lower()


def _filename(disposition: str | None, url: str) -> str:
    name: str | None = None
    if disposition:
        message = Message()
        message["Content-Disposition"] = disposition
        name = message.get_filename()
    if not name:
        name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    # Never a path: keep the last component and drop control characters.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:200]
    return name or "cv"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _host(url: str) -> str:
    return urlsplit(url).hostname or url
