"""The follow-up cadence: when an account is due again after each kind of call, and for what."""

from __future__ import annotations

from datetime import date, datetime

from collectdesk.domain.dates import add_business_aware, next_business_day
from collectdesk.domain.result_codes import Need, code_named
from collectdesk.settings import CadenceRules


def next_action_on(
    code: str,
    *,
    today: date,
    rules: CadenceRules,
    promised_on: date | None = None,
    callback_on: date | None = None,
    not_before: date | None = None,
) -> date:
    """The date of the next action after a call that ended with result ``code``.

    A promise is followed up the day after it falls due (``promised_on`` is the first instalment
    of a plan), a callback happens on the day asked for, the rest wait the configured days.
    ``not_before`` pushes the date out (e.g. a rule that forbids calling sooner).
    """
    skip = rules.skip_weekends
    spec = code_named(code)
    needs = spec.needs if spec else ()
    if Need.CALLBACK in needs and callback_on is not None:
        return max(callback_on, today)  # the debtor chose the day: never moved off a weekend
    if Need.PROMISE in needs and promised_on is not None:
        proposed = add_business_aware(promised_on, rules.after_promise_days, skip_weekends=skip)
    else:
        days: int = getattr(rules, spec.wait if spec else "retry_days")
        proposed = add_business_aware(today, days, skip_weekends=skip)
    if not_before is not None and proposed < not_before:
        proposed = next_business_day(not_before) if skip else not_before
    return max(proposed, today)


def next_action_text(
    code: str,
    *,
    promised_on: date | None = None,
    amount_text: str | None = None,
    callback_at_local: datetime | None = None,
) -> str:
    """What the next action is, in words a collector reads on the worklist."""
    spec = code_named(code)
    needs = spec.needs if spec else ()
    if Need.PROMISE in needs and promised_on is not None:
        what = f" of {amount_text}" if amount_text else ""
        return f"Check payment{what} promised for {promised_on.isoformat()}"
    if Need.CALLBACK in needs and callback_at_local is not None:
        return f"Call back at {callback_at_local:%Y-%m-%d %H:%M %Z}".rstrip()
    return spec.next_action if spec else "Retry the call"
