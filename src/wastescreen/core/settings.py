"""One settings object for the whole service, read from ``WASTESCREEN_*`` environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as ``WASTESCREEN_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="WASTESCREEN_", extra="ignore")

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
        "2, or 1 when the workers are at least as many as the cores (`screening_slots`)")
    workers: int | None = Field(
        default=None, ge=1, le=1024, description="API worker processes serving on this machine "
        "(`wastescreen serve --workers` sets it for its workers). None: WEB_CONCURRENCY, the "
        "worker count uvicorn and gunicorn take from the environment, when it is a positive "
        "integer, else 1")
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
        """Screenings one worker runs at once: ``screening_concurrency`` when set, else 2, or 1
        when the workers are as many as the cores this process may run on or more. Screening
        is CPU-bound under one GIL per worker: a second thread overlaps one's database and
        NumPy work with the other's Python (one worker: 2 slots answered more than 1), more
        only wait for the GIL (16 at once: p99 636 against 285 ms), and threads beyond the
        machine's cores hold SQLite's write lock while they wait (bench.http, 2 workers on 2
        cores, 16 clients: 2 slots each p99 179 and 275 ms, 1 slot each 121-136 ms)."""
        if self.screening_concurrency is not None:
            return self.screening_concurrency
        affinity = getattr(os, "sched_getaffinity", None)
        cores = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
        return 2 if cores >= 2 * self.worker_count() else 1

    def worker_count(self) -> int:
        """``workers``, else a positive integer WEB_CONCURRENCY, else 1 (another program's
        setting of that variable that is not a count is not ours to refuse)."""
        if self.workers is not None:
            return self.workers
        text = os.environ.get("WEB_CONCURRENCY", "").strip()
        return int(text) if text.isdigit() and int(text) > 0 else 1

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
