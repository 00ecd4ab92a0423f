"""What the configuration is, cheaply: a fingerprint of everything settings are read from, and the
few top-level values a command needs before it can open the database.

Settings are validated with pydantic (``settings.py``), which costs more to import than a quick
command takes to run. Two processes with the same fingerprint (same program version, same
configuration file bytes, same ``COLLECTDESK_*`` environment) have the same settings, so what one
worked out from its settings can be reused by the other without validating them again.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import tomllib
from datetime import date
from pathlib import Path

from collectdesk import __version__
from collectdesk.paths import config_file


def config_fingerprint(path: Path | None = None) -> str:
    """A digest of the program version, the configuration file and the ``COLLECTDESK_*`` environment."""
    path = path or config_file()
    digest = hashlib.sha1(f"{__version__}\0{path}\0".encode())
    try:
        digest.update(path.read_bytes())
    except OSError:
        digest.update(b"\0(no file)")
    for name, value in sorted(os.environ.items()):
        if name.startswith("COLLECTDESK_"):
            digest.update(f"\0{name}={value}".encode())
    return digest.hexdigest()[:24]


class NotSimple(Exception):
    """The value cannot be known without validating the settings."""


def _from_file(name: str, path: Path | None) -> object:
    """The top-level key ``name`` of the config file as TOML gives it (``None``: no file, no key)."""
    path = path or config_file()
    if not path.exists():
        return None
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get(name)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise NotSimple(name) from exc


def simple_value(name: str, path: Path | None = None) -> str | date | None:
    """A top-level setting (``db``, ``user``, ``today``) as the environment or the file gives it,
    without validating anything; :class:`NotSimple` when only validation could tell."""
    env = os.environ.get(f"COLLECTDESK_{name.upper()}")
    if env is not None:
        return env
    value = _from_file(name, path)
    if value is None or isinstance(value, str) or (name == "today" and type(value) is date):
        return value
    raise NotSimple(name)


def simple_int(name: str, path: Path | None = None) -> int | None:
    """A top-level whole-number setting (``page_size``) as the environment or the file gives it,
    without validating anything; :class:`NotSimple` when only validation could tell."""
    env = os.environ.get(f"COLLECTDESK_{name.upper()}")
    if env is not None:
        if not env.strip().isdigit():
            raise NotSimple(name)
        return int(env)
    value = _from_file(name, path)
    if value is None or type(value) is int:
        return value
    raise NotSimple(name)


def os_user() -> str:
    """The operating-system user name, used when no ``--user`` is given."""
    try:
        return getpass.getuser()
    except OSError:
        return os.environ.get("USER", "collector")
