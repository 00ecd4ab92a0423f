"""``collectdesk`` entry point: parse arguments, run the command, map errors to exit codes."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

# Command → "module:function"; modules are imported only when their command runs (start-up speed).
COMMANDS = {
    None: "collectdesk.cli.cmd_desk:run_desk",
    "desk": "collectdesk.cli.cmd_desk:run_desk",
    "supervisor": "collectdesk.cli.cmd_supervisor:run",
    "demo": "collectdesk.cli.cmd_demo:run",
    "import": "collectdesk.cli.cmd_import:run",
    "worklist": "collectdesk.cli.cmd_worklist:run",
    "tally": "collectdesk.cli.cmd_tally:run",
    "export": "collectdesk.cli.cmd_export:run",
    "promise": "collectdesk.cli.cmd_promise:run",
    "users": "collectdesk.cli.cmd_users:run",
    "agency": "collectdesk.cli.cmd_agency:run",
    "secrets": "collectdesk.cli.cmd_secrets:run",
    "team": "collectdesk.cli.cmd_team:run",
    "assign": "collectdesk.cli.cmd_assign:run",
    "calls": "collectdesk.cli.cmd_calls:run",
    "remind": "collectdesk.cli.cmd_remind:run",
    "pause": "collectdesk.cli.cmd_pause:run",
    "opt-out": "collectdesk.cli.cmd_optout:run",
    "digest": "collectdesk.cli.cmd_digest:run",
}

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def _handler(command: str | None) -> Callable[[argparse.Namespace], int]:
    module_name, function = COMMANDS[command].split(":")
    handler: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module_name), function)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run collectdesk with ``argv`` (default: the process arguments) and return the exit code."""
    from collectdesk.cli.parser import build_parser

    args = build_parser().parse_args(argv)
    try:
        return _handler(args.command)(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if not isinstance(exc, _user_errors()):
            raise
        print(f"collectdesk: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


# Errors that are the user's to fix (exit 1 with the message), by module. A module that was never
# imported raised none of them: looking them up this way keeps a quick command from importing
# the database and settings stacks only to name their errors.
_USER_ERRORS = {
    "collectdesk.domain.errors": "InputError",
    "collectdesk.settings": "ConfigError",
    "collectdesk.store.database": "DatabaseError",
    "collectdesk.store.secrets": "SecretError",
}


def _user_errors() -> tuple[type[BaseException], ...]:
    loaded = (getattr(sys.modules[name], error) for name, error in _USER_ERRORS.items() if name in sys.modules)
    return tuple(loaded)
