"""Who is asking, and may they: session cookies, API tokens, roles, CSRF, security headers.

- Browsers sign in with a name and password and get a random session token in a cookie that is
  HttpOnly, SameSite=Strict, and Secure with the ``__Host-`` prefix whenever the app is reached
  over HTTPS (or runs outside the "local" environment).
- Every form carries the session's CSRF token; a POST without the right one is refused. The
  JSON API takes the same token in the ``X-CSRF-Token`` header when called with the cookie, and
  needs none with an API token (``Authorization: Bearer``), which no browser sends by itself.
- A POST whose ``Origin`` is another site is refused before anything else.
- Pages get a Content-Security-Policy that allows only the app's own scripts and styles, so a
  comment that slipped past escaping still could not run.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Form, Header, Request, Response
from starlette.middleware.base import BaseHTTPMiddleware

from crisis import accounts, db
from crisis.accounts import SignedIn
from crisis.errors import Forbidden, NotSignedIn
from crisis.web.context import Ctx, WebContext

PLAIN_COOKIE = "crisis_session"
SECURE_COOKIE = "__Host-crisis_session"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def secure_cookies(request: Request, ctx: WebContext) -> bool:
    return request.url.scheme == "https" or ctx.settings.environment != "local"


def cookie_name(request: Request, ctx: WebContext) -> str:
    return SECURE_COOKIE if secure_cookies(request, ctx) else PLAIN_COOKIE


def set_session_cookie(response: Response, request: Request, ctx: WebContext, token: str) -> None:
    secure = secure_cookies(request, ctx)
    response.set_cookie(
        SECURE_COOKIE if secure else PLAIN_COOKIE,
        token,
        max_age=int(ctx.settings.web_session_hours * 3600),
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response, request: Request, ctx: WebContext) -> None:
    secure = secure_cookies(request, ctx)
    response.delete_cookie(
        cookie_name(request, ctx), path="/", secure=secure, httponly=True, samesite="strict"
    )


def session_token(request: Request, ctx: WebContext) -> str | None:
    return request.cookies.get(cookie_name(request, ctx))


def optional_user(request: Request, ctx: Ctx) -> SignedIn | None:
    """The signed-in user of this request, or ``None``."""
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found: SignedIn | None = None
    bearer = _bearer(request)
    with db.session_scope(ctx.engine) as session:
        if bearer is not None:
            found = accounts.token_user(session, bearer)
        else:
            token = session_token(request, ctx)
            if token:
                found = accounts.session_user(session, token, now=ctx.clock.now())
    request.state.user = found
    return found


def current_user(user: Annotated[SignedIn | None, Depends(optional_user)]) -> SignedIn:
    if user is None:
        raise NotSignedIn("sign in first")
    return user


def lead_user(user: Annotated[SignedIn, Depends(current_user)]) -> SignedIn:
    if not user.is_lead:
        raise Forbidden(f"{user.name} is an agent: this needs a lead").said_as(
            "needs_lead", name=user.name
        )
    return user


def form_user(
    user: Annotated[SignedIn, Depends(current_user)],
    csrf_token: Annotated[str, Form()] = "",
) -> SignedIn:
    """The user behind a submitted form, after checking the form's CSRF token."""
    _check_csrf(user, csrf_token)
    return user


def form_lead(user: Annotated[SignedIn, Depends(form_user)]) -> SignedIn:
    return lead_user(user)


def api_writer(
    request: Request,
    user: Annotated[SignedIn, Depends(current_user)],
    x_csrf_token: Annotated[str, Header()] = "",
) -> SignedIn:
    """The user behind an API call that changes something: an API token, or the session
    cookie together with the session's CSRF token in ``X-CSRF-Token``."""
    if _bearer(request) is None:
        _check_csrf(user, x_csrf_token)
    return user


def api_lead(user: Annotated[SignedIn, Depends(api_writer)]) -> SignedIn:
    return lead_user(user)


