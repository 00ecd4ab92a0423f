"""Run a program on a pseudo-terminal and time it as a person sees it: until text shows on screen."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Sequence
from dataclasses import dataclass

# Escape sequences (CSI, OSC, single-character escapes): what is left is the text on screen.
_ESCAPES = re.compile(rb"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|[@-Z\\-_])")


@dataclass(frozen=True)
class Shown:
    """Seconds from launch until the text was on screen, and the CPU seconds the program used."""

    seconds: float
    cpu: float


def time_until_shown(
    command: Sequence[str],
    texts: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    size: tuple[int, int] = (120, 40),
    timeout: float = 30.0,
) -> Shown:
    """Launch ``command`` on a terminal of ``size`` and wait until every one of ``texts`` is shown;
    then kill it (what happens after the screen is painted is not measured)."""
    master, slave = os.openpty()
    columns, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    wanted = [t.encode() for t in texts]
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", **(env or {})},
        start_new_session=True,
    )
    os.close(slave)
    screen = b""
    shown_at: float | None = None
    try:
        while time.perf_counter() - started < timeout:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the program closed the terminal
                break
            screen += chunk
            if all(w in _ESCAPES.sub(b"", screen) for w in wanted):
                shown_at = time.perf_counter()
                break
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        _, _, usage = os.wait4(process.pid, 0)
        process.returncode = -1
        os.close(master)
    if shown_at is None:
        text = _ESCAPES.sub(b"", screen).decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(command)} never showed {list(texts)}; the screen ended with:\n{text}")
    return Shown(shown_at - started, usage.ru_utime + usage.ru_stime)
