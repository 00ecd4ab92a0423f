"""Configuration: validated settings from a TOML file and ``COLLECTDESK_*`` environment variables."""

from __future__ import annotations

import tomllib
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# Re-exported: the paths used to live here.
from collectdesk.paths import APP_NAME as APP_NAME
from collectdesk.paths import config_dir as config_dir
from collectdesk.paths import config_file as config_file
from collectdesk.paths import data_dir as data_dir


class ConfigError(Exception):
    """A configuration value is invalid; the message names the file and the key."""


class ScoringWeights(BaseModel):
    """Points that make up the toughness score of an account."""

    model_config = {"extra": "forbid"}

    per_day_past_due: float = Field(1.0, ge=0, description="points per day the oldest open invoice is past due")
    max_days_counted: int = Field(180, ge=1, description="days past due beyond this add no more points")
    per_thousand_overdue: float = Field(2.0, ge=0, description="points per 1,000 (major units) overdue")
    max_overdue_points: float = Field(200.0, ge=0)
    per_broken_promise: float = Field(40.0, ge=0)
    broken_promise_window_days: int = Field(90, ge=1)
    per_failed_attempt: float = Field(8.0, ge=0)
    max_failed_attempts_counted: int = Field(10, ge=0)
    per_stage: float = Field(15.0, ge=0, description="points per escalation stage above the first")
    per_late_payment: float = Field(5.0, ge=0, description="points per invoice paid after its due date")
    max_late_payments_counted: int = Field(10, ge=0)
    promise_due_bonus: float = Field(50.0, ge=0, description="points when a promise fell due unpaid")
    callback_due_bonus: float = Field(60.0, ge=0, description="points when a callback is due")
    ready_for_referral_bonus: float = Field(
        100.0, ge=0, description="points when the account is ready for agency referral (escalation.agency_days)"
    )


class PromiseRules(BaseModel):
    """How promises to pay are taken and judged."""

    model_config = {"extra": "forbid"}

    grace_days: int = Field(3, ge=0, le=60)
    horizon_days: int = Field(90, ge=1, le=730)


class CadenceRules(BaseModel):
    """When the next attempt is due after each kind of call."""

    model_config = {"extra": "forbid"}

    retry_days: int = Field(3, ge=1, le=60, description="days after a failed attempt")
    after_promise_days: int = Field(1, ge=0, le=30, description="days after a promise falls due")
    after_no_promise_days: int = Field(2, ge=1, le=60)
    after_paid_claim_days: int = Field(3, ge=1, le=60, description="check that a claimed payment arrived")
    after_dispute_days: int = Field(7, ge=1, le=90)
    skip_weekends: bool = True


class EscalationRules(BaseModel):
    """Days past due and failed attempts that move an account up the ladder."""

    model_config = {"extra": "forbid"}

    follow_up_days: int = Field(15, ge=0)
    sales_rep_days: int = Field(30, ge=0)
    management_days: int = Field(45, ge=0)
    legal_days: int = Field(60, ge=0)
    agency_days: int = Field(90, ge=0)
    failed_attempts_per_stage: int = Field(4, ge=1, description="failed attempts in a row that also escalate")
    final_demand_days: int = Field(
        7, ge=1, le=60, description="days the final demand gives an account ready for referral to pay"
    )

    @model_validator(mode="after")
    def _ascending(self) -> EscalationRules:
        days = [self.follow_up_days, self.sales_rep_days, self.management_days, self.legal_days, self.agency_days]
        if days != sorted(days):
            raise ValueError("escalation days must ascend: follow_up ≤ sales_rep ≤ management ≤ legal ≤ agency")
        return self


class CallingWindow(BaseModel):
    """Local hours in which a customer may be called."""

    model_config = {"extra": "forbid"}

    weekday_start: time = time(8, 0)
    weekday_end: time = time(21, 0)
    weekend_start: time = time(8, 0)
    weekend_end: time = time(21, 0)


def _default_windows() -> dict[str, CallingWindow]:
    au = CallingWindow(weekday_start=time(7, 30), weekend_start=time(9, 0))
    return {"default": CallingWindow(), "AU": au, "NZ": au}


