"""Settings, read once from the environment (prefix `SAFEFEED_`) and passed in.

Nothing else reads the environment: every component takes the values it needs
as constructor arguments.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    """Where the real research data lives: `../shared/data` beside the repository."""
    return REPO_ROOT.parent / "shared" / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAFEFEED_", frozen=True)

    database_url: str = "sqlite:///safefeed.db"
    # "default" (SafeFeed's protections), "engagement" (the audit baseline) or a policy TOML file.
    policy: str = "default"
    data_dir: Path = default_data_dir()
    # Event log writes are batched up to this many events per transaction.
    event_batch_size: int = 1000

    # The HTTP API.
    host: str = "127.0.0.1"
    port: int = 8000
    # Requests per principal (moving window), and sign-ups/logins per client address.
    rate_limit: str = "100/second"
    login_rate_limit: str = "20/minute"
    max_body_bytes: int = 5_000_000
    token_days: float = 30.0
    # Honour the `now` query parameter (a simulated clock): only for servers that audits scroll.
    client_clock: bool = False
    # Where audits started over the API write their reports.
    audit_dir: Path = Path("audits")
    # Where catalog imports started over the API keep their status.
    import_dir: Path = Path("imports")
    # How often a server applies catalog changes other processes made (moderation, reviews,
    # imports); 0 turns it off.
    catalog_poll_seconds: float = Field(default=2.0, ge=0)
    # Server processes `safefeed serve` starts (each loads the catalog; rate limits count per process).
    workers: int = Field(default=1, ge=1)

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError(f"SAFEFEED_DATABASE_URL must start with sqlite:// or postgresql://, got {value!r}")
        return value


def load() -> Settings:
    """Settings from the environment; `SAFEFEED_DATA` is accepted as a short alias for the data dir."""
    if "SAFEFEED_DATA" in os.environ and "SAFEFEED_DATA_DIR" not in os.environ:
        return Settings(data_dir=Path(os.environ["SAFEFEED_DATA"]))
    return Settings()
