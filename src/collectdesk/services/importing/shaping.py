"""From a sheet as exported to rows the importers read: fields named, values made plain, line
items summed into invoices, drafts and credit notes set aside, unusable values turned into warnings."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from collectdesk.services.importing.headers import REQUIRED, ColumnMap
from collectdesk.services.importing.layout import Columns, find_heading_row, heading_kind, is_data_row, map_columns
from collectdesk.services.importing.profiles import PROFILES, Profile, detect_profile, heading_table
from collectdesk.services.importing.reading import RawTable
from collectdesk.services.importing.report import RowError
from collectdesk.services.importing.rows import email_problem, phone_e164
from collectdesk.services.importing.sources import Sheet
from collectdesk.services.importing.values import (
    DateAmbiguous,
    country_code,
    date_readings,
    parse_date,
    parse_money,
    plain_amount,
    terms_days,
)

_DATE_FIELDS = ("issue_date", "due_date", "received_on")
_NOT_CHASED = {"draft", "void", "voided", "deleted", "cancelled", "canceled"}
_PAID = {"paid", "closed", "fully paid", "fully_paid"}
_CREDIT_TYPES = {"credit note", "credit memo", "sales credit note", "accreccredit", "credit", "sc", "creditnote"}
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Options:
    """What the user said about the file on the command line (or in a mapping file)."""

    source: str | None = None
    date_format: str | None = None
    strict: bool = False
    encoding: str | None = None
    sheet: str | None = None
    skip_rows: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # field → heading, from a mapping file


@dataclass
class Shaped:
    """Rows in the importers' fields, with where each came from and what the reader had to say."""

    table: RawTable
    columns: ColumnMap
    profile: Profile
    detected: bool
    source_rows: int
    notes: list[str] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    header_errors: list[RowError] = field(default_factory=list)
    encoding: str = ""


# Most cells of a large export are already plain: an ISO date, an amount such as 1234.50. They are
# left as they are, which is what the general parsers would make of them.
_PLAIN_AMOUNT = re.compile(r"^[0-9]{1,15}(?:[.][0-9]{1,2})?$")


def _is_iso_date(text: str) -> bool:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


class Layout(NamedTuple):
    """Where the headings are and what they map to."""

    start: int
    heading_line: int
    headings: list[str]
    profile: Profile
    detected: bool
    mapped: Columns


class SourceRow:
    """One source row being shaped: its values by field and the problems found in it."""

    __slots__ = ("group", "line", "values")

    def __init__(self, line: int, values: dict[str, str], group: str | None) -> None:
        self.line = line
        self.values = values
        self.group = group


def _choose_profile(options: Options, headings: list[str]) -> tuple[Profile, bool]:
    if options.source:
        return PROFILES[options.source], False
    found = detect_profile(headings)
    return (found, True) if found else (PROFILES["generic"], False)


def _date_order(rows: list[SourceRow], order: str | None) -> tuple[str | None, str | None]:
    """The order numeric dates are in: as given, or as the file's unambiguous dates show."""
    if order:
        return order, None
    evidence: dict[str, tuple[int, str]] = {}
    for row in rows:
        if len(evidence) == 2:
            break
        for name in _DATE_FIELDS:
            text = row.values.get(name, "")
            readings = date_readings(text) if text and not _is_iso_date(text) else None
            if readings is None:
                continue
            day_first, month_first = readings
            if day_first and not month_first:
                evidence.setdefault("DMY", (row.line, text))
            elif month_first and not day_first:
                evidence.setdefault("MDY", (row.line, text))
    if len(evidence) == 1:
        ((found, (line, text)),) = evidence.items()
        words = "day/month/year" if found == "DMY" else "month/day/year"
        return found, f"dates read as {words} (line {line} has {text})"
    return None, None