class ReceivablesRules(BaseModel):
    """Portfolio reporting: aging bucket edges and the collection goal."""

    model_config = {"extra": "forbid"}

    aging_edges: list[int] = Field(default_factory=lambda: [0, 30, 60, 90])
    collected_within_30_goal: float = Field(0.70, ge=0, le=1)
    receipt_confirmation_days: int = Field(5, ge=0, le=60)

    @field_validator("aging_edges")
    @classmethod
    def _edges_ascending(cls, edges: list[int]) -> list[int]:
        if not edges or edges[0] != 0 or edges != sorted(set(edges)):
            raise ValueError("aging_edges must start at 0 and strictly ascend, e.g. [0, 30, 60, 90]")
        return edges


class TeamRules(BaseModel):
    """Working as a team: whose accounts a collector's list holds."""

    model_config = {"extra": "forbid"}

    list: Literal["mine", "mine_then_pool", "all"] = Field(
        "mine_then_pool", description="a collector's own accounts only, theirs then the unassigned pool, or all"
    )


class ReminderStep(BaseModel):
    """One step of the reminder schedule: a day relative to the due date and the template sent."""

    model_config = {"extra": "forbid"}

    offset: int = Field(ge=-60, le=365, description="days after the due date (negative: before it)")
    template: str = Field("overdue", pattern=r"^[a-z_]+$", description="courtesy, overdue (by stage), final_demand…")


def _default_steps() -> list[ReminderStep]:
    return [
        ReminderStep(offset=-3, template="courtesy"),
        ReminderStep(offset=1, template="overdue"),
        ReminderStep(offset=7, template="overdue"),
        ReminderStep(offset=14, template="overdue"),
    ]


class ReminderRules(BaseModel):
    """When automatic reminders go out: steps by days from the due date, and then a repeat."""

    model_config = {"extra": "forbid"}

    steps: list[ReminderStep] = Field(default_factory=_default_steps)
    repeat_every_days: int = Field(14, ge=0, le=365, description="after the last step, again every N days; 0 stops")
    confirm_receipt: bool = Field(True, description="ask new and late-paying customers to confirm a new invoice")
    promise_missed: bool = Field(True, description="write the day after a promise breaks")
    letters: bool = Field(True, description="also write each message as a printable PDF letter")
    outbox: Path | None = Field(None, description="where .eml files and letters go; default: data dir/outbox")
    letter_font: Path | None = Field(None, description="a TrueType font for letters (default: built-in Helvetica)")

    @model_validator(mode="after")
    def _distinct_offsets(self) -> ReminderRules:
        offsets = [step.offset for step in self.steps]
        if len(offsets) != len(set(offsets)):
            raise ValueError("reminder steps must have distinct offsets")
        self.steps.sort(key=lambda step: step.offset)
        return self


class MailSettings(BaseModel):
    """The SMTP server reminders and digests are sent through; no host means the outbox folder."""

    model_config = {"extra": "forbid"}

    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535, description="default: 587 starttls, 465 tls, 25 none")
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    sender: str = Field("collections@localhost", min_length=3, description="From: address")
    sender_name: str = Field("Accounts receivable", description="who signs the messages")
    reply_to: str | None = None
    timeout_seconds: float = Field(30.0, gt=0, le=600)

    def effective_port(self) -> int:
        """The port to connect to: the configured one or the usual one for the security mode."""
        return self.port or {"starttls": 587, "tls": 465, "none": 25}[self.security]


class DatedRate(BaseModel):
    """A central bank rate in percent, in force from a date."""

    model_config = {"extra": "forbid"}

    since: date
    percent: Decimal = Field(ge=-5, le=50)


def _boe_rates() -> list[DatedRate]:
    return [
        DatedRate(since=date(y, m, d), percent=Decimal(p))
        for (y, m, d), p in (
            ((2022, 12, 15), "3.5"),
            ((2023, 2, 2), "4.0"),
            ((2023, 3, 23), "4.25"),
            ((2023, 5, 11), "4.5"),
            ((2023, 6, 22), "5.0"),
            ((2023, 8, 3), "5.25"),
            ((2024, 8, 1), "5.0"),
            ((2024, 11, 7), "4.75"),
            ((2025, 2, 6), "4.5"),
            ((2025, 5, 8), "4.25"),
            ((2025, 8, 7), "4.0"),
            ((2025, 12, 18), "3.75"),
        )
    ]


