"""A large, plain invoices or payments file shaped and checked as it is read, a chunk of rows at a
time: only the good rows of one chunk, the errors and what is known of each customer are held.

A file is plain when nothing about one row depends on the rest of the file: no line items to sum,
no names to resolve into customers, no dates whose day/month order other rows decide. Anything
else raises :class:`NotPlain`, and the whole-file path (``shaping``) imports it instead.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from decimal import Decimal
from itertools import chain, islice
from operator import itemgetter
from typing import Any

from sqlalchemy.orm import Session

from collectdesk.services.importing.headers import ColumnMap
from collectdesk.services.importing.layout import TOTAL_ROW as _TOTAL
from collectdesk.services.importing.layout import is_data_row
from collectdesk.services.importing.lookups import customer_facts
from collectdesk.services.importing.naming import by_name, folded
from collectdesk.services.importing.plainfile import NotPlain, PlainFile
from collectdesk.services.importing.quick_stage import QuickStage
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
# A row from the file: line, cells, where each field's cell is, the group heading above it.
_Row = tuple[int, Sequence[str], list[int], str | None]
# A row for Python to check: line, cells, where each field's cell is, the cells in field order,
# whether they need no shaping first, and the group heading above it.
_Shaped = tuple[int, Sequence[str], list[int], list[str], bool, str | None]


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
        self.chunk_lines = (0, 0)
        self.today = today
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

    def chunks(self, progress: Progress | None, quick: QuickStage | None = None) -> Iterator[list[tuple[int, Any]]]:
        """The good rows (with their file line), a chunk at a time; the bad rows' problems gather in
        :attr:`check_errors` and the shaper's ``errors``. With ``quick``, the usual rows are checked
        and staged by it, and only the others come out here (:attr:`chunk_lines` says which lines
        each chunk spans)."""
        check = _CHECKS[self.kind](self.columns.positions, RowContext(customers=self.customers, today=self.today))
        positions = [self.layout.mapped.positions[f] for f in self.fields]
        in_order = list(range(len(positions)))
        width = len([h for h in self.layout.headings if h])
        ref_at = self.fields.index("customer_ref")
        refunds: list[Decimal] = []
        seen: Counter[tuple[tuple[str, str], ...]] = Counter()
        group: str | None = None
        skipped = 0
        headings = self.columns.headings
        file = self.file
        reach = max(positions) + 1
        pick = itemgetter(*positions) if len(positions) > 1 else lambda cells: (cells[positions[0]],)
        while batch := list(islice(self._rows, CHUNK)):
            self.source_rows += len(batch)
            self.chunk_lines = (batch[0][0], batch[-1][0])
            usual: list[tuple[Any, ...]] = []
            rest: list[_Row] = []
            for line, cells in batch:
                # The usual row: its first two cells filled (neither blank nor a group heading).
                first = cells[0].strip() if len(cells) > 1 else ""
                if not (first and cells[1].strip() and not _TOTAL.match(first)):
                    data, opens = is_data_row(cells, width)
                    if not data:
                        group = opens or group
                        skipped += 1
                        continue
                elif quick is not None and group is None and len(cells) >= reach:
                    usual.append((line, *pick(cells)))
                    continue
                rest.append((line, cells, positions, group))
            if quick is not None and usual:
                moved = len(usual)
                left: list[_Row] = [(row[0], row[1:], in_order, None) for row in quick.move(usual)]
                self.checked += moved - len(left)
                rest = sorted(rest + left, key=lambda row: row[0]) if rest else left
            shaped = self._shape(rest, ref_at, refunds, seen)
            self._know(shaped, ref_at)
            good: list[tuple[int, Any]] = []
            if progress is not None:
                progress("checking", self.checked, max(self._estimate, self.checked + len(shaped)))
            self.checked += len(shaped)
            for line, source, cell_at, out, fast, in_group in shaped:
                row, problems = check(out)
                if problems and fast:
                    # What the shaping says about a cell comes first: shape this row the long way.
                    redone = self._shaped(line, source, cell_at, in_group, refunds, seen)
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
        if quick is not None:
            self.customers.update(quick.customers())
        if skipped:
            self.shaper.notes.append(f"{skipped} group, subtotal or total row{'s' if skipped > 1 else ''} skipped")
        self.shaper.note_refunds(refunds)

    def _shape(
        self,
        rows: list[_Row],
        ref_at: int,
        refunds: list[Decimal],
        seen: Counter[tuple[tuple[str, str], ...]],
    ) -> list[_Shaped]:
        """Rows for Python to check: their cells in field order, and whether they are plain enough to
        check before any shaping (``fast``); a row that needs shaping is shaped here."""
        pattern = bool(self.order and "%" in self.order)
        fields = self.fields
        due_at = fields.index("due_date") if "due_date" in fields else None
        issue_at = fields.index("issue_date") if "issue_date" in fields else 0
        dates = [i for i, f in enumerate(fields) if f in _DATES]
        amounts = [i for i, f in enumerate(fields) if f in _AMOUNTS]
        match_amount = _PLAIN_AMOUNT.match
        shaped = []
        for line, cells, positions, group in rows:
            size = len(cells)
            out = [cells[p].strip() if p < size else "" for p in positions]
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
            shaped.append((line, cells, positions, out, fast, group))
        return shaped

    def _shaped(
        self,
        line: int,
        cells: Sequence[str],
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

    def _know(
        self, shaped: list[tuple[int, Sequence[str], list[int], list[str], bool, str | None]], ref_at: int
    ) -> None:
        """Look up the customers this chunk names that are not known yet."""
        refs = {" ".join(out[ref_at].split()) for _, _, _, out, _, _ in shaped}
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
