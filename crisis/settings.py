"""All configuration in one place: environment variables with prefix ``CRISIS_`` and ``.env``.

The defaults give the embedded setup: a SQLite file in the working directory and the lexicon
baseline, so a new user needs no server and no download.
"""

from __future__ import annotations

from functools import lru_cache

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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
