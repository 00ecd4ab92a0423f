"""Money as integer minor units: parsing typed amounts and formatting them for people."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

# ISO 4217 currencies whose minor unit is not 2 digits (the rest of the world uses cents).
_MINOR_DIGITS = {"JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3}
_SYMBOLS = {"USD": "$", "AUD": "A$", "NZD": "NZ$", "CAD": "C$", "GBP": "£", "EUR": "€", "JPY": "¥"}
_AMOUNT = re.compile(r"^-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


class AmountError(ValueError):
    """A typed amount is not a valid amount of money."""


def minor_digits(currency: str) -> int:
    """How many decimal places the currency's minor unit has."""
    digits = _MINOR_DIGITS.get(currency)
    return digits if digits is not None else _MINOR_DIGITS.get(currency.upper(), 2)


def parse_amount(text: str, currency: str = "USD") -> int:
    """Parse ``1234.56`` or ``1,234.56`` (major units, optional symbol) into minor units."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    for symbol in sorted(set(_SYMBOLS.values()), key=len, reverse=True):
        cleaned = cleaned.replace(symbol, "")
    if cleaned.upper().endswith(currency.upper()):
        cleaned = cleaned[: -len(currency)]
    if not cleaned:
        raise AmountError("an amount is required")
    if not _AMOUNT.match(cleaned):
        raise AmountError(f"{text.strip()!r} is not an amount (use 1234.56 or 1,234.56)")
    digits = minor_digits(currency)
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise AmountError(f"{text.strip()!r} is not an amount") from exc
    scaled = value.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise AmountError(f"{text.strip()!r} has more than {digits} decimal places")
    return int(scaled)


# (digits, prefix, suffix) by (currency, symbol): a large import formats two amounts per payment.
_STYLES: dict[tuple[str, bool], tuple[int, str, str]] = {}


def _style(currency: str, symbol: bool) -> tuple[int, str, str]:
    style = _STYLES.get((currency, symbol))
    if style is None:
        prefix = _SYMBOLS.get(currency.upper(), "") if symbol else ""
        suffix = "" if prefix or not symbol else f" {currency.upper()}"
        style = _STYLES[(currency, symbol)] = (minor_digits(currency), prefix, suffix)
    return style


def amount_style(currency: str) -> tuple[int, str, str]:
    """How :func:`format_amount` writes the currency: (decimal places, text before, text after)."""
    return _style(currency, True)


def format_amount(minor: int, currency: str = "USD", *, symbol: bool = True) -> str:
    """Format minor units for display: ``$1,234.56``."""
    digits, prefix, suffix = _style(currency, symbol)
    sign = "-" if minor < 0 else ""
    if digits == 2:
        major, rest = divmod(abs(minor), 100)
        return f"{sign}{prefix}{major:,}.{rest:02d}{suffix}"
    major, rest = divmod(abs(minor), 10**digits) if digits else (abs(minor), 0)
    text = f"{major:,}" + (f".{rest:0{digits}d}" if digits else "")
    return f"{sign}{prefix}{text}{suffix}"


def amount_formatter(currency: str) -> Callable[[int], str]:
    """:func:`format_amount` for one currency (with its symbol), for formatting a great many amounts."""
    digits, prefix, suffix = _style(currency, True)
    if digits != 2:
        return lambda minor: format_amount(minor, currency)

    def formatted(minor: int) -> str:
        if minor < 0:
            return format_amount(minor, currency)
        major, rest = divmod(minor, 100)
        return f"{prefix}{major:,}.{rest:02d}{suffix}"

    return formatted


def to_major(minor: int, currency: str = "USD") -> str:
    """Minor units as a plain decimal string in major units (``1234.56``) for CSV and JSON."""
    digits = minor_digits(currency)
    return str(Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits))) if digits else str(minor)
