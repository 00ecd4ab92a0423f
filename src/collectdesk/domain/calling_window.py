"""Whether a customer may be called now: every time zone their numbers allow, against the window."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from collectdesk.settings import CallingWindow

UNKNOWN_REASON = "unknown: ask for the location"
_NON_GEOGRAPHIC = {"TOLL_FREE", "PREMIUM_RATE", "SHARED_COST", "UAN", "VOIP", "PAGER", "PERSONAL_NUMBER", "VOICEMAIL"}
# Two fixed instants, one in each half of the year, tell whether zones keep the same clock.
_PROBES = (datetime(2025, 1, 15, 12, tzinfo=UTC), datetime(2025, 7, 15, 12, tzinfo=UTC))


@dataclass(frozen=True)
class CallableStatus:
    """Whether calling is allowed now, the local time in every candidate zone, and why (not)."""

    callable: bool
    local_times: dict[str, datetime] = field(default_factory=dict)
    reason: str = ""
    unknown: bool = False

    def display(self) -> str:
        """Local time(s) for a status line: ``Mon 09:12 (America/New_York)``."""
        if not self.local_times:
            return UNKNOWN_REASON
        return ", ".join(f"{t:%a %H:%M} ({zone})" for zone, t in self.local_times.items())


def valid_zone(name: str | None) -> bool:
    """Whether ``name`` is a time zone zoneinfo knows."""
    if not name:
        return False
    return known_zone(name)


# Remembered: a name zoneinfo does not know (phonenumbers' "Etc/Unknown") is looked for again, down
# to a search of sys.path for the tzdata package, every time it is asked about.
@lru_cache(maxsize=1024)
def known_zone(name: str) -> bool:
    """Whether zoneinfo knows the zone called ``name``."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@lru_cache(maxsize=4096)
def _zones_for_phone(phone: str, country: str | None) -> tuple[str, ...]:
    import phonenumbers
    from phonenumbers import timezone as pn_timezone

    try:
        number = phonenumbers.parse(phone, None if phone.strip().startswith("+") else country)
    except phonenumbers.NumberParseException:
        return ()
    kind = phonenumbers.number_type(number)
    names = {v: k for k, v in vars(phonenumbers.PhoneNumberType).items() if isinstance(v, int)}
    if names.get(kind) in _NON_GEOGRAPHIC:
        return ()
    return tuple(z for z in pn_timezone.time_zones_for_number(number) if valid_zone(z))


@lru_cache(maxsize=256)
def _zones_for_country(country: str) -> tuple[str, ...]:
    """The country's zone when all its zones keep one clock (GB, DE…); none if it spans several."""
    import phonenumbers
    from phonenumbers import timezone as pn_timezone
    from phonenumbers.tzdata import TIMEZONE_DATA

    code = phonenumbers.country_code_for_region(country.upper())
    zones = [z for z in TIMEZONE_DATA.get(str(code), ()) if valid_zone(z)] if code else []
    if not zones:
        return ()
    offsets = {tuple(probe.astimezone(ZoneInfo(z)).utcoffset() for probe in _PROBES) for z in zones}
    if len(offsets) > 1:
        return ()
    example = phonenumbers.example_number(country.upper())
    named = pn_timezone.time_zones_for_geographical_number(example) if example else ()
    return (next((z for z in named if z in zones), zones[0]),)


def candidate_zones(phones: Iterable[str | None], country: str | None, timezone_override: str | None) -> list[str]:
    """Every zone the customer may be in: the override when set, else all zones of all numbers.

    With no usable number, the country decides when all of it keeps one clock; otherwise the
    list is empty (unknown: ask for the location).
    """
    if timezone_override and valid_zone(timezone_override):
        return [timezone_override]
    zones: set[str] = set()
    for phone in phones:
        if phone and phone.strip():
            zones.update(_zones_for_phone(phone.strip(), country))
    if not zones and country:
        zones.update(_zones_for_country(country))
    return sorted(zones)


def inside(window: CallingWindow, local: datetime) -> bool:
    """Whether a local time falls inside the window (weekday or weekend hours)."""
    weekend = local.weekday() >= 5
    start = window.weekend_start if weekend else window.weekday_start
    end = window.weekend_end if weekend else window.weekday_end
    return start <= local.time().replace(tzinfo=None) < end


def window_status(zones: Iterable[str], now: datetime, window: CallingWindow) -> CallableStatus:
    """Callable only when ``now`` is inside the window in every candidate zone."""
    local_times = {zone: now.astimezone(ZoneInfo(zone)) for zone in zones}
    if not local_times:
        return CallableStatus(True, {}, UNKNOWN_REASON, unknown=True)
    outside = [zone for zone, local in local_times.items() if not inside(window, local)]
    if not outside:
        return CallableStatus(True, local_times, "inside the calling window")
    shown = ", ".join(f"{local_times[z]:%a %H:%M} in {z}" for z in outside[:3])
    more = f" and {len(outside) - 3} more zone(s)" if len(outside) > 3 else ""
    return CallableStatus(False, local_times, f"outside the calling window: {shown}{more}")
