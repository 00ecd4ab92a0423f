"""Where collectdesk keeps its configuration and data (no configuration is parsed here)."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "collectdesk"


def config_dir() -> Path:
    """The user configuration directory (``COLLECTDESK_CONFIG_DIR`` overrides it)."""
    override = os.environ.get("COLLECTDESK_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    """The user data directory where the default database lives (``COLLECTDESK_DATA_DIR`` overrides)."""
    override = os.environ.get("COLLECTDESK_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def config_file() -> Path:
    """The TOML configuration file (``COLLECTDESK_CONFIG`` names another)."""
    override = os.environ.get("COLLECTDESK_CONFIG")
    return Path(override) if override else config_dir() / "config.toml"


def default_database_url() -> str:
    """The SQLite file in the user data directory."""
    return f"sqlite:///{data_dir() / 'collectdesk.db'}"
