"""The command-line contract: every command, option and its help text."""

from __future__ import annotations

import argparse

from collectdesk import __version__

FORMATS = ("table", "csv", "json")
# The accounting systems `import --from` knows (kept in step with services/importing/profiles.py).
IMPORT_SOURCES = (
    "quickbooks",
    "xero",
    "freshbooks",
    "zoho",
    "wave",
    "invoiceninja",
    "invoicely",
    "invoice2go",
    "sage",
    "myob",
    "generic",
)


def _date(text: str) -> str:
    """Accept only ISO dates on the command line (validated again where used)."""
    from collectdesk.domain.dates import DateInputError, parse_iso_date

    try:
        parse_iso_date(text)
    except DateInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``collectdesk`` argument parser with all subcommands."""
    parser = argparse.ArgumentParser(
        prog="collectdesk",
        description="A keyboard-first terminal desk for collecting past-due invoices. With no command, opens the desk.",
    )
    parser.add_argument("--version", action="version", version=f"collectdesk {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (default: COLLECTDESK_DB, the config file, or a SQLite file in the user data directory)",
    )
    parser.add_argument("--user", metavar="NAME", help="who is working (default: the OS user)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sub.add_parser("desk", help="open the collector's desk (the default)")
    sub.add_parser("supervisor", help="open the supervisor view")
    demo = sub.add_parser("demo", help="build a demo database from sample_data/ and open the desk")
    demo.add_argument("--no-open", action="store_true", help="build the demo database only")
    demo.add_argument("--rebuild", action="store_true", help="rebuild it even if it exists")

    imp = sub.add_parser(
        "import",
        help="import customers, contacts, invoices, payments or an aged-receivables report (CSV or .xlsx)",
        description="Import an accounting export, all or nothing. KIND 'aging' reads an A/R aging report "
        "(customers and their open invoices in one step); 'inspect' shows what a file holds and writes nothing.",
    )
    imp.add_argument("kind", choices=("customers", "contacts", "invoices", "payments", "aging", "inspect"))
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    imp.add_argument(
        "--from",
        dest="source",
        choices=IMPORT_SOURCES,
        help="the system the file came from (default: recognised from the headings)",
    )
    imp.add_argument(
        "--date-format", metavar="ORDER", help="how dates are written: DMY, MDY, YMD or a strftime pattern"
    )
    imp.add_argument("--strict", action="store_true", help="refuse the file over unusable phones, emails, …")
    imp.add_argument("--encoding", metavar="NAME", help="the text encoding (default: detected)")
    imp.add_argument("--sheet", metavar="NAME", help="the worksheet of an .xlsx file (default: the first)")
    imp.add_argument("--map", dest="mapping", metavar="MAPPING.toml", help="column → field mapping for any other file")
    imp.add_argument(
        "--as",
        dest="inspect_as",
        choices=("customers", "contacts", "invoices", "payments", "aging"),
        help="with inspect: the kind of file to read it as (default: guessed)",
    )

    work = sub.add_parser("worklist", help="print today's call list, toughest first, with scores")
    work.add_argument("--limit", type=_positive, default=50)
    work.add_argument("--as-of", type=_date, metavar="DATE")
    work.add_argument("--format", choices=FORMATS, default="table")
    work.add_argument("--collector", metavar="NAME", help="only NAME's accounts (supervisors)")

    tally = sub.add_parser("tally", help="the promise tally, activity and receivables health")
    tally.add_argument("--from", dest="date_from", type=_date, metavar="DATE")
    tally.add_argument("--to", dest="date_to", type=_date, metavar="DATE")
    tally.add_argument("--as-of", type=_date, metavar="DATE")
    tally.add_argument("--by", choices=("collector",))
    tally.add_argument("--format", choices=FORMATS, default="table")

    export = sub.add_parser("export", help="export calls, promises or the activity log")
    export.add_argument("what", choices=("calls", "promises", "activity"))
    export.add_argument("--format", choices=("csv", "json"), default="csv")

    promise = sub.add_parser("promise", help="list an account's promises; cancel or replace (renegotiate) one")
    promise_sub = promise.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = promise_sub.add_parser("list", help="every promise of an account, newest first, with its id")
    listing.add_argument("ref", help="the account's reference")
    listing.add_argument("--format", choices=FORMATS, default="table")
    cancel = promise_sub.add_parser("cancel", help="cancel an open (or missed) promise")
    cancel.add_argument("id", type=_positive, help="the promise id (see `promise list`)")
    cancel.add_argument("--reason", required=True, metavar="TEXT", help="why (goes to the activity log)")
    replace = promise_sub.add_parser("replace", help="replace an open (or missed) promise by a new promise or plan")
    replace.add_argument("id", type=_positive, help="the promise id (see `promise list`)")
    replace.add_argument("--amount", required=True, help="the new amount (a plan's total), e.g. 1234.56")
    replace.add_argument("--on", required=True, type=_date, metavar="DATE", help="the new date (a plan's first)")
    replace.add_argument("--instalments", type=_positive, metavar="N", help="a plan of N instalments")
    replace.add_argument("--every", choices=("week", "month"), default="month", help="a plan's instalments")
    replace.add_argument("--method", metavar="TEXT", help="how they will pay")
    replace.add_argument("--reason", required=True, metavar="TEXT", help="why (goes to the activity log)")

    agency = sub.add_parser("agency", help="refer accounts to a collection agency (supervisors), the placement file")
    agency_sub = agency.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, text in (
        ("refer", "refer an account to a collection agency (supervisors)"),
        ("recall", "recall a referred account from the agency (supervisors)"),
    ):
        decide = agency_sub.add_parser(action, help=text)
        decide.add_argument("ref", metavar="REF", help="the account's ref")
        decide.add_argument("--reason", metavar="TEXT", help="why (goes to the activity log)")
    placements = agency_sub.add_parser("placements", help="one row per referred invoice, for the agency")
    placements.add_argument("--format", choices=("csv", "json"), default="csv")

    users = sub.add_parser("users", help="manage users and roles")
    users_sub = users.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = users_sub.add_parser("add", help="add a user (on a team database: their login) or change a user's role")
    add.add_argument("name")
    add.add_argument("--role", choices=("collector", "supervisor"), default="collector")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the new login's first password from standard input"
    )
    set_role = users_sub.add_parser("set-role", help="change a user's role (supervisors)")
    set_role.add_argument("name")
    set_role.add_argument("role", choices=("collector", "supervisor"))
    disable = users_sub.add_parser("disable", help="stop a user from logging in; their history stays (supervisors)")
    disable.add_argument("name")
    users_sub.add_parser("list", help="list users")

    team = sub.add_parser("team", help="set up a team on one PostgreSQL database")
    team_sub = team.add_subparsers(dest="action", metavar="ACTION", required=True)
    team_sub.add_parser(
        "init", help="create the schema, the collector and supervisor group roles and their rights (database owner)"
    )

    assign = sub.add_parser("assign", help="assign accounts to a collector, or set cover for an absent one")
    assign.add_argument("refs", nargs="*", metavar="REF", help="account refs to assign")
    assign.add_argument("--to", dest="to", metavar="NAME|DATE", help="the collector (or, with --cover, the last day)")
    assign.add_argument("--pool", action="store_true", help="put the accounts back in the unassigned pool")
    assign.add_argument("--cover", metavar="ABSENT", help="cover ABSENT's accounts (with --by, --from, --to)")
    assign.add_argument("--by", metavar="SUBSTITUTE", help="who covers (default: you)")
    assign.add_argument("--from", dest="date_from", type=_date, metavar="DATE", help="first day of the cover")
    assign.add_argument("--of", dest="of", metavar="NAME", help="instead of REFs: the accounts of NAME (or: pool)")
    assign.add_argument("--stage", help="instead of REFs: the accounts at this escalation stage")
    assign.add_argument("--country", help="instead of REFs: the accounts in this country (ISO code)")
    assign.add_argument("--min-balance", metavar="AMOUNT", help="instead of REFs: open balance at least AMOUNT")

    calls = sub.add_parser("calls", help="open calls: who is on which account; release one left open")
    calls_sub = calls.add_subparsers(dest="action", metavar="ACTION", required=True)
    calls_sub.add_parser("open", help="list calls started and not closed")
    release = calls_sub.add_parser("release", help="close a call a desk left open, as abandoned (supervisors)")
    release.add_argument("ref", metavar="REF")

    secrets = sub.add_parser("secrets", help="store passwords in the OS keyring")
    secrets_sub = secrets.add_subparsers(dest="action", metavar="ACTION", required=True)
    set_ = secrets_sub.add_parser("set", help="store a secret (asks for it without echo)")
    set_.add_argument("name", choices=("db-password", "mail-password"))
    delete = secrets_sub.add_parser("delete", help="remove a stored secret")
    delete.add_argument("name", choices=("db-password", "mail-password"))
    _add_reminder_commands(sub)
    return parser


def _add_reminder_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    remind = sub.add_parser("remind", help="show the reminders due and why (writes nothing); --send sends them")
    remind.add_argument("--as-of", type=_date, metavar="DATE", help="apply the schedule as of this day")
    remind.add_argument("--send", action="store_true", help="send them (SMTP, or .eml files in the outbox)")
    remind.add_argument("--release", type=_positive, metavar="ID", help="let the next run resend an interrupted one")

    pause = sub.add_parser("pause", help="hold back reminders to an account or one invoice until a date")
    pause.add_argument("ref", metavar="REF")
    pause.add_argument("--invoice", metavar="N", help="pause only this invoice")
    pause.add_argument("--until", type=_date, metavar="DATE", required=True, help="reminders resume on this day")
    pause.add_argument("--reason", metavar="TEXT", required=True)

    optout = sub.add_parser("opt-out", help="an account that refuses email gets no reminders")
    optout.add_argument("ref", metavar="REF")
    optout.add_argument("--reason", metavar="TEXT")
    optout.add_argument("--undo", action="store_true", help="allow email again")

    digest = sub.add_parser("digest", help="the day's call summaries per sales rep / owner")
    digest.add_argument("--date", type=_date, metavar="DATE", help="default: today")
    digest.add_argument("--send", action="store_true", help="email each owner's digest (or write it to the outbox)")
    digest.add_argument("--to", metavar="EMAIL", help="send every digest to this address")
