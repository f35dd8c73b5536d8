"""Log lines for people (``text``) or for a log collector (``json``: one object a line).

Every line passes a filter that replaces the value of each secret setting (tokens, the broker
URL's password) with ``***``, so a library that puts a token into an error message cannot leak
it into the logs.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from crisis.settings import Settings

HANDLER_NAME = "crisis"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("loop", "task", "source", "count", "seconds"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info:  # the redacted text, when the filter made one
            line["error"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class Redact(logging.Filter):
    """Replaces known secret values in the formatted message and the exception text."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = self._clean(message), None
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        return True

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def secrets_of(settings: Settings) -> list[str]:
    """The values that must never be logged: every secret setting, database passwords too."""
    values = [v.get_secret_value() for _, v in settings if isinstance(v, SecretStr)]
    for url in (settings.database_url, _plain(settings.broker_url)):
        if url:
            try:
                password = make_url(url).password
            except Exception:  # not a URL SQLAlchemy reads (amqp://): take what is between : and @
                password = url.partition("://")[2].partition("@")[0].partition(":")[2] or None
            if password:
                values.append(str(password))
    return [v for v in values if v]


def _plain(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None


def configure(settings: Settings, *, level: int = logging.INFO) -> None:
    """Send crisis's and the libraries' log lines to stderr in the configured format."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(
        JsonFormatter()
        if settings.log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.addFilter(Redact(secrets_of(settings)))
    root.addHandler(handler)
    root.setLevel(level)
