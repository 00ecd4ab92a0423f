"""Database work that fails is reported in one place: the desk's widgets forward their failed workers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message
from textual.worker import Worker, WorkerState


class WorkFailed(Message):
    """A worker of one of the desk's widgets raised; the screen tells the collector."""

    def __init__(self, worker: Worker[object]) -> None:
        super().__init__()
        self.worker = worker
        self.what = worker.description or worker.name
        self.group = worker.group
        self.error = worker.error


class ReportsWorkFailures:
    """Mixed into a desk widget whose workers run with ``exit_on_error=False``: a failure bubbles up.

    A plain mixin, not a Widget: a Widget base would reset what the widget inherits (``can_focus``).
    """

    if TYPE_CHECKING:

        def post_message(self, message: Message) -> bool:
            """Provided by the widget this is mixed into."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The single place a worker's failure is picked up (Worker.StateChanged does not bubble)."""
        if event.state is WorkerState.ERROR:
            self.post_message(WorkFailed(event.worker))
