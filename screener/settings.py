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
#: The Fernet key the embedded default encrypts webhook secrets with; refused in production.
DEVELOPMENT_WEBHOOK_SECRETS_KEY = "bG9jYWwtZGV2ZWxvcG1lbnQta2V5LWNoYW5nZS1tZSE="
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
    rank_processes: int = Field(
        1,
        ge=1,
        description="Processes that screen a folder side by side in `screener rank`, each with "
        "its own model and share of the parse workers; for a model on a GPU, whose steps "
        "around the model run on one core of its process.",
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

    # --- ATS webhooks ------------------------------------------------------------------------
    webhook_body_max_bytes: int = Field(
        8 * 1024 * 1024, gt=0, description="Largest inbound webhook body (a generic delivery "
        "may carry the CV inline as base64)."
    )  # fmt: skip
    webhook_lever_window_s: float = Field(
        900.0, gt=0, description="Largest |now - triggeredAt| of a Lever delivery."
    )
    webhook_secrets_key: SecretStr = Field(
        SecretStr(DEVELOPMENT_WEBHOOK_SECRETS_KEY),
        description="Fernet key (Fernet.generate_key()) encrypting integration secrets at rest.",
    )
    webhook_fetch_max_bytes: int = Field(
        20 * 1024 * 1024, gt=0, description="Largest CV downloaded for a webhook."
    )
    webhook_fetch_timeout_s: float = Field(
        30.0, gt=0, description="Total time budget of one CV download or callback attempt."
    )
    webhook_fetch_allow_loopback: bool = Field(
        False, description="Let CV downloads and callbacks reach 127.0.0.0/8 and ::1 (tests "
        "only; refused in production)."
    )  # fmt: skip
    webhook_retry_horizon_s: float = Field(
        24 * 3600.0, gt=0, description="No callback attempt starts later than this after the first."
    )
    webhook_retry_base_delay_s: float = Field(
        5.0, gt=0, description="First retry delay of a callback; doubles per retry."
    )
    webhook_retry_max_delay_s: float = Field(
        3600.0, gt=0, description="Longest wait between two callback attempts."
    )
    webhook_workers: int = Field(1, ge=1, description="Threads processing webhook events.")
    webhook_delivery_workers: int = Field(
        2, ge=1, description="Threads sending callbacks and notes (each may wait on a retry)."
    )
    webhook_max_attempts: int = Field(
        3, ge=1, description="Tries per event when the CV download fails transiently."
    )
    greenhouse_harvest_url: str = Field(
        "https://harvest.greenhouse.io", description="Greenhouse Harvest API base URL (notes)."
    )
    lever_api_url: str = Field(
        "https://api.lever.co", description="Lever API base URL (resumes, notes)."
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
        if self.webhook_secrets_key.get_secret_value() == DEVELOPMENT_WEBHOOK_SECRETS_KEY:
            problems.append(
                "SCREENER_WEBHOOK_SECRETS_KEY must be a Fernet key of your own "
                "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')"
            )
        if self.webhook_fetch_allow_loopback:
            problems.append("SCREENER_WEBHOOK_FETCH_ALLOW_LOOPBACK is for tests only")
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return Settings()
