"""The documented payload of each channel, as pure functions of a ``Message``.

- Slack incoming webhook: ``text`` (the notification's fallback) and Block Kit ``blocks``
  (header, section, fields, a button to the incident page); ``&``, ``<`` and ``>`` escaped.
- Microsoft Teams Workflows webhook ("when a Teams webhook request is received"): a
  ``message`` with one Adaptive Card attachment (TextBlocks, a FactSet, Action.OpenUrl).
- PagerDuty Events API v2: ``trigger`` with ``payload`` (summary, source, severity, timestamp,
  component, group, class, custom_details) and one ``dedup_key`` per incident; ``resolve`` with
  the same key.
- Email: a plain-text ``EmailMessage``.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from crisis.alerts.message import Message

SLACK_FIELDS = 10  # Block Kit's limit per section
ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def slack_payload(message: Message) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack(message.what)[:3000]}},
    ]
    if message.facts:
        fields = [
            {"type": "mrkdwn", "text": f"*{_slack(label)}*\n{_slack(value)}"[:2000]}
            for label, value in message.facts[:SLACK_FIELDS]
        ]
        blocks.append({"type": "section", "fields": fields})
    if message.link:
        button = {"type": "button", "text": {"type": "plain_text", "text": "Open in crisis"}}
        blocks.append({"type": "actions", "elements": [{**button, "url": message.link}]})
    return {"text": _slack(message.title), "blocks": blocks}


def teams_payload(message: Message) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": message.title, "weight": "Bolder", "wrap": True},
        {"type": "TextBlock", "text": message.what, "wrap": True},
    ]
    if message.facts:
        facts = [{"title": label, "value": value} for label, value in message.facts]
        body.append({"type": "FactSet", "facts": facts})
    card: dict[str, Any] = {
        "$schema": ADAPTIVE_CARD_SCHEMA,
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in crisis",
                            "url": message.link}]  # fmt: skip
    attachment = {
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": None,
        "content": card,
    }
    return {"type": "message", "attachments": [attachment]}


def pagerduty_event(message: Message, *, routing_key: str) -> dict[str, Any]:
    if message.closes:
        return {"routing_key": routing_key, "event_action": "resolve",
                "dedup_key": message.dedup_key}  # fmt: skip
    payload: dict[str, Any] = {
        "summary": message.title[:1024],
        "source": "crisis",
        "severity": message.severity,
        "class": message.kind,
        "custom_details": {"what happened": message.what, **dict(message.facts)},
    }
    if message.at is not None:
        payload["timestamp"] = message.at.isoformat()
    if message.service:
        payload["component"] = message.service
    if message.regions:
        payload["group"] = ", ".join(message.regions)
    event: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "trigger",
        "dedup_key": message.dedup_key,
        "payload": payload,
        "client": "crisis",
    }
    if message.link:
        event["client_url"] = message.link
        event["links"] = [{"href": message.link, "text": "Incident in crisis"}]
    return event


def email_message(message: Message, *, sender: str, to: list[str]) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = f"[crisis] {message.title}"
    email["From"] = sender
    email["To"] = ", ".join(to)
    if message.at is not None:
        email["Date"] = format_datetime(message.at)
    email.set_content(message.text())
    return email


def _slack(text: str) -> str:
    """Slack's mrkdwn reads &, < and > as markup: a customer's words must not become links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
