"""The follow-up forms, one per result code that needs more than the code, found by its code.

Each form module defines a :class:`FollowUpForm` subclass naming its ``code``; every module of
this package is read once, so a new code's form is one new file here.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from collectdesk.domain.outcomes import OutcomeError
from collectdesk.domain.result_codes import code_named
from collectdesk.services.accounts import AccountDetail
from collectdesk.services.context import AppContext
from collectdesk.tui.call_state import OpenCall
from collectdesk.tui.forms.base import FollowUpForm, plain_outcome

__all__ = ["FollowUpForm", "follow_up_form", "forms_by_code", "needs_follow_up", "plain_outcome"]


def _subclasses(cls: type[FollowUpForm]) -> list[type[FollowUpForm]]:
    found: list[type[FollowUpForm]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


@cache
def forms_by_code() -> dict[str, type[FollowUpForm]]:
    """Every follow-up form of this package, by the result code it serves."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return {form.code: form for form in _subclasses(FollowUpForm) if form.code}


def needs_follow_up(code: str) -> bool:
    """Whether closing a call with this code asks for more than the code itself."""
    spec = code_named(code)
    return spec is not None and spec.needs_follow_up


def follow_up_form(
    ctx: AppContext, call: OpenCall, account: AccountDetail, error: OutcomeError | None = None
) -> FollowUpForm:
    """The form that asks for what the call's result code requires."""
    code = call.draft.result_code or ""
    form = forms_by_code().get(code)
    if form is None:
        raise LookupError(f"result code {code} needs a follow-up form and has none in collectdesk.tui.forms")
    return form(ctx, call, account, error)
