"""Where the shipped files live: ``styles/`` and ``sample_data/``, in a wheel or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    # Inside a wheel the folders are copied into the package; in a checkout they sit at the top level.
    for candidate in (_PACKAGE / name, _PACKAGE.parents[1] / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"collectdesk cannot find its {name}/ folder; reinstall collectdesk")


def styles_dir() -> Path:
    """The folder holding the ``.tcss`` style sheets."""
    return _find("styles")


def sample_data_dir() -> Path:
    """The folder holding the demo portfolio CSVs."""
    return _find("sample_data")