def _ecb_rates() -> list[DatedRate]:
    return [
        DatedRate(since=date(y, m, d), percent=Decimal(p))
        for (y, m, d), p in (
            ((2022, 12, 21), "2.5"),
            ((2023, 2, 8), "3.0"),
            ((2023, 3, 22), "3.5"),
            ((2023, 5, 10), "3.75"),
            ((2023, 6, 21), "4.0"),
            ((2023, 8, 2), "4.25"),
            ((2023, 9, 20), "4.5"),
            ((2024, 6, 12), "4.25"),
            ((2024, 9, 18), "3.65"),
            ((2024, 10, 23), "3.4"),
            ((2024, 12, 18), "3.15"),
            ((2025, 2, 5), "2.9"),
            ((2025, 3, 12), "2.65"),
            ((2025, 4, 23), "2.4"),
            ((2025, 6, 11), "2.15"),
        )
    ]


class InterestRules(BaseModel):
    """Statutory late-payment interest: central bank rates with the dates they took effect."""

    model_config = {"extra": "forbid"}

    enabled: bool = Field(True, description="offer statutory interest to UK and EU business accounts")
    margin_points: Decimal = Field(Decimal(8), ge=0, le=20, description="points over the reference rate")
    uk_base_rates: list[DatedRate] = Field(default_factory=_boe_rates, description="Bank of England base rate")
    ecb_rates: list[DatedRate] = Field(default_factory=_ecb_rates, description="ECB main refinancing rate")


class _TomlSource(TomlConfigSettingsSource):
    """The configuration file, read from the path :func:`load_settings` was given."""

    path: Path | None = None

    def __init__(self, settings_cls: type[BaseSettings]) -> None:
        super().__init__(settings_cls, toml_file=self.path)


class Settings(BaseSettings):
    """Everything collectdesk can be configured with; defaults need no configuration at all."""

    model_config = SettingsConfigDict(
        env_prefix="COLLECTDESK_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    db: str | None = Field(None, description="database URL; default: a SQLite file in the data directory")
    user: str | None = Field(None, description="who is working; default: the OS user")
    today: date | None = Field(None, description="pretend today is this date (demos, tests)")
    timezone: str | None = Field(None, description="the desk's own time zone (IANA name); default: the machine's")
    page_size: int = Field(200, ge=10, le=1000)
    scoring: ScoringWeights = Field(default_factory=ScoringWeights)
    promises: PromiseRules = Field(default_factory=PromiseRules)
    cadence: CadenceRules = Field(default_factory=CadenceRules)
    escalation: EscalationRules = Field(default_factory=EscalationRules)
    calling_windows: dict[str, CallingWindow] = Field(default_factory=_default_windows)
    receivables: ReceivablesRules = Field(default_factory=ReceivablesRules)
    team: TeamRules = Field(default_factory=TeamRules)
    keys: dict[str, str] = Field(default_factory=dict, description="binding id → key(s)")
    result_keys: dict[str, str] = Field(default_factory=dict, description="result code → key")
    reminders: ReminderRules = Field(default_factory=ReminderRules)
    mail: MailSettings = Field(default_factory=MailSettings)
    interest: InterestRules = Field(default_factory=InterestRules)
    digest_recipients: dict[str, str] = Field(default_factory=dict, description="sales rep → email")
    export_dir: Path | None = Field(
        None, description="folder for the supervisor view's CSV exports; default: exports/ in the data directory"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Explicit values win over the environment, which wins over the TOML file."""
        return (init_settings, env_settings, _TomlSource(settings_cls))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str | None) -> str | None:
        if name:
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/London)") from None
        return name or None

    def window_for(self, country: str | None) -> CallingWindow:
        """The calling window that applies to a country (ISO alpha-2)."""
        return self.calling_windows.get((country or "").upper(), self.calling_windows["default"])


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Read the TOML file (if any), apply the environment and explicit overrides, and validate."""
    path = path or config_file()
    if path.exists():
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    _TomlSource.path = path
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from exc
    finally:
        # Settings() built directly elsewhere (tests, tools) must not read this file.
        _TomlSource.path = None


def _describe(exc: ValidationError, path: Path) -> str:
    lines = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        lines.append(f"{path}: {key}: {err['msg']}")
    return "\n".join(lines)