class Shaper:
    """Shapes one file of one kind; collects errors, warnings and notes as it goes."""

    def __init__(self, sheet: Sheet, kind: str, options: Options) -> None:
        self.sheet = sheet
        self.kind = kind
        self.options = options
        self.file = sheet.file
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []
        self.notes: list[str] = []
        self.repeated = False
        self.first_line_wins = False
        self.line_items = False
        self.header_errors: list[RowError] = []

    def _problem(self, line: int, heading: str | None, message: str) -> None:
        """An unusable value: a warning, or under ``--strict`` a reason to refuse the file."""
        target = self.errors if self.options.strict else self.warnings
        target.append(RowError(self.file, line, heading, message))

    def layout(self, rows: list[tuple[int, list[str]]]) -> Layout:
        """Find the heading row among the first ``rows`` (after any skipped) and map its columns."""
        start = 0 if self.options.columns else find_heading_row(Sheet(self.file, "", rows), self.kind)
        heading_line, headings = rows[start]
        headings = [h.strip() for h in headings]
        profile, detected = _choose_profile(self.options, headings)
        self.repeated = profile.repeated_payments
        self.first_line_wins = profile.first_line_wins
        table = heading_table(heading_kind(self.kind), profile)
        if self.options.columns:
            from collectdesk.services.importing.headers import normalise_heading

            table = {normalise_heading(h): (f, 0) for f, h in self.options.columns.items()} | table
        mapped = map_columns(headings, table, self.file, heading_line, known_layout=profile.name != "generic")
        self.header_errors += mapped.errors
        self.line_items = bool({"line_amount", "quantity", "unit_price"} & set(mapped.positions))
        self.notes += mapped.notes
        if start:
            self.notes.append(f"{start} title row{'s' if start > 1 else ''} above the headings skipped")
        return Layout(start, heading_line, headings, profile, detected, mapped)

    def shape(self) -> Shaped:
        """Run every step and return the shaped rows."""
        rows = self.sheet.rows[self.options.skip_rows :]
        start, heading_line, headings, profile, detected, mapped = self.layout(rows)
        source_rows = len(rows) - start - 1
        body = self._body(rows[start + 1 :], headings, mapped.positions, profile)
        # The sheet's rows are not needed any more: let them go before the next copy is made.
        del rows
        self.sheet.rows.clear()
        order, said = _date_order(body, self.options.date_format or profile.date_order)
        if said:
            self.notes.append(said)
        for row in body:
            self.clean(row, order, mapped.headings)
        fields = set(mapped.positions)
        if self.kind in ("invoices", "aging"):
            body = self._invoices(body, mapped.headings)
        elif self.kind == "payments":
            body = self._payments(body, profile)
        out_fields = self.output_fields(fields)
        shaped_rows: list[tuple[int, list[str]]] = []
        body.reverse()
        while body:  # each source row is let go as its shaped row is made
            row = body.pop()
            shaped_rows.append((row.line, [row.values.get(f, "") for f in out_fields]))
        headings_out = {f: mapped.headings.get(f, f) for f in out_fields}
        self.missing(out_fields, heading_line, mapped.headings)
        column_map = ColumnMap({f: i for i, f in enumerate(out_fields)}, headings_out, mapped.ignored)
        return Shaped(
            table=RawTable(self.file, out_fields, shaped_rows),
            columns=column_map,
            profile=profile,
            detected=detected,
            source_rows=source_rows,
            notes=self.notes,
            warnings=self.warnings,
            errors=self.errors,
            header_errors=self.header_errors,
        )

    def _body(
        self, rows: list[tuple[int, list[str]]], headings: list[str], positions: dict[str, int], profile: Profile
    ) -> list[SourceRow]:
        """The data rows (group, subtotal and total rows left out) with their fields picked out."""
        width = len([h for h in headings if h])
        ledger = self._ledger_filter(headings) if profile.ledger else None
        body: list[SourceRow] = []
        group: str | None = None
        skipped = 0
        for line, cells in rows:
            data, opens = is_data_row(cells, width)
            if not data:
                group = opens or group
                skipped += 1
                continue
            if ledger is not None and not ledger(cells):
                continue
            values = {f: cells[p].strip() if p < len(cells) else "" for f, p in positions.items()}
            body.append(SourceRow(line, values, group))
        if skipped:
            self.notes.append(f"{skipped} group, subtotal or total row{'s' if skipped > 1 else ''} skipped")
        return body

    def _ledger_filter(self, headings: list[str]) -> Any:
        """For a general-ledger export: keep only the Accounts Receivable lines of this kind."""
        from collectdesk.services.importing.headers import normalise_heading

        keys = [normalise_heading(h) for h in headings]
        account = keys.index("accountname") if "accountname" in keys else None
        described = keys.index("transactiondescription") if "transactiondescription" in keys else None
        if account is None or described is None:
            return None
        wants_payments = self.kind == "payments"
        total = 0

        def keep(cells: list[str]) -> bool:
            nonlocal total
            total += 1
            if cells[account].strip().lower() != "accounts receivable":
                return False
            return (cells[described].strip().lower() == "invoice payment") == wants_payments

        self.notes.append("general-ledger export: only its Accounts Receivable lines are read")
        return keep

    def clean(self, row: SourceRow, order: str | None, headings: dict[str, str]) -> None:
        """Dates to ISO, amounts to plain numbers, countries to codes, terms to days, bad contact details out."""
        values = row.values
        pattern = bool(order and "%" in order)
        for name in _DATE_FIELDS:
            text = values.get(name, "")
            if text:
                if not pattern and _is_iso_date(text):
                    continue
                try:
                    values[name] = parse_date(text, order).isoformat()
                except DateAmbiguous as exc:
                    self.errors.append(RowError(self.file, row.line, headings.get(name, name), str(exc)))
                except ValueError as exc:
                    self.errors.append(RowError(self.file, row.line, headings.get(name, name), str(exc)))
        for name in ("amount", "line_amount", "open_amount", "paid_amount", "quantity", "unit_price"):
            text = values.get(name, "")
            if text and not _PLAIN_AMOUNT.match(text):
                try:
                    values[name] = str(parse_money(text))
                except ValueError as exc:
                    self.errors.append(RowError(self.file, row.line, headings.get(name, name), str(exc)))
        if values.get("country"):
            # A country nobody knows stays as written: the row check refuses it (calling rules depend on it).
            values["country"] = country_code(values["country"]) or values["country"]
        self._terms(row, headings)
        if self.kind == "customers":
            self._contact_details(row, headings)
            street = ", ".join(v for v in (values.pop("address_street", ""), values.pop("address_street2", "")) if v)
            if street:
                values["address_street"] = street

    def _terms(self, row: SourceRow, headings: dict[str, str]) -> None:
        values = row.values
        day, rule = values.pop("terms_day", ""), values.pop("terms_rule", "").lower().replace(" ", "")
        if day and not values.get("terms_days"):
            if rule in ("daysafter", "daysafterbilldate", "ofthefollowingmonth") or not rule:
                values["terms_days"] = day if rule != "ofthefollowingmonth" else ""
            if rule not in ("", "daysafter", "daysafterbilldate"):
                message = f"terms {day} {rule!r} are not a number of days; the default terms are used"
                self._problem(row.line, headings.get("terms_rule"), message)
        text = values.get("terms_days", "")
        if text:
            days = terms_days(text)
            if days is None:
                message = f"{text!r} is not payment terms (e.g. 30, Net 30, Due on receipt); left out"
                self._problem(row.line, headings.get("terms_days"), message)
                values["terms_days"] = ""
            else:
                values["terms_days"] = str(days)

    def _contact_details(self, row: SourceRow, headings: dict[str, str]) -> None:
        values = row.values
        phone2 = values.pop("phone2", "")
        if not values.get("phone") and phone2:
            values["phone"] = phone2
            headings.setdefault("phone", headings.get("phone2", "phone"))
        email = values.get("email", "")
        if email and (problem := email_problem(email)):
            self._problem(row.line, headings.get("email"), f"{problem}; left out")
            values["email"] = ""
        phone = values.get("phone", "")
        if phone:
            try:
                phone_e164(phone, values.get("country") or "US")
            except ValueError as exc:
                if self.options.strict:
                    self.errors.append(RowError(self.file, row.line, headings.get("phone"), str(exc)))
                else:
                    self.warnings.append(RowError(self.file, row.line, headings.get("phone"), f"{exc}; left out"))
                    values["phone"] = ""

    def _invoices(self, body: list[SourceRow], headings: dict[str, str]) -> list[SourceRow]:
        """Drafts, voids and credit notes set aside; line items summed into one row per invoice."""
        aside: Counter[str] = Counter()
        kept: list[SourceRow] = []
        for row in body:
            status = row.values.get("status", "").strip().lower()
            kind = row.values.get("type", "").strip().lower()
            if status in _NOT_CHASED:
                aside[status] += 1
                continue
            if kind in _CREDIT_TYPES or kind.startswith("payment") or kind.startswith("credit"):
                aside[kind or "credit"] += 1
                continue
            if kind and kind not in ("invoice", "sales invoice", "accrec", "si", "tax invoice", "bill"):
                aside[kind] += 1
                continue
            if not row.values.get("customer_ref") and not row.values.get("customer_name") and row.group:
                row.values["customer_name"] = row.group
            kept.append(row)
        if aside:
            listed = ", ".join(f"{count} {what}" for what, count in sorted(aside.items()))
            self.notes.append(f"rows not imported as invoices to chase: {listed}")
        if not self.line_items:
            return kept
        groups: dict[tuple[str, str], list[SourceRow]] = defaultdict(list)
        order: list[tuple[str, str]] = []
        for row in kept:
            who = row.values.get("customer_ref") or " ".join(row.values.get("customer_name", "").lower().split())
            key = (who, row.values.get("number", ""))
            if key not in groups or not key[1]:
                order.append(key)
            groups[key].append(row)
        merged = [self._invoice(groups[key], headings) for key in dict.fromkeys(order)]
        invoices = [row for row in merged if row is not None]
        if len(invoices) < len(kept):
            self.notes.append(f"{len(kept)} line rows summed into {len(invoices)} invoices")
        return invoices

    def _agree(self, rows: list[SourceRow], name: str, headings: dict[str, str]) -> str:
        first = rows[0].values.get(name, "")
        for row in rows[1:]:
            value = row.values.get(name, "")
            if value != first:
                number = rows[0].values.get("number")
                if self.first_line_wins:
                    message = (
                        f"differs from line {rows[0].line} of invoice {number!r}; that first line's {first} is used"
                    )
                    self._problem(row.line, headings.get(name, name), message)
                    continue
                message = (
                    f"line {rows[0].line} and this line are parts of invoice {number!r} "
                    f"but differ here ({first!r} and {value!r})"
                )
                self.errors.append(RowError(self.file, row.line, headings.get(name, name), message))
        return first

    def _invoice(self, rows: list[SourceRow], headings: dict[str, str]) -> SourceRow | None:
        """One invoice from its line rows: invoice-level values must agree, line amounts are summed."""
        head = rows[0]
        values = dict(head.values)
        for name in ("issue_date", "due_date", "amount", "open_amount", "paid_amount", "currency"):
            if name in values:
                values[name] = self._agree(rows, name, headings)
        if self.kind == "aging" and not values.get("amount") and values.get("open_amount"):
            values["amount"] = values["open_amount"]
        total: Decimal | None = Decimal(values["amount"]) if values.get("amount") else None
        if total is None:
            lines: list[Decimal] = []
            for row in rows:
                if row.values.get("line_amount"):
                    lines.append(Decimal(row.values["line_amount"]))
                elif row.values.get("quantity") and row.values.get("unit_price"):
                    product = Decimal(row.values["quantity"]) * Decimal(row.values["unit_price"])
                    lines.append(product.quantize(_CENT, rounding=ROUND_HALF_UP))
            total = sum(lines, Decimal(0)) if lines else None
        if total is None:
            return SourceRow(head.line, values, head.group)
        if total < 0:
            self.notes.append(
                f"invoice {values.get('number')!r} (line {head.line}) is a credit of {-total}; not imported"
            )
            return None
        values["amount"] = plain_amount(total)
        if self.kind == "aging" and not values.get("open_amount"):
            values["open_amount"] = values["amount"]
        open_text, paid_text = values.pop("open_amount", ""), values.pop("paid_amount", "")
        if head.values.get("status", "").strip().lower() in _PAID:
            values["open_amount"] = "0"
        elif open_text:
            values["open_amount"] = plain_amount(Decimal(open_text))
        elif paid_text:
            values["open_amount"] = plain_amount(max(total - Decimal(paid_text), Decimal(0)))
        if values.get("due_date") and values.get("issue_date") and values["due_date"] < values["issue_date"]:
            message = (
                f"due date {values['due_date']} is before the issue date {values['issue_date']}; "
                "taken as due on the issue date"
            )
            self._problem(head.line, headings.get("due_date"), message)
            values["due_date"] = values["issue_date"]
        return SourceRow(head.line, values, head.group)

    def _payments(self, body: list[SourceRow], profile: Profile) -> list[SourceRow]:
        """Refunds set aside; repeated identical payments kept apart where the system repeats them."""
        refunds: list[Decimal] = []
        seen: Counter[tuple[tuple[str, str], ...]] = Counter()
        kept = [row for row in body if self.payment_kept(row, profile, refunds, seen)]
        self.note_refunds(refunds)
        return kept

    def payment_kept(
        self, row: SourceRow, profile: Profile, refunds: list[Decimal], seen: Counter[tuple[tuple[str, str], ...]]
    ) -> bool:
        """Whether a payments row is a payment (a refund is counted in ``refunds`` instead)."""
        text = row.values.get("amount", "")
        if profile.ledger and text:
            row.values["amount"] = str(-Decimal(text))
            text = row.values["amount"]
        if not row.values.get("customer_ref") and not row.values.get("customer_name") and row.group:
            row.values["customer_name"] = row.group
        if text and Decimal(text) < 0:
            refunds.append(-Decimal(text))
            return False
        if profile.repeated_payments:
            key = tuple(sorted(row.values.items()))
            seen[key] += 1
            row.values["occurrence"] = str(seen[key])
        return True

    def note_refunds(self, refunds: list[Decimal]) -> None:
        """The note on refunds set aside, if any."""
        if refunds:
            self.notes.append(
                f"{len(refunds)} refund{'s' if len(refunds) > 1 else ''} (money paid back, "
                f"{plain_amount(sum(refunds, Decimal(0)))} in all) not imported as payments"
            )

    def output_fields(self, fields: set[str]) -> list[str]:
        drop = {"line_amount", "quantity", "unit_price", "paid_amount", "type", "status", "terms_day", "terms_rule"}
        drop |= {"phone2", "address_street2"}
        out = [f for f in fields if f not in drop]
        if self.kind in ("invoices", "aging") and ({"line_amount", "quantity"} & fields or "paid_amount" in fields):
            out += [f for f in ("amount", "open_amount") if f not in out]
        if "status" in fields and self.kind in ("invoices", "aging"):
            out += [f for f in ("open_amount",) if f not in out]
        if self.kind == "invoices" and "due_date" not in out:
            out.append("due_date")
        if self.kind == "customers" and "phone2" in fields and "phone" not in out:
            out.append("phone")
        if self.kind == "customers" and "address_street2" in fields and "address_street" not in out:
            out.append("address_street")
        if self.kind == "payments" and self.repeated:
            out.append("occurrence")
        if self.kind == "aging":
            out += [f for f in ("amount", "open_amount", "due_date") if f not in out]
        return sorted(set(out), key=lambda name: _FIELD_ORDER.get(name, len(_FIELD_ORDER)))

    def missing(self, fields: list[str], line: int, headings: dict[str, str]) -> None:
        """A required field that no heading feeds (a customer may be named by ref or by name)."""
        from collectdesk.services.importing.headers import ALIASES

        kind = heading_kind(self.kind)
        for name in REQUIRED.get(kind, ()):
            if name in fields:
                continue
            if name == "customer_ref" and "customer_name" in fields:
                continue
            if name == "ref" and "name" in fields:
                continue
            if name == "due_date":
                continue
            accepted = ", ".join(ALIASES[kind][name][:4])
            message = f"missing required column {name!r} (also accepted: {accepted}, …)"
            self.header_errors.append(RowError(self.file, line, None, message))


_FIELD_ORDER: dict[str, int] = {
    name: index
    for index, name in enumerate(
        [
            "ref",
            "customer_ref",
            "customer_name",
            "customer_email",
            "name",
            "kind",
            "number",
            "issue_date",
            "due_date",
            "terms_days",
            "received_on",
            "amount",
            "open_amount",
            "invoice_number",
            "method",
            "reference",
            "occurrence",
            "country",
            "currency",
            "phone",
            "email",
            "timezone",
            "collector",
            "sales_rep",
            "do_not_call",
            "role",
            "address_street",
            "address_city",
            "address_region",
            "address_postal_code",
        ]
    )
}


def shape(sheet: Sheet, kind: str, options: Options) -> Shaped:
    """Shape a sheet of ``kind`` (customers, contacts, invoices, payments or aging); the sheet's rows
    are used up (a million-row file is not held twice)."""
    return Shaper(sheet, kind, options).shape()
