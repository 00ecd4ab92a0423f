"""Passwords from the OS keyring, or an environment variable where no keyring exists."""

from __future__ import annotations

import os

SERVICE = "collectdesk"
ENV_VARS = {"db-password": "COLLECTDESK_DB_PASSWORD", "mail-password": "COLLECTDESK_MAIL_PASSWORD"}


class SecretError(Exception):
    """A secret is needed but cannot be found, or cannot be stored."""


def get_secret(name: str) -> str | None:
    """The secret from the environment variable, else the keyring; ``None`` if neither has it."""
    from_env = os.environ.get(ENV_VARS[name])
    if from_env:
        return from_env
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, name)
    except KeyringError:
        return None


def set_secret(name: str, value: str) -> None:
    """Store the secret in the OS keyring; explain the environment variable when there is none."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError

    try:
        keyring.set_password(SERVICE, name, value)
    except NoKeyringError as exc:
        raise SecretError(
            f"no OS keyring is available on this machine; set {ENV_VARS[name]} in the environment "
            "instead (collectdesk never writes passwords to its config file or database)"
        ) from exc
    except KeyringError as exc:
        raise SecretError(f"the keyring refused to store {name}: {exc}") from exc


def delete_secret(name: str) -> bool:
    """Remove the secret from the keyring; ``False`` if it was not there."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, name)
    except PasswordDeleteError:
        return False
    except KeyringError as exc:
        raise SecretError(f"the keyring refused to delete {name}: {exc}") from exc
    return True


def missing_password_message(url_text: str) -> str:
    """What to tell a user whose database needs a password that is nowhere to be found."""
    return (
        f"the database {url_text} needs a password, and none was found. Store it in the OS keyring with\n"
        "  collectdesk secrets set db-password\n"
        f"or, where no keyring exists, set {ENV_VARS['db-password']} in the environment."
    )
