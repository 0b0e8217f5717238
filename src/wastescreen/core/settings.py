"""One settings object for the whole service, read from ``WASTESCREEN_*`` environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``WASTESCREEN_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="WASTESCREEN_", extra="ignore",
                                      populate_by_name=True)

    var_dir: Path = Field(
        default=Path("var"), description="Where the SQLite file, models and index live."
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means a SQLite file under var_dir.",
    )
    band_medium: float = Field(
        default=0.35, ge=0, le=1, description="Overall score from which the band is medium."
    )
    band_high: float = Field(
        default=0.60, ge=0, le=1, description="Overall score from which the band is high."
    )
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    batch_max_rows: int = Field(
        default=100_000, gt=0, description="rows of a batch file (CLI) or batch job (API)")
    page_batch_max_rows: int = Field(
        default=500, gt=0, description="rows of a batch uploaded on the pages (screened while "
        "the page waits)")
    rate_limit_per_minute: int = Field(
        default=600, gt=0, description="requests per API key and minute, across all workers")
    auth_failures_per_minute: int = Field(
        default=20, gt=0, description="failed key checks and sign-ins per client address and "
        "minute, across all workers; past it every key check from that address answers 429")
    screening_concurrency: int | None = Field(
        default=None, ge=1, le=64, description="screenings an API worker runs at once (pre-checks, "
        "submissions, revisions); the others wait their turn, first come first served. None: "
        "the machine's cores shared among the workers (`screening_slots`)")
    workers: int = Field(
        default=1, ge=1, le=1024, validation_alias=AliasChoices("WASTESCREEN_WORKERS",
                                                                "WEB_CONCURRENCY"),
        description="API worker processes serving on this machine (uvicorn's and gunicorn's "
        "WEB_CONCURRENCY; `wastescreen serve --workers` sets it for its workers)")
    page_session_hours: float = Field(
        default=12.0, gt=0, description="how long a page sign-in lasts")
    batch_lease_seconds: float = Field(
        default=120.0, gt=0, description="how long a worker holds a batch job between progress "
        "reports; a job whose lease runs out is screened again by another worker")
    batch_sweep_seconds: float = Field(
        default=30.0, gt=0, description="how often each worker looks for such jobs")
    demo_seed: int = 57
    audit_key: str = Field(
        default="", repr=False, description="the secret that seals the audit trail (HMAC); "
        "empty: the key file audit.key under var_dir, created on first use. Keep it outside "
        "the database and its backups: whoever holds it can rewrite the trail unseen")
    lang: Literal["vi", "en"] = Field(
        default="vi", description="language of the command line's messages (`--lang` wins)")

    def screening_slots(self) -> int:
        """Screenings one worker runs at once: ``screening_concurrency`` when set, else the
        cores this process may run on divided among the ``workers`` (at least 1). Screening
        is CPU-bound under one GIL per worker: threads beyond the cores only wait, and while
        they wait for the GIL they hold SQLite's write lock longer (bench.http, 2 workers, 16
        clients: 2 slots each p99 144-179 ms, 1 slot each 97-123 ms)."""
        if self.screening_concurrency is not None:
            return self.screening_concurrency
        affinity = getattr(os, "sched_getaffinity", None)
        cores = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
        return max(1, min(64, cores // self.workers))

    def resolved_database_url(self) -> str:
        """The database URL in force: the configured one, or the default SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'wastescreen.db').as_posix()}"

    @property
    def models_dir(self) -> Path:
        return self.var_dir / "models"

    @property
    def audit_key_file(self) -> Path:
        return self.var_dir / "audit.key"

    @property
    def index_dir(self) -> Path:
        return self.var_dir / "index"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
