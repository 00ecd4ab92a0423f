"""Formatting money: the formatter kept for one currency says what ``format_amount`` says."""

from __future__ import annotations

import pytest

from collectdesk.domain.money import amount_formatter, format_amount


@pytest.mark.parametrize("currency", ["USD", "GBP", "JPY", "KWD", "CHF", "usd"])
def test_a_currency_s_formatter_formats_as_format_amount_does(currency: str) -> None:
    formatted = amount_formatter(currency)
    for minor in (0, 1, 9, 10, 99, 100, 101, 123_456, 1_000_000_00, -1, -123_456):
        assert formatted(minor) == format_amount(minor, currency)
