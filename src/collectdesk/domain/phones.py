"""How a stored (E.164) phone number is shown to a person: in its country's national format."""

from __future__ import annotations

import phonenumbers


def national_format(phone: str | None) -> str:
    """``+14155550100`` → ``(415) 555-0100``; "—" for no number, the text itself if it cannot be read."""
    if not phone:
        return "—"
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return phone
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
