"""The error every layer raises for bad input: its message is shown to the user as it is."""


class InputError(ValueError):
    """Input that cannot be accepted; nothing was changed. ``str()`` is the message for the user."""
