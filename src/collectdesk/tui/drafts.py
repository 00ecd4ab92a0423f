"""A note typed outside a call is kept in a small file until it is written to the timeline."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from collectdesk.settings import data_dir


@dataclass(frozen=True)
class NoteDraft:
    """Unsaved note text and the account it is about."""

    customer_id: int
    text: str


class NoteDraftStore:
    """One draft file per user: written as the collector types, removed once the note is logged."""

    def __init__(self, user_name: str, folder: Path | None = None) -> None:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", user_name) or "user"
        self.path = (folder or data_dir() / "drafts") / f"desk-note-{safe}.json"

    def save(self, draft: NoteDraft) -> None:
        """Replace the draft on disk (atomically, so a crash leaves the old or the new one)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"customer_id": draft.customer_id, "text": draft.text}), encoding="utf-8")
        os.replace(temporary, self.path)

    def load(self) -> NoteDraft | None:
        """The draft left behind, if any."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return NoteDraft(int(data["customer_id"]), str(data["text"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def clear(self) -> None:
        """Forget the draft (it has been written to the timeline)."""
        self.path.unlink(missing_ok=True)
