"""Call result codes: one keystroke each, what each means and what a close with it requires."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from collectdesk.domain.errors import InputError


@dataclass(frozen=True)
class ResultCode:
    """How a call ended: its key, its code, whether the debtor was reached, what it needs."""

    key: str
    code: str
    label: str
    right_party: bool
    requires: str

    @property
    def failed_attempt(self) -> bool:
        """Whether this result counts as a failed attempt to reach the debtor."""
        return not self.right_party


DEFAULT_RESULT_CODES: tuple[ResultCode, ...] = (
    ResultCode("1", "PTP", "promise to pay", True, "exact date and amount (method optional)"),
    ResultCode("2", "PAID", "says it is already paid", True, "date/reference given; a check date"),
    ResultCode("3", "DISPUTE", "disputes invoice(s)", True, "which invoices and why; they go on hold"),
    ResultCode("4", "NOPROMISE", "reached, no promise", True, "the reason (refused, can't pay yet, needs approval…)"),
    ResultCode("5", "CALLBACK", "asked to be called back", True, "the callback date and time"),
    ResultCode("6", "MESSAGE", "left a message", False, "—"),
    ResultCode("7", "NOANSWER", "no answer / busy", False, "—"),
    ResultCode("8", "GATEKEEPER", "reached someone else", False, "who"),
    ResultCode("9", "WRONGNUMBER", "wrong or dead number", False, "the number is flagged"),
)

_BY_CODE = {rc.code: rc for rc in DEFAULT_RESULT_CODES}


def result_codes(result_keys: Mapping[str, str] | None = None) -> list[ResultCode]:
    """The result codes with keys remapped by ``settings.result_keys`` (code → key)."""
    remap = {code.strip().upper(): key.strip() for code, key in (result_keys or {}).items()}
    unknown = sorted(set(remap) - set(_BY_CODE))
    if unknown:
        raise InputError(f"result_keys: unknown result code(s) {', '.join(unknown)} (known: {', '.join(_BY_CODE)})")
    empty = sorted(code for code, key in remap.items() if not key)
    if empty:
        raise InputError(f"result_keys: {', '.join(empty)} needs a key")
    codes = [replace(rc, key=remap.get(rc.code, rc.key)) for rc in DEFAULT_RESULT_CODES]
    seen: dict[str, str] = {}
    for rc in codes:
        if rc.key in seen:
            raise InputError(f"result_keys: key {rc.key!r} is used by both {seen[rc.key]} and {rc.code}")
        seen[rc.key] = rc.code
    return codes


def find_result_code(text: str, codes: Sequence[ResultCode] = DEFAULT_RESULT_CODES) -> ResultCode:
    """The result code named by its code (``PTP``, any case) or its key (``1``)."""
    wanted = text.strip()
    for rc in codes:
        if rc.code == wanted.upper() or rc.key == wanted:
            return rc
    raise InputError(f"{wanted!r} is not a result code (use one of {', '.join(f'{rc.key} {rc.code}' for rc in codes)})")
