"""A large, plain invoices or payments file shaped and checked as it is read, a chunk of rows at a
time: only the good rows of one chunk, the errors and what is known of each customer are held.

A file is plain when nothing about one row depends on the rest of the file: no line items to sum,
no names to resolve into customers, no dates whose day/month order other rows decide. Anything
else raises :class:`NotPlain`, and the whole-file path (``shaping``) imports it instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from sqlalchemy.orm import Session

from collectdesk.services.importing.headers import ColumnMap
from collectdesk.services.importing.layout import TOTAL_ROW as _TOTAL
from collectdesk.services.importing.layout import is_data_row
from collectdesk.services.importing.lookups import customer_facts
from collectdesk.services.importing.naming import by_name, folded
from collectdesk.services.importing.plainfile import NotPlain, PlainFile
from collectdesk.services.importing.report import RowError
from collectdesk.services.importing.rows import CustomerFacts, RowContext, invoice_check, payment_check
from collectdesk.services.importing.shaping import Options, Shaper, SourceRow
from collectdesk.services.importing.sources import Sheet
from collectdesk.services.importing.validation import Progress
from collectdesk.services.importing.values import date_readings

CHUNK = 10_000
# What find_heading_row looks through for the heading row.
_HEAD_ROWS = 30
_PLAIN_FIELDS = {
    "invoices": {"customer_ref", "number", "issue_date", "due_date", "amount", "currency", "open_amount"},
    "payments": {"customer_ref", "amount", "received_on", "invoice_number", "method", "reference"},
}
_REQUIRED_HERE = {"invoices": {"customer_ref", "due_date"}, "payments": {"customer_ref"}}
_DATES = ("issue_date", "due_date", "received_on")
_AMOUNTS = ("amount", "open_amount")
_PLAIN_AMOUNT = re.compile(r"^[0-9]{1,15}(?:[.][0-9]{1,2})?$")
_CHECKS = {"invoices": invoice_check, "payments": payment_check}


class RowStream:
    """The rows of a plain file, shaped as ``shaping`` would and checked as the importers would."""

    def __init__(self, session: Session, kind: str, path: Any, file: str, options: Options, today: Any) -> None:
        if kind not in _PLAIN_FIELDS or options.encoding or options.sheet:
            raise NotPlain
        self.session = session
        self.kind = kind
        self.file = file
        self.options = options
        self.plain = PlainFile(path)
        self.shaper = Shaper(Sheet(file, self.plain.encoding, []), kind, options)
        self.customers: dict[str, CustomerFacts] = {}
        self._unknown: set[str] = set()
        self.check_errors: list[RowError] = []
        self.source_rows = 0
        self.checked = 0
        self._today = today
        try:
            self._open()
        except BaseException:
            self.plain.close()
            raise

    def _open(self) -> None:
        rows = self.plain.rows()
        head = list(islice(rows, self.options.skip_rows + _HEAD_ROWS))[self.options.skip_rows :]
        if len(head) < 2:
            raise NotPlain  # empty, or only a heading: the whole-file path says so
        shaper = self.shaper
        layout = shaper.layout(head)
        fields = set(layout.mapped.positions)
        if (
            shaper.line_items
            or layout.profile.ledger
            or layout.profile.repeated_payments
            or not fields <= _PLAIN_FIELDS[self.kind]
            or not _REQUIRED_HERE[self.kind] <= fields
        ):
            raise NotPlain
        self.layout = layout
        self.fields = shaper.output_fields(fields)
        shaper.missing(self.fields, layout.heading_line, layout.mapped.headings)
        if shaper.header_errors:
            raise NotPlain
        self.columns = ColumnMap(
            {f: i for i, f in enumerate(self.fields)},
            {f: layout.mapped.headings.get(f, f) for f in self.fields},
            layout.mapped.ignored,
        )
        self.order = self.options.date_format or layout.profile.date_order
        self._rows = chain(head[layout.start + 1 :], rows)
        self._estimate = max(self.plain.lines() - layout.heading_line, 0)

    def close(self) -> None:
        """Close the file."""
        self.plain.close()

    def chunks(self, progress: Progress | None) -> Iterator[list[tuple[int, Any]]]:
        """The good rows (with their file line), a chunk at a time; the bad rows' problems gather in
        :attr:`check_errors` and the shaper's ``errors``."""
        check = _CHECKS[self.kind](self.columns.positions, RowContext(customers=self.customers, today=self._today))
        positions = [self.layout.mapped.positions[f] for f in self.fields]
        width = len([h for h in self.layout.headings if h])
        ref_at = self.fields.index("customer_ref")
        dates = [i for i, f in enumerate(self.fields) if f in _DATES]
        amounts = [i for i, f in enumerate(self.fields) if f in _AMOUNTS]
        pattern = bool(self.order and "%" in self.order)
        due_at = self.fields.index("due_date") if "due_date" in self.fields else None
        issue_at = self.fields.index("issue_date") if "issue_date" in self.fields else 0
        refunds: list[Decimal] = []
        seen: Counter[tuple[tuple[str, str], ...]] = Counter()
        group: str | None = None
        skipped = 0
        headings = self.columns.headings
        file = self.file
        reach = max(positions) + 1
        match_amount = _PLAIN_AMOUNT.match
        while batch := list(islice(self._rows, CHUNK)):
            self.source_rows += len(batch)
            shaped: list[tuple[int, list[str], list[str], bool]] = []
            for line, cells in batch:
                # The usual row: its first two cells filled (neither blank nor a group heading).
                first = cells[0].strip() if len(cells) > 1 else ""
                if not (first and cells[1].strip() and not _TOTAL.match(first)):
                    data, opens = is_data_row(cells, width)
                    if not data:
                        group = opens or group
                        skipped += 1
                        continue
                size = len(cells)
                out = (
                    [cells[p].strip() for p in positions]
                    if size >= reach
                    else [cells[p].strip() if p < size else "" for p in positions]
                )
                if not out[ref_at] and group:
                    raise NotPlain  # the group heading names the customer
                if due_at is not None and not out[due_at] and out[issue_at]:
                    raise NotPlain  # the due date comes from the customer's terms
                fast = not pattern
                if fast:
                    for i in dates:
                        text = out[i]
                        if text and (len(text) != 10 or text[4] != "-" or text[7] != "-"):
                            fast = False
                    for i in amounts:
                        if out[i] and not match_amount(out[i]):
                            fast = False
                if not fast:
                    kept = self._shaped(line, cells, positions, group, refunds, seen)
                    if kept is None:
                        continue
                    out = kept
                shaped.append((line, cells, out, fast))
            self._know(shaped, ref_at)
            good: list[tuple[int, Any]] = []
            if progress is not None:
                progress("checking", self.checked, max(self._estimate, self.checked + len(shaped)))
            self.checked += len(shaped)
            for line, cells, out, fast in shaped:
                row, problems = check(out)
                if problems and fast:
                    # What the shaping says about a cell comes first: shape this row the long way.
                    redone = self._shaped(line, cells, positions, group, refunds, seen)
                    if redone is None:
                        continue
                    row, problems = check(redone)
                if row is not None:
                    good.append((line, row))
                for column, message in problems:
                    self.check_errors.append(RowError(file, line, headings.get(column, column), message))
            yield good
        if progress is not None:
            progress("checking", self.checked, self.checked)
        if skipped:
            self.shaper.notes.append(f"{skipped} group, subtotal or total row{'s' if skipped > 1 else ''} skipped")
        self.shaper.note_refunds(refunds)

    def _shaped(
        self,
        line: int,
        cells: list[str],
        positions: list[int],
        group: str | None,
        refunds: list[Decimal],
        seen: Counter[tuple[tuple[str, str], ...]],
    ) -> list[str] | None:
        """One row shaped as ``shaping`` does it (``None`` when it is not a row to import)."""
        size = len(cells)
        values = {f: cells[p].strip() if p < size else "" for f, p in zip(self.fields, positions, strict=True)}
        if self.order is None:
            for name in _DATES:
                text = values.get(name, "")
                readings = date_readings(text) if text else None
                if readings is not None and bool(readings[0]) != bool(readings[1]):
                    raise NotPlain  # this date would tell the order of every other row's dates
        row = SourceRow(line, values, group)
        self.shaper.clean(row, self.order, self.layout.mapped.headings)
        if self.kind == "payments" and not self.shaper.payment_kept(row, self.layout.profile, refunds, seen):
            return None
        if row.values.get("customer_name"):
            raise NotPlain
        return [row.values.get(f, "") for f in self.fields]

    def _know(self, shaped: list[tuple[int, list[str], list[str], bool]], ref_at: int) -> None:
        """Look up the customers this chunk names that are not known yet."""
        refs = {" ".join(out[ref_at].split()) for _, _, out, _ in shaped}
        refs -= self.customers.keys()
        refs -= self._unknown
        refs.discard("")
        if not refs:
            return
        found = customer_facts(self.session, refs)
        self.customers.update(found)
        missing = refs - found.keys()
        if missing and by_name(self.session, {folded(ref) for ref in missing}):
            raise NotPlain  # refs that are customers' names: the whole-file path links them
        self._unknown |= missing
