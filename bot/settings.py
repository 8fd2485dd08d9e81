"""Settings from the environment (pydantic-settings); a bad value stops start-up with one line."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/merchant-bot.db"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


class Settings(BaseSettings):
    """Every setting, read from environment variables of the same name (upper case)."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str = Field(default=DEFAULT_DATABASE_URL, min_length=1)
    # PostgreSQL connections per process: kept open, and extra ones opened under load (and
    # closed after). Every replica has its own pool: replicas x (size + overflow) must stay
    # below the server's max_connections. SQLite ignores both.
    database_pool_size: int = Field(default=5, ge=1, le=200)
    database_max_overflow: int = Field(default=10, ge=0, le=200)
    faq_dir: Path = Path("faq")
    centres_file: Path | None = None  # default: centres.yaml in the FAQ folder
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "text"] = "auto"  # auto: text on a terminal, else JSON
    faq_reload_seconds: float = Field(default=2.0, gt=0, le=3600)
    matcher_encoder: Literal["e5", "none"] = "e5"  # the semantic ranker; "none": lexical only
    vector_cache_dir: Path = Path("data/vectors")  # phrasing vectors, by model and text
    snapshot_dir: Path = Path("data/snapshots")  # last good content, to start on when files break
    # GET /metrics (Prometheus), no sign-in: off with false; METRICS_ALLOW limits it to
    # addresses or networks ("10.0.0.0/8, 127.0.0.1"; empty: anyone who reaches the port).
    metrics_enabled: bool = True
    metrics_allow: str = ""

    # Files merchants and staff send (images and PDFs): where the bytes live, the largest
    # accepted, and after how many days they are deleted (0: kept for ever)
    files_dir: Path = Path("data/files")
    file_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    file_retention_days: int = Field(default=90, ge=0, le=36500)
    # A lower limit on one channel, as JSON: {"telegram": 5242880}; keys web, telegram, wechat
    file_max_bytes_by_channel: dict[str, int] = Field(default_factory=dict)
    # Several replicas: the bytes in an S3-compatible bucket instead of FILES_DIR when
    # FILES_S3_BUCKET is set. FILES_S3_URL: the server (empty: AWS); keys are PREFIX + file id;
    # credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or a profile, or a role).
    files_s3_bucket: str = Field(default="", pattern=r"^([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?$")
    files_s3_url: str = Field(default="", pattern=r"^(https?://[^/?#\s]+/?)?$")
    files_s3_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9!_.*'()/-]*$")
    files_s3_region: str = ""
    # After how many days message texts are blanked (rows and counts stay; 0: kept for ever)
    message_retention_days: int = Field(default=0, ge=0, le=36500)

    # Telegram (the channel runs when a token is set)
    telegram_bot_token: str = ""
    telegram_api_url: str = "https://api.telegram.org"
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_secret: str = ""
    telegram_webhook_url: str = ""
    telegram_staff_chat_id: int | None = None
    telegram_framework: Literal["aiogram", "ptb"] = "ptb"  # PTB: ~44 MB to import, aiogram ~170

    # WeChat Official Account (the endpoint runs when a token is set)
    wechat_token: str = ""
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    wechat_encoding_aes_key: str = ""
    wechat_api_url: str = "https://api.weixin.qq.com"

    # Staff console
    first_response_minutes: int = Field(default=120, gt=0, le=10080)
    # While a ticket is open: at most one "added to your request" per this many seconds.
    ack_interval_seconds: int = Field(default=300, ge=0, le=86400)
    # "Did this help?" after an FAQ answer at most once per this many minutes per merchant (the
    # first answer of a burst asks; 0: after every answer). See bot/core/feedback.py.
    feedback_prompt_minutes: int = Field(default=10, ge=0, le=1440)
    # A staff reply being sent is claimed for this long: a replica that dies mid-send leaves it
    # to be sent again by another (or after a restart) once the lease runs out.
    outbox_lease_seconds: int = Field(default=120, ge=5, le=3600)
    # The insights' daily roll-ups are refreshed this often (closed days built once, changed
    # ones rebuilt; today is always read live); 0: none built, every figure from raw rows.
    insights_rollup_minutes: int = Field(default=10, ge=0, le=1440)

    # Replicas: state they share (WeChat MsgIds, access token and windows; Telegram's pace)
    # lives in Redis when set (redis://host:6379/0); unset, one replica keeps it in memory.
    redis_url: str = ""

    # E-mail to teams (a new ticket, a first-response target passed), off when SMTP_URL is unset:
    # smtp://user:pass@host:587 (STARTTLS when offered) or smtps://...:465 (TLS from the start)
    smtp_url: str = Field(default="", pattern=r"^(smtps?://[^/?#\s]+/?)?$")
    smtp_from: str = ""  # the sender; default merchant-bot@<the SMTP host>

    @property
    def centres_path(self) -> Path:
        """``CENTRES_FILE``, else ``centres.yaml`` in the FAQ folder."""
        return self.centres_file or self.faq_dir / "centres.yaml"

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("metrics_allow")
    @classmethod
    def _networks(cls, value: str) -> str:
        import ipaddress

        for part in value.replace(",", " ").split():
            ipaddress.ip_network(part, strict=False)  # ValueError names the bad one
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("file_max_bytes_by_channel")
    @classmethod
    def _channel_limits(cls, value: dict[str, int]) -> dict[str, int]:
        unknown = sorted(set(value) - {"web", "telegram", "wechat"})
        if unknown:
            raise ValueError(f"unknown channel {', '.join(unknown)} (web, telegram, wechat)")
        if any(not 1024 <= v <= 100 * 1024 * 1024 for v in value.values()):
            raise ValueError("each limit must be between 1024 and 104857600 bytes")
        return value

    @field_validator("files_s3_prefix")
    @classmethod
    def _folder(cls, value: str) -> str:
        value = value.strip("/")
        return f"{value}/" if value else ""

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        scheme = value.split(":", 1)[0]
        if not scheme.startswith(("sqlite", "postgres")):
            raise ValueError("must start with sqlite or postgresql")
        return value


def load_settings() -> Settings:
    """Read the settings; raise SettingsError naming the bad variable and why."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise SettingsError(f"{name}: {first['msg']}") from None
