"""All configuration in one place: environment variables with prefix ``CRISIS_`` and ``.env``.

The defaults give the embedded setup: a SQLite file in the working directory and the lexicon
baseline, so a new user needs no server and no download.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CRISIS_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///crisis.db"
    classifier: str = "lexicon.v1"
    responder: str = "templates.v1"
    brand: str = "Nordtel"
    # Accounts that are us: never classified as customers, never answered.
    own_authors: list[str] = Field(default_factory=lambda: ["Nordtel", "nordtel", "nordtel_hilft"])
    status_url: str | None = None
    status_lang: str = "de"  # the language incidents' public status texts are written in
    classify_batch_size: int = Field(default=64, ge=1)
    # The transformer classifier: its trained heads (default: the bundled models/<classifier>),
    # an encoder to use instead of the one it was trained on (a local directory or, online, a hub
    # id with the same embedding size), and where converted encoders and embeddings are cached.
    model_dir: Path | None = None
    encoder: str | None = None
    cache_dir: Path | None = None

    # Spike detector: a service's complaints in the window must reach both numbers.
    spike_window_minutes: int = Field(default=30, ge=1)
    spike_min_complaints: int = Field(default=8, ge=1)
    spike_ratio: float = Field(default=4.0, gt=1.0)
    spike_history_days: int = Field(default=7, ge=1)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
