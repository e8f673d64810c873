"""The one settings object of the service, read once from the environment (prefix ``SCREENER_``).

Nothing else in the code base reads ``os.environ``; stages receive the values they need as
arguments, so tests can pass their own limits.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DocumentLimits", "EmbeddingSettings", "Settings", "get_settings"]

#: The pepper the embedded default hashes API keys with; refused in production.
DEVELOPMENT_PEPPER = "local-development-pepper-change-me"
#: Six months: the least log retention the EU AI Act allows (Art. 19(1), 26(6)).
MIN_AUDIT_RETENTION_DAYS = 183


class DocumentLimits(BaseSettings):
    """Bounds on reading one CV file. Defaults sit far above any real CV."""

    model_config = SettingsConfigDict(env_prefix="SCREENER_DOC_", frozen=True)

    max_bytes: int = Field(20 * 1024 * 1024, gt=0, description="Largest accepted file.")
    max_pages: int = Field(40, gt=0, description="Most pages read from one document.")
    timeout_s: float = Field(60.0, gt=0, description="Wall-clock bound on parsing one file.")
    memory_mb: int = Field(1536, gt=64, description="Address-space bound of a parse worker.")
    max_text_chars: int = Field(2_000_000, gt=0, description="Most characters kept per file.")
    max_unzipped_bytes: int = Field(
        100 * 1024 * 1024, gt=0, description="Largest total inflated size of a DOCX archive."
    )
    max_zip_ratio: float = Field(
        200.0, gt=1, description="Largest inflated/compressed ratio of a DOCX member."
    )
    min_text_chars_per_page: int = Field(
        20, ge=0, description="Fewer visible characters than this marks a page for OCR."
    )
    ocr_languages: str = Field("eng+deu+tur", description="Tesseract language packs.")
    ocr_dpi: int = Field(300, ge=72, le=600, description="Rendering resolution for OCR.")
    ocr_timeout_s: float = Field(60.0, gt=0, description="Bound on OCR of one page.")


class EmbeddingSettings(BaseSettings):
    """The local embedding model and its caches."""

    model_config = SettingsConfigDict(env_prefix="SCREENER_EMBEDDING_", frozen=True)

    lock_path: Path | None = Field(
        None, description="models.lock; default: the working directory, then the source tree."
    )
    device: str = Field("cpu", description="cpu, cuda or cuda:N.")
    batch_size: int = Field(64, ge=1, description="Chunks per forward pass.")
    precision: Literal["auto", "fp32", "bf16"] = Field(
        "auto", description="auto: bf16 where the CPU/GPU runs it natively, else fp32."
    )
    cache_path: Path | None = Field(
        Path("var/embeddings.sqlite"),
        description="SQLite file of vectors by content hash; unset to keep them in memory only.",
    )
    cache_items: int = Field(50_000, ge=0, description="Vectors kept in memory.")
    index_dir: Path = Field(Path("var/index"), description="Saved FAISS indexes.")


class Settings(BaseSettings):
    """Service-wide settings."""

    model_config = SettingsConfigDict(env_prefix="SCREENER_", frozen=True)

    documents: DocumentLimits = Field(default_factory=DocumentLimits)
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    parse_workers: int = Field(
        0, ge=0, description="Parse worker processes; 0 means one per CPU core."
    )

    # --- the service (API, storage, background work) ---------------------------------------
    environment: Literal["local", "production"] = Field(
        "local", description="production refuses development secrets and short log retention."
    )
    database_url: str = Field(
        "sqlite:///var/screener.db",
        description="SQLAlchemy URL; the SQLite file is the embedded default, PostgreSQL by "
        "postgresql+psycopg://user@host/db.",
    )
    auto_migrate: bool = Field(
        True, description="Bring the database schema to the latest revision when the API starts."
    )
    api_key_pepper: SecretStr = Field(
        SecretStr(DEVELOPMENT_PEPPER),
        description="Secret mixed into API-key hashes; keys hashed with one pepper do not "
        "verify with another.",
    )
    upload_max_files: int = Field(200, ge=1, description="Most CV files in one batch upload.")
    upload_max_bytes: int = Field(
        100 * 1024 * 1024, gt=0, description="Largest request body of a batch upload."
    )
    upload_max_unzipped_bytes: int = Field(
        200 * 1024 * 1024, gt=0, description="Largest total inflated size of an uploaded zip."
    )
    upload_max_zip_ratio: float = Field(
        100.0, gt=1, description="Largest inflated/compressed ratio of a zip member."
    )
    api_parsers: int = Field(
        2, ge=1, description="Parse worker processes serving synchronous screenings."
    )
    batch_workers: int = Field(1, ge=1, description="Threads screening batch files.")
    batch_max_attempts: int = Field(
        3, ge=1, description="Tries per batch file before it is reported as failed."
    )
    audit_retention_days: int = Field(
        MIN_AUDIT_RETENTION_DAYS, ge=1, description="Age after which audit records are purged."
    )
    roles_dir: Path = Field(
        Path("var/roles"), description="Custom roles saved through the API (YAML files)."
    )

    @model_validator(mode="after")
    def _refuse_unsafe_production_values(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        pepper = self.api_key_pepper.get_secret_value()
        if pepper == DEVELOPMENT_PEPPER or len(pepper) < 16:
            problems.append("SCREENER_API_KEY_PEPPER must be a secret of 16+ characters")
        if self.audit_retention_days < MIN_AUDIT_RETENTION_DAYS:
            problems.append(
                f"SCREENER_AUDIT_RETENTION_DAYS must be at least {MIN_AUDIT_RETENTION_DAYS} "
                "(six months, EU AI Act Art. 19(1))"
            )
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
