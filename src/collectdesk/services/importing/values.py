"""Cells as accounting systems write them: dates in any order, amounts in any style, countries, terms."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

DATE_ORDERS = ("DMY", "MDY", "YMD")

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d\d:?\d\d)?)?$")
_NUMERIC = re.compile(r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{2,4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm])?)?$")
_MONTH_FIRST = re.compile(r"^([A-Za-z]{3,9})\.?[\s-]+(\d{1,2})(?:st|nd|rd|th)?,?[\s-]+(\d{4})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,9})\.?,?[\s-]+(\d{2,4})$")
_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{2}|\d{4})$")


class DateAmbiguous(ValueError):
    """A numeric date whose day and month could be either way round."""


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _make(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


def date_readings(text: str) -> tuple[date | None, date | None] | None:
    """For an ``a/b/yyyy`` date: its (day-first, month-first) readings (``None`` where impossible);
    ``None`` when the text is not of that shape."""
    match = _NUMERIC.match(text.strip())
    if not match or len(match.group(1)) > 2:
        return None
    a, b, year = int(match.group(1)), int(match.group(2)), _year(match.group(3))
    readings: list[date | None] = []
    for day, month in ((a, b), (b, a)):
        try:
            readings.append(date(year, month, day))
        except ValueError:
            readings.append(None)
    return readings[0], readings[1]


def parse_date(text: str, order: str | None) -> date:
    """A date written as ISO, ``D/M/Y``, ``M/D/Y`` (by ``order``), ``Jan 28 2021``, ``28-Jan-21``,
    ``ddmmyy`` or with a time after it; ``order`` may also be a strftime pattern. Raises
    :class:`DateAmbiguous` when day and month could be swapped and no order says which."""
    text = text.strip()
    if order and "%" in order:
        try:
            return datetime.strptime(text, order).date()
        except ValueError:
            raise ValueError(f"{text!r} does not match the date format {order!r}") from None
    if match := _ISO.match(text):
        return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)), text)
    if match := _NUMERIC.match(text):
        first, second, third = match.group(1), int(match.group(2)), match.group(3)
        if len(first) == 4:
            return _make(int(first), second, int(third), text)
        a, year = int(first), _year(third)
        if order == "DMY" or (order is None and a > 12 >= second):
            return _make(year, second, a, text)
        if order == "MDY" or (order is None and second > 12 >= a):
            return _make(year, a, second, text)
        if order is None and a == second:
            return _make(year, a, a, text)
        if order == "YMD":
            raise ValueError(f"{text!r} is not a year-month-day date")
        day_first, month_first = date_readings(text) or (None, None)
        if day_first is None or month_first is None:
            raise ValueError(f"{text!r} is not a date")
        raise DateAmbiguous(
            f"{text!r} could be {day_first:%d %B %Y} (day first) or {month_first:%B %d %Y} (month first): "
            "say which with --date-format DMY or MDY"
        )
    if match := _MONTH_FIRST.match(text):
        month = _MONTHS.get(match.group(1).lower())
        if month:
            return _make(int(match.group(3)), month, int(match.group(2)), text)
    if match := _DAY_FIRST.match(text):
        month = _MONTHS.get(match.group(2).lower())
        if month:
            return _make(_year(match.group(3)), month, int(match.group(1)), text)
    if (match := _COMPACT.match(text)) and order == "DMY":
        return _make(_year(match.group(3)), int(match.group(2)), int(match.group(1)), text)
    raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD, or say the order with --date-format)")


def check_date_format(text: str) -> str:
    """``DMY``, ``MDY``, ``YMD`` or a strftime pattern; raises ``ValueError`` for anything else."""
    upper = text.strip().upper()
    if upper in DATE_ORDERS:
        return upper
    if "%" in text:
        try:
            datetime.now().strftime(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a strftime pattern") from None
        return text
    raise ValueError(f"{text!r} is not a date format: use DMY, MDY, YMD or a pattern such as %d.%m.%Y")


_CURRENCY_MARK = re.compile(r"^([A-Z]{3}|[A-Za-z]{0,3}[$£€¥₹₪]|[$£€¥₹₪])")
_CURRENCY_TAIL = re.compile(r"([A-Z]{3}|[$£€¥₹₪])$")
_NUMBER = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$|^\.\d+$")
_EUROPEAN = re.compile(r"^\d{1,3}(?:\.\d{3})+,\d+$|^\d+,\d{1,2}$")


def parse_money(text: str) -> Decimal:
    """An amount in major units: symbols, codes, spaces and thousands separators dropped;
    ``-1.00``, ``$-1.00``, ``-$1.00``, ``1.00-`` and ``(1.00)`` are negative. Raises ``ValueError``."""
    original = text.strip()
    cleaned = original.replace("\u00a0", "").replace(" ", "").replace("'", "")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    for _ in range(2):
        if cleaned.startswith("-"):
            negative, cleaned = not negative, cleaned[1:]
        elif cleaned.endswith("-"):
            negative, cleaned = not negative, cleaned[:-1]
        elif cleaned.startswith("+"):
            cleaned = cleaned[1:]
        cleaned = _CURRENCY_MARK.sub("", cleaned, count=1)
        cleaned = _CURRENCY_TAIL.sub("", cleaned, count=1)
    if _EUROPEAN.match(cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    if not cleaned:
        raise ValueError("an amount is required")
    if not _NUMBER.match(cleaned):
        raise ValueError(f"{original!r} is not an amount")
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern already guards this
        raise ValueError(f"{original!r} is not an amount") from None
    return -value if negative else value


def plain_amount(value: Decimal) -> str:
    """The amount as the row models read it: ``1234.5`` → ``"1234.50"`` (no rounding: extra places stay)."""
    return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)


@lru_cache(maxsize=1024)
def country_code(text: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country written as a code (``US``, ``USA``, ``UK``) or a
    name (``Australia``, ``United States``, ``Bahamas``); ``None`` when it is none."""
    from collectdesk.domain.codes import normalise_country

    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    code = normalise_country(cleaned)
    if code:
        return code
    import pycountry  # a large table: loaded only when a file names countries in words

    try:
        found = pycountry.countries.lookup(cleaned)
    except LookupError:
        try:
            matches = pycountry.countries.search_fuzzy(cleaned) if len(cleaned) > 3 else []
        except LookupError:
            matches = []
        if len(matches) != 1:
            return None
        found = matches[0]
    return str(found.alpha_2)


_NET = re.compile(r"^(?:net\s*)?(\d{1,3})(?:\s*(?:days?|d))?(?:\s*net)?$")
_IMMEDIATE = {"due on receipt", "due upon receipt", "on receipt", "upon receipt", "cod", "c.o.d.", "immediate", "now"}


def terms_days(text: str) -> int | None:
    """Payment terms in days: ``30``, ``Net 30``, ``30 days``, ``Due on receipt`` → 0; ``None`` if not terms."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in _IMMEDIATE:
        return 0
    match = _NET.match(cleaned)
    if match and int(match.group(1)) <= 365:
        return int(match.group(1))
    return None
