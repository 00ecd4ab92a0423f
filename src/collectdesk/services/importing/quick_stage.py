"""The usual well-formed rows of a large plain file checked and staged in SQL (SQLite), a chunk at a
time: what the row checks' quick path accepts, accepted the same way, so that Python looks only at
the rest.

The SQL is deliberately narrower than the checks (printable ASCII, no spaces to trim, ISO dates,
plain amounts in a currency with cents): any row it does not take is checked in Python as before,
so a rule it leaves out costs time, never a wrong row.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Table

from collectdesk.domain.money import minor_digits
from collectdesk.services.importing.rows import CustomerFacts
from collectdesk.store.import_stage import create_stage, drop_stage, stage_table

_ISO_CODE = re.compile(r"^[A-Z]{3}$")
_TEXT_LIMITS = {"customer_ref": 64, "number": 64, "invoice_number": 64, "method": 40, "reference": 100}


def _plain(value: str, limit: int) -> str:
    """SQL: ``value`` is 1…``limit`` printable ASCII characters, single-spaced, nothing to trim."""
    # Most values have no space at all: the first test settles them.
    return (
        f"length({value}) BETWEEN 1 AND {limit} AND ({value} NOT GLOB '*[^!-~]*' OR ({value} NOT GLOB '*[^ -~]*' "
        f"AND instr({value}, '  ') = 0 AND substr({value}, 1, 1) != ' ' AND substr({value}, -1) != ' '))"
    )


def _iso_day(value: str) -> str:
    """SQL: ``value`` is a real day written ``YYYY-MM-DD``: ``date()`` writes every day it reads that
    way and rolls 30 February over, so only such a day comes back unchanged."""
    return f"date({value}, '+0 days') = {value} AND {value} >= '0001-01-01'"


def _plain_amount(value: str) -> str:
    """SQL: ``value`` is up to 15 digits, optionally a point and one or two more."""
    point = f"instr({value}, '.')"
    return (
        f"{value} GLOB '[0-9]*' AND {value} NOT GLOB '*[^0-9.]*' AND CASE {point} WHEN 0 THEN length({value}) <= 15 "
        f"ELSE {point} <= 16 AND length({value}) - {point} IN (1, 2) "
        f"AND instr(substr({value}, {point} + 1), '.') = 0 END"
    )


def _minor(value: str) -> str:
    """SQL: a plain amount (see :func:`_plain_amount`) in cents."""
    point = f"instr({value}, '.')"
    return (
        f"CAST(CASE WHEN {point} = 0 THEN {value} || '00' WHEN length({value}) - {point} = 1 "
        f"THEN replace({value}, '.', '') || '0' ELSE replace({value}, '.', '') END AS INTEGER)"
    )


def _optional_text(value: str, limit: int) -> str:
    return f"({value} = '' OR {_plain(value, limit)})"


class QuickStage:
    """Moves a chunk's usual rows (their cells in ``fields`` order, after the line) into ``stage``."""

    def __init__(self, connection: Connection, kind: str, fields: Sequence[str], stage: Table, today: date | None):
        self.connection = connection
        self.stage = stage
        self.raw = stage_table(f"{stage.name}_raw{len(fields)}", [(f"c{i}", "text") for i in range(len(fields))])
        create_stage(connection, self.raw)
        cells = {field: f"r.c{i}" for i, field in enumerate(fields)}
        currencies = [
            code
            for (code,) in connection.exec_driver_sql("SELECT DISTINCT currency FROM customers")
            if _ISO_CODE.match(code) and minor_digits(code) == 2
        ]
        cents = ", ".join(f"'{code}'" for code in currencies) or "NULL"
        ref = cells["customer_ref"]
        where = [_plain(ref, 64), f"cu.currency IN ({cents})"]
        if kind == "invoices":
            columns, values = self._invoices(cells, where)
        else:
            columns, values = self._payments(cells, where, today)
        self._insert = (
            f"INSERT INTO {stage.name} ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM {self.raw.name} r JOIN customers cu ON cu.ref = {ref} WHERE {' AND '.join(where)}"
        )
        self._marks = ", ".join("?" for _ in range(len(fields) + 1))
        self._left = (
            f"SELECT * FROM {self.raw.name} r WHERE NOT EXISTS "
            f"(SELECT 1 FROM {stage.name} s WHERE s.line = r.line) ORDER BY r.line"
        )

    @staticmethod
    def _invoices(cells: dict[str, str], where: list[str]) -> tuple[list[str], list[str]]:
        number, issue, due, amount = (cells[f] for f in ("number", "issue_date", "due_date", "amount"))
        where += [_plain(number, 64), _iso_day(issue), _iso_day(due), f"{due} >= {issue}", _plain_amount(amount)]
        if "currency" in cells:
            where.append(f"({cells['currency']} = '' OR {cells['currency']} = cu.currency)")
        if "open_amount" in cells:
            where.append(f"{cells['open_amount']} = ''")
        columns = ["line", "customer_id", "number", "issue_date", "due_date", "amount", "open_given", "currency"]
        values = ["r.line", "cu.id", number, issue, due, _minor(amount), "NULL", "cu.currency"]
        columns.append("stored")
        values.append("0")
        return columns, values

    @staticmethod
    def _payments(cells: dict[str, str], where: list[str], today: date | None) -> tuple[list[str], list[str]]:
        received, amount = cells["received_on"], cells["amount"]
        minor = _minor(amount)
        where += [_iso_day(received), _plain_amount(amount), f"{minor} > 0"]
        if today is not None:
            where.append(f"{received} <= '{today.isoformat()}'")
        texts = []
        for name in ("invoice_number", "method", "reference"):
            if name in cells:
                where.append(_optional_text(cells[name], _TEXT_LIMITS[name]))
                texts.append(f"NULLIF({cells[name]}, '')")
            else:
                texts.append("NULL")
        key = " || '|' || ".join(
            [
                cells["customer_ref"],
                received,
                f"CAST({minor} AS TEXT)",
                cells.get("reference", "''"),
                cells.get("invoice_number", "''"),
            ]
        )
        columns = ["line", "customer_id", "amount", "currency", "received_on", "invoice_number", "method"]
        columns += ["reference", "import_key", "new"]
        values = ["r.line", "cu.id", minor, "cu.currency", received, *texts, key, "1"]
        return columns, values

    def move(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Stage the rows (line, then cells) the SQL accepts; give back the others, in line order."""
        if not rows:
            return []
        cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(f"INSERT INTO {self.raw.name} VALUES ({self._marks})", rows)
            moved = cursor.execute(self._insert).rowcount
            left = [] if moved == len(rows) else cursor.execute(self._left).fetchall()
            cursor.execute(f"DELETE FROM {self.raw.name}")
        finally:
            cursor.close()
        return left

    def customers(self) -> dict[str, CustomerFacts]:
        """The customers of every staged row, by ref."""
        query = (
            f"SELECT cu.ref, cu.id, cu.country, cu.currency FROM customers cu "
            f"WHERE cu.id IN (SELECT DISTINCT customer_id FROM {self.stage.name})"
        )
        found = self.connection.exec_driver_sql(query)
        # Interned: a large file's customers share a handful of countries and currencies.
        return {ref: CustomerFacts(i, sys.intern(country), sys.intern(currency)) for ref, i, country, currency in found}

    def close(self) -> None:
        """Drop the scratch table."""
        drop_stage(self.connection, self.raw)
