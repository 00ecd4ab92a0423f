"""Regenerate the demo portfolio CSVs in this folder (deterministic; standard library only).

    python sample_data/generate.py [OUTPUT_DIR]

Every date is written relative to the anchor date in ``ANCHOR``; ``collectdesk demo`` shifts all
dates by (today - anchor) so the portfolio always looks current. Phone numbers come from ranges
set aside for fiction (US 555-01xx, Ofcom drama numbers, ACMA fictitious numbers) where there are
such ranges, so nobody real is called.
"""

from __future__ import annotations

import csv
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ANCHOR = date.fromisoformat((HERE / "ANCHOR").read_text(encoding="utf-8").strip())
SEED = 20261123
GRACE_DAYS = 3  # the default promise grace; "expected_status" in promises.csv assumes it

COUNTRIES = [("US", 60), ("GB", 40), ("AU", 30), ("NZ", 20)]
CURRENCY = {"US": "USD", "GB": "GBP", "AU": "AUD", "NZ": "NZD"}
COLLECTOR = {"US": "Maya Patel", "GB": "Tom Becker", "AU": "Aroha Ngata", "NZ": "Aroha Ngata"}
SALES_REPS = {"US": ["Rob Kendrick", "Lena Ortiz"], "GB": ["Hugh Barlow", "Priya Nair"],
              "AU": ["Jack Mitchell", "Sophie Tran"], "NZ": ["Jack Mitchell", "Mere Walker"]}
SUFFIX = {"US": ["LLC", "Inc.", "Co."], "GB": ["Ltd", "Ltd", "LLP"], "AU": ["Pty Ltd"],
          "NZ": ["Ltd", "Limited"]}
UTC_OFFSET = {"US": -5, "GB": 0, "AU": 11, "NZ": 13}  # November offsets of the main zones
US_TIMEZONES = {"212": "America/New_York", "312": "America/Chicago", "415": "America/Los_Angeles",
                "617": "America/New_York", "206": "America/Los_Angeles", "512": "America/Chicago",
                "303": "America/Denver", "404": "America/New_York", "305": "America/New_York",
                "614": "America/New_York", "702": "America/Los_Angeles", "919": "America/New_York"}
GB_PREFIXES = ["020 7946 0", "0161 496 0", "0113 496 0", "0117 496 0", "0121 496 0", "0131 496 0"]
AU_PREFIXES = ["02 5550 ", "03 7010 ", "07 5550 ", "08 5550 "]
NZ_PREFIXES = ["09 555 0", "04 555 0", "03 555 0", "07 555 0", "021 555 0"]

_SURNAMES = """Whitaker Okafor Brennan Castillo Lindqvist Haddad Moreau Kowalski Fitzgerald Tanaka
Abernathy Delgado Henderson Nakamura Oyelaran Pemberton Quinlan Rasmussen Sandoval Thornbury
Underwood Valentine Winslow Yardley Zimmerman Ashdown Blackwood Carrington Dunmore Ellsworth
Fairbanks Galloway Hargreaves Ingram Jessup Kingsley Lockhart Merriweather Northcott Ormsby
Prescott Radcliffe Stanhope Tennyson Ainsworth Beckett Colquhoun Drummond Tregear Paewai
Hohaia Rangi Kerehoma Maddox Sinclair Ferreira Gallagher Holloway"""
SURNAMES = _SURNAMES.split()
_FIRST_NAMES = """
Dana Marcus Priya Owen Chloe Rafael Hannah Tariq Isla Declan Mei Jonah Aisha Callum
Sienna Mateo Grace Nikhil Ruby Elliot Zara Hamish Leilani Ben Ngaio Tama Kiri Aroha Liam Olivia
Noah Amelia Ethan Harper Lucas Evelyn Mason Abigail Logan Ella Jack Charlotte Ava Samuel Freya"""
FIRST_NAMES = _FIRST_NAMES.split()
TRADES = ["Plumbing", "Electrical", "Joinery", "Landscaping", "Print Co", "Dental Group",
          "Veterinary Clinic", "Freight", "Catering", "Engineering", "Roofing", "Signs",
          "Physiotherapy", "Architects", "Bakery Supply", "Auto Repairs", "Cleaning Services",
          "Flooring", "Glass & Glazing", "Hire", "Marine Services", "Surveyors", "Coffee Roasters",
          "Brewing", "Office Supplies", "Pest Control", "Scaffolding", "Tiling", "Timber Yard"]
