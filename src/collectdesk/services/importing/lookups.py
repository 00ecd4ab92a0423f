"""Reading what an import needs to know from the database, in slices that suit every backend."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk.services.importing.headers import ColumnMap
from collectdesk.services.importing.reading import RawTable
from collectdesk.services.importing.rows import CustomerFacts
from collectdesk.services.importing.validation import chunks
from collectdesk.store.models import Customer


def refs_in_file(table: RawTable, columns: ColumnMap, column: str = "customer_ref") -> list[str]:
    """The distinct, non-blank customer refs the file mentions."""
    position = columns.positions[column]
    refs = {" ".join(cells[position].split()) for _, cells in table.rows if position < len(cells)}
    refs.discard("")
    return sorted(refs)


def customer_facts(session: Session, refs: Iterable[str]) -> dict[str, CustomerFacts]:
    """Id, country and currency of each existing customer among ``refs``."""
    facts: dict[str, CustomerFacts] = {}
    for part in chunks(list(refs)):
        query = select(Customer.ref, Customer.id, Customer.country, Customer.currency).where(Customer.ref.in_(part))
        for ref, customer_id, country, currency in session.execute(query):
            # Interned: a large file's customers share a handful of countries and currencies.
            facts[ref] = CustomerFacts(customer_id, sys.intern(country), sys.intern(currency))
    return facts
