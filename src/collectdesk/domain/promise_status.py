"""Where a promise to pay stands: the one list of its statuses and the words shown for them."""

from __future__ import annotations

OPEN = "open"
KEPT = "kept"
PARTIALLY_KEPT = "partially_kept"
BROKEN = "broken"
CANCELLED = "cancelled"
# Not stored: a cancelled promise that a newer promise or plan replaces is reported as renegotiated.
RENEGOTIATED = "renegotiated"

# The values the promises table accepts (store/models.py checks them).
PROMISE_STATUSES = (OPEN, KEPT, PARTIALLY_KEPT, BROKEN, CANCELLED)
# What payments decide once a promise's broken-on date has passed (or it is paid in full).
JUDGED = (KEPT, PARTIALLY_KEPT, BROKEN)
# Every standing a report shows, the derived renegotiated included.
REPORTED = (KEPT, PARTIALLY_KEPT, BROKEN, OPEN, CANCELLED, RENEGOTIATED)


def status_words(status: str) -> str:
    """A status as a person reads it: ``partially_kept`` → ``partially kept``."""
    return status.replace("_", " ")
