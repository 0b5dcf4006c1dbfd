"""Load config.toml plus CAREWISE_<SECTION>__<KEY> overrides into frozen, validated settings."""

from __future__ import annotations

import json
import os
import tomllib
from datetime import time as clock_time
from pathlib import Path
from typing import Literal, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ENV_PREFIX = "CAREWISE_"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line naming it."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreSettings(_Section):
    path: Path = Path("var/index")
    mode: Literal["embedded", "http"] = "embedded"
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    collection: str = Field("carewise", pattern=r"^[A-Za-z0-9._-]{3,40}$")


class EmbeddingSettings(_Section):
    backend: Literal["torch", "onnx", "onnx-int8"] = "onnx"
    batch_size: int = Field(64, ge=1, le=4096)
    onnx_dir: Path = Path("var/onnx")
    cache_dir: Path = Path("var/cache")


class IngestSettings(_Section):
    library_dir: Path = Path("knowledge/library")
    max_file_mb: float = Field(50, gt=0)
    chunk_tokens: int = Field(128, ge=32, le=256)
    chunk_overlap_tokens: int = Field(16, ge=0, le=128)
    uploads_dir: Path = Path("var/uploads")


class SearchSettings(_Section):
    top_k: int = Field(8, ge=1, le=100)
    candidates: int = Field(30, ge=1, le=1000)
    method: Literal["hybrid", "dense", "lexical"] = "hybrid"
    dense_weight: float = Field(0.6, ge=0, le=1)
    rrf_k: int = Field(60, ge=1)


class AnswerSettings(_Section):
    mode: Literal["extractive", "generative"] = "extractive"
    max_chars: int = Field(1500, ge=200, le=20000)
    min_confidence: float = Field(0.30, ge=0, le=1)
    sure_confidence: float = Field(0.55, ge=0, le=1)
    scope_margin: float = Field(0.0, ge=-1, le=1)
    safeguarding_contact: str = "your local authority adult safeguarding team"


class LlmSettings(_Section):
    model: str = ""
    base_url: str = ""
    api_key_env: str = "OPENAI_API_KEY"
    timeout_s: float = Field(30, gt=0)
    temperature: float = Field(0.0, ge=0, le=2)


class TelegramSettings(_Section):
    access: Literal["open", "allowlist", "invite"] = "open"
    admin_ids: tuple[int, ...] = ()
    allowlist_ids: tuple[int, ...] = ()
    invite_code: str = ""
    api_base_url: str = "https://api.telegram.org/bot"
    api_file_url: str = "https://api.telegram.org/file/bot"
    questions_per_minute: int = Field(10, ge=1)
    max_messages_per_second: float = Field(30, gt=0)
    request_timeout_s: float = Field(20, gt=0)
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret_env: str = "TELEGRAM_WEBHOOK_SECRET"
    answer_threads: int = Field(2, ge=1, le=64)


class TipsSettings(_Section):
    enabled: bool = True
    weekday: str = "monday"
    time: clock_time = clock_time(9, 0)
    timezone: str = "Europe/London"
    max_per_second: float = Field(25, gt=0)
    max_attempts: int = Field(4, ge=1, le=20)
    file: Path = Path("knowledge/tips/tips.yaml")
    retry_base_s: float = Field(2, gt=0)
    send_timeout_s: float = Field(15, gt=0)

    @field_validator("weekday")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value.lower() not in WEEKDAYS:
            raise ValueError(f"must be one of {', '.join(WEEKDAYS)}")
        return value.lower()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value


class PrivacySettings(_Section):
    store_questions: bool = False
    retention_days: int = Field(30, ge=1)


class StateSettings(_Section):
    path: Path = Path("var/carewise.db")


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_message_text: bool = False


class Settings(_Section):
    """Every setting of a run, validated and frozen."""

    root: Path = Path(".")
    store: StoreSettings = StoreSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    ingest: IngestSettings = IngestSettings()
    search: SearchSettings = SearchSettings()
    answer: AnswerSettings = AnswerSettings()
    llm: LlmSettings = LlmSettings()
    telegram: TelegramSettings = TelegramSettings()
    tips: TipsSettings = TipsSettings()
    privacy: PrivacySettings = PrivacySettings()
    state: StateSettings = StateSettings()
    logging: LoggingSettings = LoggingSettings()

    @model_validator(mode="after")
    def _generative_needs_model(self) -> "Settings":
        if self.answer.mode == "generative" and not self.llm.model:
            raise ValueError("[llm] model must be set when [answer] mode is 'generative'")
        return self

    def resolve(self, path: Path) -> Path:
        """Return path made absolute against the config file's folder."""
        return path if path.is_absolute() else (self.root / path).resolve()


def load_settings(
    path: str | Path = "config.toml",
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, object]] | None = None,
) -> Settings:
    """Read the config file, apply env and explicit overrides, validate."""
    env = os.environ if env is None else env
    config_path = Path(path)
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {config_path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {config_path} is not valid TOML: {exc}") from None
    for section, key, value in _env_overrides(env):
        data.setdefault(section, {})[key] = value
    for section, values in (overrides or {}).items():
        data.setdefault(section, {}).update(values)
    if "root" in data:
        raise ConfigError("config: unknown section [root]")
    data["root"] = config_path.resolve().parent
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None


def _env_overrides(env: Mapping[str, str]):
    """Yield (section, key, value) for each CAREWISE_SECTION__KEY variable."""
    for name, raw in env.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX):].lower().partition("__")
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
        # JSON turns "0100" or "09:00" oddities into other types; keep strings where JSON gave a scalar
        # that loses information.
        if isinstance(value, (int, float)) and str(value) != raw.strip():
            value = raw
        yield section, key, value


def _one_line(exc: ValidationError) -> str:
    """Turn pydantic's report into one line naming the first bad setting."""
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"]]
    if not loc:
        return f"config: {error['msg']}"
    if error["type"] == "extra_forbidden":
        if len(loc) == 1:
            return f"config: unknown section [{loc[0]}]"
        return f"config: unknown setting [{loc[0]}] {'.'.join(loc[1:])}"
    where = f"[{loc[0]}] {'.'.join(loc[1:])}".strip()
    value = error.get("input")
    shown = "" if isinstance(value, dict) else f" (got {value!r})"
    message = error["msg"].removeprefix("Value error, ")
    return f"config: {where}: {message}{shown}"
