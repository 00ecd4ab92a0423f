"""Finding repeated keys in a large file without keeping the keys: 8 bytes of hash per row."""

from __future__ import annotations

import operator
from array import array
from collections.abc import Hashable
from itertools import islice


class Fingerprints:
    """Hashes of the keys seen. A repeated hash says a key may repeat; the exact check (in SQL, on
    the staged rows) is made only then, so a chance collision costs time, never a wrong answer."""

    def __init__(self) -> None:
        self._hashes = array("q")

    def add(self, key: Hashable) -> None:
        """Remember one row's key."""
        self._hashes.append(hash(key))

    def __len__(self) -> int:
        return len(self._hashes)

    def repeated(self) -> bool:
        """Whether any two rows may share a key."""
        ordered = sorted(self._hashes)
        return any(map(operator.eq, ordered, islice(ordered, 1, None)))
