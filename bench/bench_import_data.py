"""Generated import files for the import benchmark: customers, invoices and payments as CSV."""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

START = date(2025, 1, 1)
TODAY = date(2026, 11, 23)


def write_files(directory: Path, customers: int, invoices: int, payments: int, seed: int = 13) -> dict[str, Path]:
    """Write customers.csv, invoices.csv and payments.csv; payments name invoices and never overpay them."""
    rng = random.Random(seed)
    paths = {kind: directory / f"{kind}.csv" for kind in ("customers", "invoices", "payments")}
    with paths["customers"].open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["ref", "name", "country", "currency", "terms_days"])
        for i in range(customers):
            out.writerow([f"C{i:07d}", f"Customer {i} Ltd", "US", "USD", 30])
    amounts: list[int] = []
    with paths["invoices"].open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["customer_ref", "number", "issue_date", "due_date", "amount", "currency"])
        for i in range(invoices):
            issued = START + timedelta(days=rng.randrange(600))
            cents = rng.randrange(1_000, 500_000)
            amounts.append(cents)
            out.writerow(
                [
                    f"C{i % customers:07d}",
                    f"INV-{i:08d}",
                    issued.isoformat(),
                    (issued + timedelta(days=30)).isoformat(),
                    f"{cents // 100}.{cents % 100:02d}",
                    "USD",
                ]
            )
    with paths["payments"].open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["customer_ref", "amount", "received_on", "invoice_number", "reference"])
        for n, i in enumerate(rng.sample(range(invoices), payments)):
            cents = max(1, amounts[i] // rng.choice((1, 2, 3)))
            received = START + timedelta(days=rng.randrange(690))
            out.writerow(
                [
                    f"C{i % customers:07d}",
                    f"{cents // 100}.{cents % 100:02d}",
                    received.isoformat(),
                    f"INV-{i:08d}",
                    f"P{n}",
                ]
            )
    return paths