User = Annotated[SignedIn, Depends(current_user)]
Lead = Annotated[SignedIn, Depends(lead_user)]
FormUser = Annotated[SignedIn, Depends(form_user)]
FormLead = Annotated[SignedIn, Depends(form_lead)]
ApiUser = Annotated[SignedIn, Depends(api_writer)]
ApiLead = Annotated[SignedIn, Depends(api_lead)]


def _check_csrf(user: SignedIn, given: str) -> None:
    if user.csrf_token is None:
        return
    if not given or not secrets.compare_digest(given, user.csrf_token):
        raise Forbidden("the form is out of date or not from this site: reload the page")


def _bearer(request: Request) -> str | None:
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


class SecurityHeaders(BaseHTTPMiddleware):
    """Headers for every answer, and refusal of cross-site POSTs (by ``Origin``)."""

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _same_origin(request):
            return Response("cross-site request refused", status_code=403)
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None or _bearer(request) is not None:
        return True  # browsers send Origin on every cross-site POST; SameSite covers the rest
    # Behind a reverse proxy that passes its own upstream address as Host (nginx's default),
    # the name the browser used is in X-Forwarded-Host. A cross-site form cannot set that
    # header, so trusting it here lets no other site's POST through.
    hosts = {request.headers.get("host", "")}
    hosts.add(request.headers.get("x-forwarded-host", "").split(",")[0].strip())
    return any(origin in (f"http://{host}", f"https://{host}") for host in hosts if host)


class SignInThrottle:
    """Slows down password guessing. Keys: ``user:NAME@ADDRESS`` waits after 5 failures (one
    person's typos, or a guesser at one address), ``addr:ADDRESS`` after 25 (a whole office
    signs in from one NAT address: one person's typos must not lock out the team), ``name:NAME``
    after 30 from anywhere (guessing spread over many addresses). So one troll who knows the
    lead's name cannot lock the lead out during an outage: their address stops first. Within
    15 minutes, further tries for a key wait (up to 15 minutes), whether the password is right
    or not. Kept in memory: a restart forgets, which only helps a real user."""

    LIMITS = {"user:": 5, "addr:": 25, "name:": 30}
    LIMIT, WINDOW = 5, 900.0
    MAX_KEYS = 10_000  # names and addresses remembered: random names must not fill the memory

    def __init__(self) -> None:
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def wait_seconds(self, *keys: str) -> int:
        now = time.monotonic()
        with self._lock:
            waits = [self._wait(key, now) for key in keys]
        return max(waits, default=0)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                recent = [t for t in self._failures.get(key, []) if now - t < self.WINDOW]
                recent.append(now)
                self._failures.pop(key, None)  # re-inserted last: the dict is oldest first
                self._failures[key] = recent[-50:]
            if len(self._failures) > self.MAX_KEYS:
                self._forget(now)

    def _forget(self, now: float) -> None:
        """Drop what is past the window, then (a flood of made-up names) the oldest keys."""
        for key in [k for k, times in self._failures.items() if now - times[-1] >= self.WINDOW]:
            del self._failures[key]
        room = self.MAX_KEYS * 9 // 10  # not again at the very next failure
        for key in list(self._failures)[: max(len(self._failures) - room, 0)]:
            del self._failures[key]

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _wait(self, key: str, now: float) -> int:
        recent = [t for t in self._failures.get(key, []) if now - t < self.WINDOW]
        limit = next((n for prefix, n in self.LIMITS.items() if key.startswith(prefix)), self.LIMIT)
        if len(recent) < limit:
            return 0
        pause = min(2.0 ** (len(recent) - limit) * 30.0, self.WINDOW)
        return max(int(recent[-1] + pause - now) + 1, 0)


def throttle_keys(name: str, request: Request) -> tuple[str, str, str]:
    """The throttle's keys for a try at ``name``'s password from this request's address (names
    have at most 128 characters: a megabyte "name" must not be kept in memory)."""
    name = name.strip().casefold()[:128]
    address = request.client.host if request.client else "?"
    return f"user:{name}@{address}", f"name:{name}", f"addr:{address}"