PLACES = ["Riverside", "Northgate", "Harbourview", "Summit", "Oakfield", "Bayside", "Westbrook",
          "Kingsway", "Meadowbank", "Ironbark", "Southern Cross", "Pinecrest", "Stonebridge",
          "Lakeshore", "Redwood", "Hillcrest", "Seaview", "Greenlane", "Highfield", "Clearwater"]
ROLES = ["Accounts Payable", "Owner", "Office Manager", "Finance Director", "Bookkeeper",
         "Operations Manager"]
METHODS = {"US": ["ACH", "check", "card", "wire"], "GB": ["bank transfer", "card", "BACS"],
           "AU": ["bank transfer", "BPAY", "card"],
           "NZ": ["bank transfer", "direct credit", "card"]}
PROFILES = [("prompt", 35), ("late", 30), ("partial", 12), ("struggling", 15), ("delinquent", 8)]
FAILED_CODES = [("NOANSWER", 45), ("MESSAGE", 35), ("GATEKEEPER", 12), ("WRONGNUMBER", 3)]
OTHER_CODES = [("NOPROMISE", 30), ("CALLBACK", 25), ("DISPUTE", 12), ("PAID", 10)]
NO_PROMISE_REASONS = ["waiting on a customer to pay them", "needs approval from the director",
                      "cash flow is tight until the end of the month",
                      "refused to commit to a date"]
GATEKEEPERS = ["Receptionist", "Office junior", "Spouse", "Site foreman"]
DISPUTE_REASONS = ["says goods arrived damaged", "price differs from the quote",
                   "work not finished to their satisfaction", "never received the invoice"]


@dataclass
class Customer:
    """A generated customer with the collections behaviour that drives its payments."""

    ref: str
    name: str
    kind: str
    country: str
    terms: int
    phone: str
    profile: str
    contacts: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass
class Invoice:
    """A generated invoice; ``open`` is what the allocation simulation leaves unpaid."""

    customer: Customer
    number: str
    issued: date
    due: date
    amount: int
    open: int = 0


@dataclass
class Payment:
    """A generated payment, with the invoice it names (if any)."""

    customer: Customer
    received: date
    amount: int
    invoice: Invoice | None
    method: str
    reference: str
    parts: list[tuple[Invoice, int]] = field(default_factory=list)


def weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    """One of the names, picked with the given weights."""
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


