"""Sending one message to one channel: Slack and Teams webhooks and PagerDuty over ``requests``,
email over ``smtplib``.

Every failure becomes our ``ConnectorError`` with a message that names the channel and the
HTTP status or the kind of failure, never the URL or key (a webhook URL is its own secret):
``ServerError`` and ``RateLimited`` (5xx, 429, timeouts, a refused connection) are retried,
anything else (a 4xx: a revoked webhook, a malformed payload) is not.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import requests

from crisis.alerts.message import Message
from crisis.alerts.outbox import ALERT_KINDS
from crisis.alerts.payloads import email_message, pagerduty_event, slack_payload, teams_payload
from crisis.errors import (
    AuthFailed,
    ConfigError,
    ConnectorError,
    RateLimited,
    RemoteNotFound,
    ServerError,
)
from crisis.settings import Settings, env_name

CHANNELS = ("slack", "teams", "email", "pagerduty")


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise a ``ConnectorError`` that carries no secret."""
        ...


@dataclass
class WebhookChannel:
    """Slack and Teams: a JSON POST to the URL the user pasted; any 2xx is delivered."""

    name: str
    url: str = field(repr=False)
    render: Callable[[Message], dict[str, Any]]
    timeout: float = 10.0
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def send(self, message: Message) -> None:
        post_json(self.session, self.name, self.url, self.render(message), timeout=self.timeout)


@dataclass
class PagerDutyChannel:
    name: str
    url: str
    routing_key: str = field(repr=False)
    timeout: float = 10.0
    session: requests.Session = field(default_factory=requests.Session, repr=False)

    def send(self, message: Message) -> None:
        event = pagerduty_event(message, routing_key=self.routing_key)
        post_json(self.session, self.name, self.url, event, timeout=self.timeout)


@dataclass
class EmailChannel:
    """SMTP: ``smtp://user:password@host:port`` (STARTTLS when offered), ``smtps://`` (TLS)."""

    name: str
    url: str = field(repr=False)
    sender: str
    to: list[str]
    timeout: float = 10.0

    def send(self, message: Message) -> None:
        parts = urlsplit(self.url)
        host, secure = parts.hostname or "localhost", parts.scheme == "smtps"
        port = parts.port or (465 if secure else 25)
        email = email_message(message, sender=self.sender, to=self.to)
        try:
            smtp: smtplib.SMTP = (
                smtplib.SMTP_SSL(host, port, timeout=self.timeout)
                if secure
                else smtplib.SMTP(host, port, timeout=self.timeout)
            )
            with smtp:
                smtp.ehlo()
                tls = secure
                if not secure and smtp.has_extn("starttls"):
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                    tls = True
                if parts.username and not tls:
                    raise AuthFailed(
                        "email: the SMTP server offers no STARTTLS; the password is not sent "
                        "in clear (use smtps://, or a server on this host without a login)"
                    )
                if parts.username:
                    smtp.login(unquote(parts.username), unquote(parts.password or ""))
                smtp.send_message(email)
        except smtplib.SMTPAuthenticationError as exc:
            raise AuthFailed(f"email: the SMTP server refused the login ({exc.smtp_code})") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            refused = ", ".join(sorted(exc.recipients))
            raise ConnectorError(f"email: the SMTP server refused {refused}") from exc
        except smtplib.SMTPResponseException as exc:
            error = ServerError if exc.smtp_code >= 400 and exc.smtp_code < 500 else ConnectorError
            raise error(f"email: the SMTP server answered {exc.smtp_code}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ServerError(
                f"email: cannot reach the SMTP server ({type(exc).__name__})"
            ) from exc


def post_json(
    session: requests.Session, name: str, url: str, body: dict[str, Any], *, timeout: float
) -> None:
    try:
        response = session.post(url, json=body, timeout=timeout)
    except requests.Timeout as exc:
        raise ServerError(f"{name}: no answer within {timeout:g} s") from exc
    except requests.RequestException as exc:
        # requests' own message names the URL, and the URL is the secret: only the kind.
        raise ServerError(f"{name}: cannot connect ({type(exc).__name__})") from exc
    if 200 <= response.status_code < 300:
        return
    said = f"{name}: HTTP {response.status_code} {_short(response.text)}".rstrip()
    if response.status_code == 429:
        raise RateLimited(said, _retry_after(response.headers.get("Retry-After")))
    if response.status_code >= 500:
        raise ServerError(said)
    if response.status_code in (401, 403):
        raise AuthFailed(said)
    if response.status_code in (404, 410):
        raise RemoteNotFound(said)
    raise ConnectorError(said)


def configured(settings: Settings) -> list[Channel]:
    """The channels whose settings are given, in a fixed order."""
    timeout = settings.alert_timeout_seconds
    found: list[Channel] = []
    if settings.alert_slack_webhook_url:
        url = settings.secret("alert_slack_webhook_url")
        found.append(WebhookChannel("slack", url, slack_payload, timeout))
    if settings.alert_teams_webhook_url:
        url = settings.secret("alert_teams_webhook_url")
        found.append(WebhookChannel("teams", url, teams_payload, timeout))
    if settings.alert_smtp_url:
        to = [a.strip() for a in settings.alert_email_to.split(",") if a.strip()]
        if not to:
            raise ConfigError(
                f"{env_name('alert_smtp_url')} is set but {env_name('alert_email_to')} names "
                "nobody to send alerts to"
            )
        url = settings.secret("alert_smtp_url")
        found.append(EmailChannel("email", url, settings.alert_email_from, to, timeout))
    if settings.alert_pagerduty_routing_key:
        key = settings.secret("alert_pagerduty_routing_key")
        found.append(PagerDutyChannel("pagerduty", settings.alert_pagerduty_url, key, timeout))
    return found


def routes(settings: Settings) -> dict[str, frozenset[str]]:
    """Which kinds of alert each channel takes (``CRISIS_ALERT_<CHANNEL>_EVENTS``)."""
    return {name: kinds(getattr(settings, f"alert_{name}_events"), name) for name in CHANNELS}


def kinds(value: str, channel: str) -> frozenset[str]:
    words = {w.strip().lower() for w in value.split(",") if w.strip()}
    if words <= {"all"} and words:
        return frozenset(ALERT_KINDS)
    if words <= {"none"}:
        return frozenset()
    unknown = words - set(ALERT_KINDS)
    if unknown:
        raise ConfigError(
            f"{env_name(f'alert_{channel}_events')}: unknown {', '.join(sorted(unknown))}; "
            f"known: {', '.join(ALERT_KINDS)}, all, none"
        )
    return frozenset(words)


def secrets_of(settings: Settings) -> list[str]:
    """Every alert secret's value, for scrubbing error texts before they are stored or logged."""
    names = ("alert_slack_webhook_url", "alert_teams_webhook_url", "alert_smtp_url",
             "alert_pagerduty_routing_key")  # fmt: skip
    values = [getattr(settings, n) for n in names]
    return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]


def _short(text: str) -> str:
    return " ".join(text.split())[:200]


def _retry_after(value: str | None) -> datetime | None:
    if value is None or not value.strip().isdigit():
        return None
    return datetime.now(UTC) + timedelta(seconds=int(value))
