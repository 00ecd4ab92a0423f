"""Call result codes: one keystroke each, what each means and what a close with it requires.

The table below is the one definition of the codes: the outcome dialog lists it, the services
check a close against each code's ``needs`` and apply its ``effects``, the cadence waits its
``wait`` and words its ``next_action``. A new code is one entry here plus its follow-up form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from collectdesk.domain.errors import InputError

# Longest code the calls table stores (store/models.py sizes ``calls.result_code`` from it).
CODE_LENGTH = 16


class Need(Enum):
    """Something a close must carry besides the code itself."""

    PROMISE = "an exact amount and date (one promise or a plan)"
    PAID_CLAIM = "when and how they say they paid"
    DISPUTE = "which invoices are disputed, and why"
    NO_PROMISE_REASON = "the reason there is no promise"
    CALLBACK = "the callback date and time"
    SPOKE_WITH = "who was reached"


class Effect(Enum):
    """What a close does to the account beyond the call row."""

    HOLD_DISPUTED = "the invoices go on hold as disputed"
    FLAG_NUMBER = "the number is flagged as wrong"


@dataclass(frozen=True)
class ResultCode:
    """How a call ended: its key, its code, whether the debtor was reached, what it needs."""

    key: str
    code: str
    label: str
    right_party: bool
    requires: str
    needs: tuple[Need, ...] = ()
    effects: tuple[Effect, ...] = ()
    # The CadenceRules field with the days to wait before the next attempt.
    wait: str = "retry_days"
    next_action: str = "Retry the call"

    @property
    def failed_attempt(self) -> bool:
        """Whether this result counts as a failed attempt to reach the debtor."""
        return not self.right_party

    @property
    def needs_follow_up(self) -> bool:
        """Whether closing with this code asks for more than the code itself."""
        return bool(self.needs)


PTP = ResultCode(
    "1",
    "PTP",
    "promise to pay",
    True,
    "exact date and amount (method optional)",
    needs=(Need.PROMISE,),
    next_action="Check the promised payment arrived",
)
PAID = ResultCode(
    "2",
    "PAID",
    "says it is already paid",
    True,
    "date/reference given; a check date",
    needs=(Need.PAID_CLAIM,),
    wait="after_paid_claim_days",
    next_action="Check the payment they say was made arrived",
)
DISPUTE = ResultCode(
    "3",
    "DISPUTE",
    "disputes invoice(s)",
    True,
    "which invoices and why; they go on hold",
    needs=(Need.DISPUTE,),
    effects=(Effect.HOLD_DISPUTED,),
    wait="after_dispute_days",
    next_action="Follow up the dispute",
)
NOPROMISE = ResultCode(
    "4",
    "NOPROMISE",
    "reached, no promise",
    True,
    "the reason (refused, can't pay yet, needs approval…)",
    needs=(Need.NO_PROMISE_REASON,),
    wait="after_no_promise_days",
    next_action="Call again and ask for a promise",
)
CALLBACK = ResultCode(
    "5",
    "CALLBACK",
    "asked to be called back",
    True,
    "the callback date and time",
    needs=(Need.CALLBACK,),
    next_action="Call back as asked",
)
MESSAGE = ResultCode("6", "MESSAGE", "left a message", False, "—")
NOANSWER = ResultCode("7", "NOANSWER", "no answer / busy", False, "—")
GATEKEEPER = ResultCode(
    "8",
    "GATEKEEPER",
    "reached someone else",
    False,
    "who",
    needs=(Need.SPOKE_WITH,),
    next_action="Try again to reach the person who pays",
)
WRONGNUMBER = ResultCode(
    "9",
    "WRONGNUMBER",
    "wrong or dead number",
    False,
    "the number is flagged",
    effects=(Effect.FLAG_NUMBER,),
    next_action="Find a working number",
)

DEFAULT_RESULT_CODES: tuple[ResultCode, ...] = (
    PTP,
    PAID,
    DISPUTE,
    NOPROMISE,
    CALLBACK,
    MESSAGE,
    NOANSWER,
    GATEKEEPER,
    WRONGNUMBER,
)


def result_codes(result_keys: Mapping[str, str] | None = None) -> list[ResultCode]:
    """The result codes with keys remapped by ``settings.result_keys`` (code → key)."""
    table = DEFAULT_RESULT_CODES
    by_code = {rc.code: rc for rc in table}
    remap = {code.strip().upper(): key.strip() for code, key in (result_keys or {}).items()}
    unknown = sorted(set(remap) - set(by_code))
    if unknown:
        raise InputError(f"result_keys: unknown result code(s) {', '.join(unknown)} (known: {', '.join(by_code)})")
    empty = sorted(code for code, key in remap.items() if not key)
    if empty:
        raise InputError(f"result_keys: {', '.join(empty)} needs a key")
    codes = [replace(rc, key=remap.get(rc.code, rc.key)) for rc in table]
    seen: dict[str, str] = {}
    for rc in codes:
        if rc.key in seen:
            raise InputError(f"result_keys: key {rc.key!r} is used by both {seen[rc.key]} and {rc.code}")
        seen[rc.key] = rc.code
    return codes


def find_result_code(text: str, codes: Sequence[ResultCode] | None = None) -> ResultCode:
    """The result code named by its code (``PTP``, any case) or its key (``1``)."""
    wanted = text.strip()
    for rc in DEFAULT_RESULT_CODES if codes is None else codes:
        if rc.code == wanted.upper() or rc.key == wanted:
            return rc
    listed = DEFAULT_RESULT_CODES if codes is None else codes
    raise InputError(
        f"{wanted!r} is not a result code (use one of {', '.join(f'{rc.key} {rc.code}' for rc in listed)})"
    )


def code_named(code: str) -> ResultCode | None:
    """The result code ``code`` (exact, as stored on a call), or ``None`` when there is none."""
    return next((rc for rc in DEFAULT_RESULT_CODES if rc.code == code), None)
