"""The open call as the desk holds it, and the per-call draft of everything typed in its dialogs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class CallDraft:
    """Everything typed into the outcome dialogs of one call, so going back never loses it."""

    result_code: str | None = None
    payment_asked: bool | None = None
    fields: dict[str, str] = field(default_factory=dict)
    plan: bool = False
    every: str = "month"
    reason_index: int = 0
    dispute_invoice_ids: set[int] = field(default_factory=set)

    def text(self, name: str) -> str:
        """The text typed into field ``name`` (empty when nothing was typed)."""
        return self.fields.get(name, "")


@dataclass
class OpenCall:
    """A call that has started and not yet been closed."""

    call_id: int
    customer_id: int
    customer_name: str
    contact: str | None
    started_at: datetime
    draft: CallDraft = field(default_factory=CallDraft)
    notes: str = ""

    def elapsed(self, now: datetime) -> str:
        """Time on the call so far as ``mm:ss`` (``h:mm:ss`` past an hour)."""
        seconds = max(0, int((now - self.started_at).total_seconds()))
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