class PhoneBook:
    """Hands out distinct fictional numbers per country."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def number(self, country: str) -> str:
        """A fresh number written the way a local bookkeeper would type it."""
        while True:
            if country == "US":
                area = self.rng.choice(sorted(US_TIMEZONES))
                text = f"({area}) 555-01{self.rng.randrange(100):02d}"
            elif country == "GB":
                text = self.rng.choice(GB_PREFIXES) + f"{self.rng.randrange(1000):03d}"
            elif country == "AU":
                text = self.rng.choice(AU_PREFIXES) + f"{self.rng.randrange(10000):04d}"
            else:
                text = self.rng.choice(NZ_PREFIXES) + f"{self.rng.randrange(1000):03d}"
            if text not in self.used:
                self.used.add(text)
                return text


def make_customers(rng: random.Random) -> list[Customer]:
    """About 150 customers across four countries, mostly businesses."""
    phones = PhoneBook(rng)
    names: set[str] = set()
    customers = []
    index = 0
    for country, count in COUNTRIES:
        for _ in range(count):
            index += 1
            consumer = rng.random() < 0.15
            while True:
                if consumer:
                    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
                else:
                    start = rng.choice(SURNAMES) if rng.random() < 0.5 else rng.choice(PLACES)
                    name = f"{start} {rng.choice(TRADES)} {rng.choice(SUFFIX[country])}"
                if name not in names:
                    names.add(name)
                    break
            terms = 14 if consumer else rng.choice([30, 30, 30, 14, 45] if country == "US"
                                                   else [30, 30, 14, 20])
            customer = Customer(ref=f"C{1000 + index}", name=name,
                                kind="consumer" if consumer else "business", country=country,
                                terms=terms, phone=phones.number(country),
                                profile=weighted(rng, PROFILES))
            if consumer:
                customer.contacts.append((name, "Account holder", customer.phone, ""))
            else:
                for _ in range(rng.choice([1, 1, 2, 2, 3])):
                    person = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
                    if any(person == c[0] for c in customer.contacts):
                        continue
                    usual = rng.random() < 0.6
                    role = ROLES[len(customer.contacts)] if usual else rng.choice(ROLES)
                    email = person.lower().replace(" ", ".") + "@example.com"
                    customer.contacts.append((person, role, phones.number(country), email))
            customers.append(customer)
    return customers


def make_invoices(rng: random.Random, customers: list[Customer]) -> list[Invoice]:
    """About 1,000 invoices issued over the last seven months, numbered in issue order."""
    drafts = []
    for customer in customers:
        count = rng.randint(2, 5) if customer.kind == "consumer" else rng.randint(5, 10)
        span = 210
        for _ in range(count):
            issued = ANCHOR - timedelta(days=rng.randint(1, span))
            if customer.kind == "consumer":
                amount = rng.randint(60_00, 900_00)
            else:
                amount = int(min(25_000_00, max(120_00, rng.lognormvariate(7.2, 0.8) * 100)))
            drafts.append((issued, customer, amount))
    drafts.sort(key=lambda d: (d[0], d[1].ref))
    return [Invoice(customer=c, number=f"INV-{10001 + i}", issued=issued,
                    due=issued + timedelta(days=c.terms), amount=amount)
            for i, (issued, c, amount) in enumerate(drafts)]


def _reference(rng: random.Random, method: str) -> str:
    if rng.random() < 0.15:
        return ""
    prefix = {"check": "CHK", "ACH": "ACH", "wire": "WIRE", "card": "CARD", "BPAY": "BPAY"}
    return f"{prefix.get(method, 'TRF')} {rng.randrange(10000, 99999)}"


def make_payments(rng: random.Random, invoices: list[Invoice]) -> list[Payment]:
    """Payments in line with each customer's profile; none on or after the anchor date."""
    last_day = ANCHOR - timedelta(days=1)
    payments = []

    def pay(invoice: Invoice, day: date, amount: int) -> None:
        if day > last_day or amount <= 0:
            return
        day = max(day, invoice.issued + timedelta(days=1))
        if day > last_day:
            return
        method = rng.choice(METHODS[invoice.customer.country])
        named = invoice if rng.random() < 0.75 else None
        payments.append(Payment(invoice.customer, day, amount, named, method,
                                _reference(rng, method)))

    for invoice in invoices:
        profile, due = invoice.customer.profile, invoice.due
        if profile == "prompt":
            pay(invoice, due - timedelta(days=rng.randint(0, 8)), invoice.amount)
        elif profile == "late":
            pay(invoice, due + timedelta(days=rng.randint(5, 50)), invoice.amount)
        elif profile == "partial":
            first = invoice.amount * rng.randint(35, 70) // 100
            pay(invoice, due + timedelta(days=rng.randint(5, 30)), first)
            if rng.random() < 0.6:
                pay(invoice, due + timedelta(days=rng.randint(35, 80)), invoice.amount - first)
        elif profile == "struggling":
            if due < ANCHOR - timedelta(days=100):
                pay(invoice, due + timedelta(days=rng.randint(20, 70)), invoice.amount)
            elif rng.random() < 0.3:
                pay(invoice, due + timedelta(days=rng.randint(10, 40)), invoice.amount // 2)
        elif due < ANCHOR - timedelta(days=170):  # delinquent: paid only long ago
            pay(invoice, due + timedelta(days=rng.randint(30, 60)), invoice.amount)
    payments.sort(key=lambda p: (p.received, p.customer.ref, p.amount))
    return payments


def apply_payments(invoices: list[Invoice], payments: list[Payment]) -> None:
    """Work out open balances the way collectdesk applies payments: named invoice, then oldest."""
    for invoice in invoices:
        invoice.open = invoice.amount
    by_customer: dict[str, list[Invoice]] = defaultdict(list)
    for invoice in invoices:
        by_customer[invoice.customer.ref].append(invoice)
    for payment in payments:
        remaining = payment.amount
        order = sorted(by_customer[payment.customer.ref], key=lambda i: (i.due, i.number))
        if payment.invoice is not None:
            order.sort(key=lambda i: i is not payment.invoice)
        for invoice in order:
            take = min(remaining, invoice.open)
            if take:
                payment.parts.append((invoice, take))
            invoice.open -= take
            remaining -= take


@dataclass
class Call:
    """A generated call, with the promise it produced (if any)."""

    ref: str
    customer: Customer
    contact: str
    started: datetime
    code: str
    seconds: int
    notes: str
    next_action_on: date
    spoke_with: str = ""
    no_promise_reason: str = ""
    callback_at: datetime | None = None
    dispute_invoice: str = ""
    dispute_reason: str = ""
    promise: tuple[int, date, str, str] | None = None  # amount, promised_on, method, invoices


def _money(amount: int, country: str) -> str:
    symbol = {"US": "$", "GB": "£", "AU": "A$", "NZ": "NZ$"}[country]
    return f"{symbol}{amount / 100:,.2f}"


class CallMaker:
    """Writes believable call histories for the customers that needed chasing."""

    def __init__(self, rng: random.Random, payments: list[Payment]) -> None:
        self.rng = rng
        self.calls: list[Call] = []
        self.paid_days: dict[str, list[tuple[date, int]]] = defaultdict(list)
        self.payments: dict[str, list[Payment]] = defaultdict(list)
        for payment in payments:
            self.paid_days[payment.customer.ref].append((payment.received, payment.amount))
            self.payments[payment.customer.ref].append(payment)

    def applied_between(self, customer: Customer, start: date, until: date) -> list[Invoice]:
        """The invoices payments received from ``start`` to ``until`` (inclusive) went to."""
        touched = {invoice.number: invoice for p in self.payments[customer.ref]
                   if start <= p.received <= until for invoice, _ in p.parts}
        return [touched[number] for number in sorted(touched)]

    def at(self, customer: Customer, day: date) -> datetime:
        """A time in the customer's working day, as UTC."""
        local = time(self.rng.randint(9, 16), self.rng.choice([0, 10, 20, 30, 40, 50]))
        return (datetime.combine(day, local, UTC)
                - timedelta(hours=UTC_OFFSET[customer.country]))

    def add(self, customer: Customer, day: date, code: str, **extra: object) -> Call:
        """Record a call on ``day`` with result ``code``."""
        contact = self.rng.choice(customer.contacts)[0]
        right_party = code in ("PTP", "PAID", "DISPUTE", "NOPROMISE", "CALLBACK")
        seconds = self.rng.randint(150, 600) if right_party else self.rng.randint(15, 70)
        call = Call(ref=f"K{len(self.calls) + 1:05d}", customer=customer, contact=contact,
                    started=self.at(customer, day), code=code, seconds=seconds, notes="",
                    next_action_on=day + timedelta(days=3), **extra)  # type: ignore[arg-type]
        call.notes = self.notes(call)
        self.calls.append(call)
        return call

    def notes(self, call: Call) -> str:
        """What a collector would have typed."""
        who = call.contact.split()[0]
        if call.code == "PTP" and call.promise:
            amount, day, method, _ = call.promise
            return (f"Spoke with {who}. Asked for payment in full; agreed to pay "
                    f"{_money(amount, call.customer.country)} by {day.isoformat()} via {method}.")
        return {
            "NOANSWER": "No answer, rang out.",
            "MESSAGE": f"Left a voicemail for {who} asking for a call back about the account.",
            "GATEKEEPER": f"{call.spoke_with} took a message; {who} in a meeting.",
            "WRONGNUMBER": "Number disconnected / wrong person. Need a new number.",
            "NOPROMISE": f"Spoke with {who}. No date yet: {call.no_promise_reason}.",
            "CALLBACK": f"{who} asked us to call back; busy with month end.",
            "DISPUTE": f"{who} disputes {call.dispute_invoice}: {call.dispute_reason}.",
            "PAID": f"{who} says payment went out last week; will check the bank.",
        }.get(call.code, "")

    def failed(self, customer: Customer, day: date) -> Call:
        """An attempt that did not reach the right person."""
        code = weighted(self.rng, FAILED_CODES)
        if code == "GATEKEEPER":
            return self.add(customer, day, code, spoke_with=self.rng.choice(GATEKEEPERS))
        return self.add(customer, day, code)

    def promise(self, customer: Customer, day: date, amount: int, promised_on: date,
                invoices: str = "") -> Call:
        """A promise to pay taken on ``day``; the next action is the day after it falls due."""
        method = self.rng.choice(METHODS[customer.country])
        call = self.add(customer, day, "PTP", promise=(amount, promised_on, method, invoices))
        call.next_action_on = promised_on + timedelta(days=1)
        return call


def make_calls(rng: random.Random, customers: list[Customer], invoices: list[Invoice],
               payments: list[Payment]) -> list[Call]:
    """Call histories over the last 75 days: kept, partly kept, broken and open promises."""
    maker = CallMaker(rng, payments)
    window_start = ANCHOR - timedelta(days=75)
    last_day = ANCHOR - timedelta(days=1)
    by_customer: dict[str, list[Invoice]] = defaultdict(list)
    for invoice in invoices:
        by_customer[invoice.customer.ref].append(invoice)
    for customer in customers:
        mine = by_customer[customer.ref]
        late = [p for p in payments if p.customer is customer and p.received >= window_start
                and p.invoice is not None and p.received > p.invoice.due]
        overdue = [i for i in mine if i.open and i.due < ANCHOR]
        if not late and not overdue:
            continue
        if not late and rng.random() < 0.12:
            continue  # not reached yet: a fresh account at the top of someone's list
        free_from = window_start
        paid_dates = {d for d, _ in maker.paid_days[customer.ref]}
        # Promises that payments later settled, in full or in part.
        for payment in late:
            call_day = payment.received - timedelta(days=rng.randint(3, 9))
            if call_day <= free_from or call_day in paid_dates:
                continue
            for back in range(rng.randint(0, 2), 0, -1):
                attempt = call_day - timedelta(days=3 * back)
                if attempt > free_from and attempt not in paid_dates:
                    maker.failed(customer, attempt)
            promised_on = max(call_day + timedelta(days=1),
                              payment.received + timedelta(days=rng.randint(-2, 1)))
            until = promised_on + timedelta(days=GRACE_DAYS)
            named = maker.applied_between(customer, call_day, until)
            received = sum(amount for p in maker.payments[customer.ref]
                           if call_day <= p.received <= until
                           for invoice, amount in p.parts if invoice in named)
            if received <= 0:
                continue
            amount = received if rng.random() < 0.7 else received * rng.randint(13, 20) // 10
            maker.promise(customer, call_day, amount, promised_on,
                          ";".join(invoice.number for invoice in named))
            free_from = promised_on + timedelta(days=GRACE_DAYS)
        # Chasing what is still overdue: attempts, conversations and promises not yet kept.
        if not overdue:
            continue
        oldest_due = min(i.due for i in overdue)
        day = max(free_from + timedelta(days=1), oldest_due + timedelta(days=2), window_start)
        while day <= last_day:
            if day in paid_dates or day.weekday() >= 5:
                day += timedelta(days=1)
                continue
            owed = sum(i.open for i in overdue if i.due < day)
            roll = rng.random()
            if owed and roll < 0.22:
                promised_on = day + timedelta(days=rng.randint(3, 12))
                amount = owed if rng.random() < 0.6 else max(50_00, owed // 2 // 100 * 100)
                numbers = ";".join(i.number for i in overdue if i.due < day)[:120]
                maker.promise(customer, day, amount, promised_on, numbers)
                day = promised_on + timedelta(days=GRACE_DAYS + 1)
                continue
            if roll < 0.62:
                maker.failed(customer, day)
            else:
                code = weighted(rng, OTHER_CODES)
                extra: dict[str, object] = {}
                if code == "NOPROMISE":
                    extra["no_promise_reason"] = rng.choice(NO_PROMISE_REASONS)
                elif code == "CALLBACK":
                    extra["callback_at"] = maker.at(customer, day + timedelta(days=2))
                elif code == "DISPUTE":
                    disputed = rng.choice(overdue)
                    extra["dispute_invoice"] = disputed.number
                    extra["dispute_reason"] = rng.choice(DISPUTE_REASONS)
                call = maker.add(customer, day, code, **extra)
                if code == "CALLBACK":
                    call.next_action_on = day + timedelta(days=2)
                elif code == "DISPUTE":
                    call.next_action_on = day + timedelta(days=7)
            day += timedelta(days=rng.randint(3, 6))
    maker.calls.sort(key=lambda c: c.started)
    for number, call in enumerate(maker.calls, start=1):
        call.ref = f"K{number:05d}"
    return maker.calls


def expected_statuses(calls: list[Call], payments: list[Payment]) -> dict[str, str]:
    """What promise evaluation concludes on the anchor date, call ref → status.

    The rule collectdesk applies: payments received from the day a promise was taken (UTC) to its
    broken-on date count towards it; promises naming invoices first take the parts applied to
    those invoices, then the others take what is left, earliest promised date first; every part
    of a payment counts once.
    """
    by_customer: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        if call.promise:
            by_customer[call.customer.ref].append(call)
    statuses: dict[str, str] = {}
    for ref, promised in by_customer.items():
        portions: list[list[object]] = []  # [invoice number or None, remaining, received]
        mine = sorted((p for p in payments if p.customer.ref == ref), key=lambda p: p.received)
        for payment in mine:
            applied = 0
            for invoice, amount in sorted(payment.parts, key=lambda part: part[0].number):
                portions.append([invoice.number, amount, payment.received])
                applied += amount
            if payment.amount > applied:
                portions.append([None, payment.amount - applied, payment.received])
        ordered = sorted(promised, key=lambda c: (c.promise[1], c.ref) if c.promise else ())
        for named_pass in (True, False):
            for call in ordered:
                assert call.promise is not None
                amount, promised_on, _, numbers = call.promise
                named = set(filter(None, numbers.split(";")))
                if bool(named) != named_pass:
                    continue
                start = call.started.date()
                end = min(promised_on + timedelta(days=GRACE_DAYS), ANCHOR)
                paid = 0
                for portion in portions:
                    invoice_number, remaining, received = portion
                    assert isinstance(remaining, int) and isinstance(received, date)
                    if paid >= amount:
                        break
                    if remaining <= 0 or not start <= received <= end:
                        continue
                    if named_pass and invoice_number not in named:
                        continue
                    taken = min(remaining, amount - paid)
                    portion[1] = remaining - taken
                    paid += taken
                broken_on = promised_on + timedelta(days=GRACE_DAYS)
                statuses[call.ref] = ("kept" if paid >= amount else "open" if broken_on >= ANCHOR
                                      else "partially_kept" if paid else "broken")
    return statuses


OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE


def write_csv(name: str, header: list[str], rows: list[list[object]]) -> None:
    """Write one CSV file into the output folder (by default, next to this script)."""
    with (OUT / name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def amount_text(minor: int) -> str:
    """Minor units as major units with two decimals."""
    return f"{minor // 100}.{minor % 100:02d}"


def main() -> None:
    """Generate and write every CSV."""
    rng = random.Random(SEED)
    customers = make_customers(rng)
    invoices = make_invoices(rng, customers)
    payments = make_payments(rng, invoices)
    apply_payments(invoices, payments)
    calls = make_calls(rng, customers, invoices, payments)
    statuses = expected_statuses(calls, payments)

    us_zone_every = 6
    write_csv("customers.csv", ["ref", "name", "kind", "country", "currency", "terms_days", "phone",
                                "email", "timezone", "collector", "sales_rep", "do_not_call"],
              [[c.ref, c.name, c.kind, c.country, CURRENCY[c.country], c.terms, c.phone,
                c.contacts[0][3] if c.kind == "business" else "",
                US_TIMEZONES[c.phone[1:4]] if c.country == "US" and i % us_zone_every == 0 else "",
                COLLECTOR[c.country], SALES_REPS[c.country][i % 2] if c.kind == "business" else "",
                "yes" if i in (17, 88) else ""]
               for i, c in enumerate(customers)])
    write_csv("contacts.csv", ["customer_ref", "name", "role", "phone", "email"],
              [[c.ref, name, role, phone, email] for c in customers
               for name, role, phone, email in c.contacts])
    write_csv("invoices.csv", ["customer_ref", "number", "issue_date", "due_date", "amount",
                               "currency"],
              [[i.customer.ref, i.number, i.issued.isoformat(), i.due.isoformat(),
                amount_text(i.amount), CURRENCY[i.customer.country]] for i in invoices])
    write_csv("payments.csv", ["customer_ref", "amount", "received_on", "invoice_number", "method",
                               "reference"],
              [[p.customer.ref, amount_text(p.amount), p.received.isoformat(),
                p.invoice.number if p.invoice else "", p.method, p.reference] for p in payments])
    write_csv("calls.csv", ["call_ref", "customer_ref", "collector", "contact_name", "started_at",
                            "duration_seconds", "result_code", "right_party", "payment_asked",
                            "spoke_with", "no_promise_reason", "callback_at", "dispute_invoice",
                            "dispute_reason", "next_action_on", "notes"],
              [[c.ref, c.customer.ref, COLLECTOR[c.customer.country], c.contact,
                c.started.strftime("%Y-%m-%dT%H:%M:%SZ"), c.seconds, c.code,
                "yes" if c.code in ("PTP", "PAID", "DISPUTE", "NOPROMISE", "CALLBACK") else "no",
                "yes" if c.code in ("PTP", "NOPROMISE", "DISPUTE", "PAID") else "no",
                c.spoke_with, c.no_promise_reason,
                c.callback_at.strftime("%Y-%m-%dT%H:%M:%SZ") if c.callback_at else "",
                c.dispute_invoice, c.dispute_reason, c.next_action_on.isoformat(), c.notes]
               for c in calls])
    write_csv("promises.csv", ["call_ref", "customer_ref", "taken_by", "amount", "promised_on",
                               "method", "invoice_numbers", "expected_status"],
              [[c.ref, c.customer.ref, COLLECTOR[c.customer.country], amount_text(c.promise[0]),
                c.promise[1].isoformat(), c.promise[2], c.promise[3],
                statuses[c.ref]] for c in calls if c.promise])


if __name__ == "__main__":
    main()
