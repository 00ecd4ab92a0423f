"""One pydantic model per import kind: each cell checked and turned into what is stored."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationInfo, field_validator

from collectdesk.domain.calling_window import known_zone
from collectdesk.domain.codes import normalise_country, normalise_currency
from collectdesk.domain.dates import DateInputError, parse_iso_date
from collectdesk.domain.money import AmountError, format_amount, minor_digits, parse_amount


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    """What rows of other kinds need to know about their customer."""

    id: int
    country: str
    currency: str


@dataclass(frozen=True)
class RowContext:
    """Facts from the database that validation checks rows against."""

    customers: Mapping[str, CustomerFacts] = field(default_factory=dict)
    today: date | None = None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(limit: int, *, required: bool) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        text = (
            " ".join(value.split())
            if value.__class__ is str
            else None
            if _blank(value)
            else " ".join(str(value).split())
        )
        if not text:
            if required:
                raise ValueError("a value is required")
            return None
        if len(text) > limit:
            raise ValueError(f"is {len(text)} characters long; at most {limit} fit")
        return text

    return check


def _iso_date(value: Any) -> date:
    if _blank(value):
        raise ValueError("a date is required (YYYY-MM-DD)")
    try:
        return parse_iso_date(str(value))
    except DateInputError as exc:
        raise ValueError(str(exc)) from None


_KINDS = {
    "business": "business",
    "company": "business",
    "b2b": "business",
    "consumer": "consumer",
    "individual": "consumer",
    "person": "consumer",
    "b2c": "consumer",
}


def _kind(value: Any) -> str | None:
    if _blank(value):
        return None
    kind = _KINDS.get(str(value).strip().lower())
    if kind is None:
        raise ValueError(f"{str(value).strip()!r} is not a kind of customer (business or consumer)")
    return kind


def _country(value: Any) -> str | None:
    if _blank(value):
        return None
    code = normalise_country(str(value))
    if code is None:
        raise ValueError(f"{str(value).strip()!r} is not an ISO 3166 country code (e.g. US, GB, AU, NZ)")
    return code


def _currency(value: Any) -> str | None:
    if _blank(value):
        return None
    code = normalise_currency(str(value))
    if code is None:
        raise ValueError(f"{str(value).strip()!r} is not an ISO 4217 currency code (e.g. USD, GBP)")
    return code


_NET = re.compile(r"^(?:net\s*)?(\d{1,3})(?:\s*days?)?$")


def _terms(value: Any) -> int | None:
    if _blank(value):
        return None
    text = str(value).strip().lower()
    if text in ("due on receipt", "on receipt", "cod", "immediate"):
        return 0
    match = _NET.match(text)
    if not match or int(match.group(1)) > 365:
        raise ValueError(f"{str(value).strip()!r} is not payment terms (days 0–365, e.g. 30 or Net 30)")
    return int(match.group(1))


def _timezone(value: Any) -> str | None:
    if _blank(value):
        return None
    name = str(value).strip()
    if not known_zone(name):
        raise ValueError(f"{name!r} is not a time zone (use an IANA name such as America/Chicago)")
    return name


_TRUE = {"yes", "y", "true", "t", "1", "x", "dnc"}
_FALSE = {"no", "n", "false", "f", "0", ""}


def _flag(value: Any) -> bool | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{str(value).strip()!r} is not yes or no")


_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


def email_problem(text: str) -> str | None:
    """Why ``text`` is not an email address, or ``None`` when it is one."""
    text = text.strip()
    if len(text) > 200 or not _EMAIL.match(text):
        return f"{text!r} is not an email address"
    return None


def _email(value: Any) -> str | None:
    if _blank(value):
        return None
    text = str(value).strip()
    problem = email_problem(text)
    if problem:
        raise ValueError(problem)
    return text


def phone_e164(text: str, region: str) -> str:
    """A phone number in E.164, read with ``region`` as the default; raises ``ValueError``."""
    import phonenumbers  # slow to import; only imports that carry phones pay for it

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{text!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            f"{text!r} is not a valid phone number for {region} "
            "(write it with the country code, e.g. +44 20 7946 0000, if it is abroad)"
        )
    e164: str = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164


def _context(info: ValidationInfo) -> RowContext:
    context = info.context
    return context if isinstance(context, RowContext) else RowContext()


def _customer(info: ValidationInfo) -> CustomerFacts | None:
    ref = info.data.get("customer_ref")
    return _context(info).customers.get(ref) if isinstance(ref, str) else None


def _check_customer_ref(ref: str, info: ValidationInfo) -> str:
    if ref not in _context(info).customers:
        raise ValueError(f"no customer with ref {ref!r} (import customers first)")
    return ref


_PLAIN_AMOUNT = re.compile(r"^(\d{1,15})(?:\.(\d{1,2}))?$")


def _money(value: Any, currency: str, *, allow_zero: bool) -> int:
    text = value.strip() if value.__class__ is str else "" if _blank(value) else str(value).strip()
    if not text:
        raise ValueError("an amount is required")
    plain = _PLAIN_AMOUNT.match(text)
    if plain and minor_digits(currency) == 2:
        # The common case in large exports ("1234.5"), without the general parser's cost.
        minor = int(plain.group(1)) * 100 + int((plain.group(2) or "0").ljust(2, "0"))
    else:
        try:
            minor = parse_amount(text, currency)
        except AmountError as exc:
            raise ValueError(str(exc)) from None
    if minor < 0:
        raise ValueError(f"{str(value).strip()!r} is negative; amounts must be positive")
    if minor == 0 and not allow_zero:
        raise ValueError("a payment of zero is not a payment")
    return minor


def _phone_for(value: str | None, region: str) -> str | None:
    return None if value is None else phone_e164(value, region)


Ref = Annotated[str, BeforeValidator(_text(64, required=True))]
Name = Annotated[str, BeforeValidator(_text(200, required=True))]
OptionalText = Annotated[str | None, BeforeValidator(_text(200, required=False))]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
RawText = Annotated[str | None, BeforeValidator(_text(100, required=False))]


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CustomerRow(_Row):
    """A customers.csv row."""

    ref: Ref
    name: Name
    kind: Annotated[str | None, BeforeValidator(_kind)] = None
    country: Annotated[str | None, BeforeValidator(_country)] = None
    currency: Annotated[str | None, BeforeValidator(_currency)] = None
    terms_days: Annotated[int | None, BeforeValidator(_terms)] = None
    phone: RawText = None
    email: Annotated[str | None, BeforeValidator(_email)] = None
    timezone: Annotated[str | None, BeforeValidator(_timezone)] = None
    collector: Annotated[str | None, BeforeValidator(_text(80, required=False))] = None
    sales_rep: Annotated[str | None, BeforeValidator(_text(120, required=False))] = None
    do_not_call: Annotated[bool | None, BeforeValidator(_flag)] = None
    address_street: Annotated[str | None, BeforeValidator(_text(400, required=False))] = None
    address_city: Annotated[str | None, BeforeValidator(_text(120, required=False))] = None
    address_region: Annotated[str | None, BeforeValidator(_text(120, required=False))] = None
    address_postal_code: Annotated[str | None, BeforeValidator(_text(20, required=False))] = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        existing = _context(info).customers.get(info.data.get("ref", ""))
        region = info.data.get("country") or (existing.country if existing else "US")
        return _phone_for(value, region)


class ContactRow(_Row):
    """A contacts.csv row."""

    customer_ref: Ref
    name: Name
    role: Annotated[str | None, BeforeValidator(_text(80, required=False))] = None
    phone: RawText = None
    email: Annotated[str | None, BeforeValidator(_email)] = None

    _customer_exists = field_validator("customer_ref")(_check_customer_ref)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None, info: ValidationInfo) -> str | None:
        customer = _customer(info)
        # Without a known customer there is no country to read the number in; that row fails anyway.
        return _phone_for(value, customer.country) if customer else value


class InvoiceRow(NamedTuple):
    """An invoices.csv row; ``amount`` is in minor units of the invoice currency."""

    customer_ref: str
    number: str
    issue_date: date
    due_date: date
    currency: str | None
    amount: int
    open_amount: int | None


class PaymentRow(NamedTuple):
    """A payments.csv row; ``amount`` is in minor units of the customer's currency."""

    customer_ref: str
    received_on: date
    amount: int
    invoice_number: str | None
    method: str | None
    reference: str | None
    # The second, third, … payment of the same row in exports that list a repeated payment twice.
    occurrence: int = 1

    def import_key(self) -> str:
        """What identifies this payment across re-imports of the same export."""
        return "|".join(
            [
                self.customer_ref,
                self.received_on.isoformat(),
                str(self.amount),
                self.reference or "",
                self.invoice_number or "",
                *([str(self.occurrence)] if self.occurrence > 1 else []),
            ]
        )

    def describe(self, currency: str) -> str:
        """The payment in words, for the activity log."""
        return f"Payment of {format_amount(self.amount, currency)} received {self.received_on}"


# Large files have one of these rows per line: they are checked by plain functions, not a model per
# row (building a pydantic model per row was most of an import's time). Messages are the same.
Problems = list[tuple[str, str]]
RowCheck = Callable[[list[str]], "tuple[Any, Problems]"]
_REQUIRED = "Field required"
_EXTRA = "Extra inputs are not permitted"


def _cell(cells: list[str], at: int | None) -> str:
    """The row's cell for a field the file must have (ValueError when it has no such column)."""
    if at is None:
        raise ValueError(_REQUIRED)
    return cells[at]


def _customer_at(cells: list[str], at: int | None, customers: Mapping[str, CustomerFacts]) -> tuple[str, CustomerFacts]:
    """The row's customer ref and what is known of that customer (ValueError naming what is wrong)."""
    given = _ref(_cell(cells, at)) or ""
    customer = customers.get(given)
    if customer is None:
        raise ValueError(f"no customer with ref {given!r} (import customers first)")
    return given, customer


def _padded(positions: Mapping[str, int]) -> Callable[[list[str]], list[str]]:
    """Cells with every mapped column present (a short row reads as blanks at its end)."""
    width = max(positions.values(), default=-1) + 1

    def pad(cells: list[str]) -> list[str]:
        return cells if len(cells) >= width else [*cells, *[""] * (width - len(cells))]

    return pad


def _fast_date(value: str) -> date:
    """``_iso_date`` for one cell, with the common well-formed case first."""
    if len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    return _iso_date(value)


def _extras(positions: Mapping[str, int], known: tuple[str, ...]) -> Problems:
    return [(name, _EXTRA) for name in positions if name not in known]


_INVOICE_FIELDS = InvoiceRow._fields
_PAYMENT_FIELDS = PaymentRow._fields
_ref = _text(64, required=True)
_optional_ref = _text(64, required=False)
_method_text = _text(40, required=False)
_raw_text = _text(100, required=False)


def invoice_check(positions: Mapping[str, int], context: RowContext) -> RowCheck:
    """A function that checks one invoices row's cells: (the row or ``None``, its problems)."""
    customers = context.customers
    extras = _extras(positions, _INVOICE_FIELDS)
    pad = _padded(positions)
    ref_at, number_at, issue_at, due_at = (positions.get(f) for f in _INVOICE_FIELDS[:4])
    currency_at, amount_at, open_at = (positions.get(f) for f in _INVOICE_FIELDS[4:])

    def check(cells: list[str]) -> tuple[InvoiceRow | None, Problems]:
        cells = pad(cells)
        problems: Problems = list(extras)
        customer: CustomerFacts | None = None
        ref: str | None = None
        number: str | None = None
        issue: date | None = None
        due: date | None = None
        currency: str | None = None
        try:
            ref, customer = _customer_at(cells, ref_at, customers)
        except ValueError as exc:
            problems.append(("customer_ref", str(exc)))
        try:
            number = _ref(_cell(cells, number_at))
        except ValueError as exc:
            problems.append(("number", str(exc)))
        try:
            issue = _fast_date(_cell(cells, issue_at))
        except ValueError as exc:
            problems.append(("issue_date", str(exc)))
        try:
            due = _fast_date(_cell(cells, due_at))
            if issue is not None and due < issue:
                raise ValueError(f"due date {due} is before the issue date {issue}")
        except ValueError as exc:
            due = None
            problems.append(("due_date", str(exc)))
        if currency_at is not None:
            try:
                currency = _currency(cells[currency_at])
                if currency is not None and customer is not None and currency != customer.currency:
                    raise ValueError(
                        f"invoice currency {currency} differs from the customer's currency {customer.currency}"
                    )
            except ValueError as exc:
                currency = None
                problems.append(("currency", str(exc)))
        in_currency = currency or (customer.currency if customer else "USD")
        amount: int | None = None
        try:
            amount = _money(_cell(cells, amount_at), in_currency, allow_zero=True)
        except ValueError as exc:
            problems.append(("amount", str(exc)))
        open_amount: int | None = None
        if open_at is not None and not _blank(text := cells[open_at]):
            try:
                open_amount = _money(text, in_currency, allow_zero=True)
                if amount is not None and open_amount > amount:
                    raise ValueError(f"the open balance {text} is more than the invoice amount")
            except ValueError as exc:
                problems.append(("open_amount", str(exc)))
        if problems:
            return None, problems
        assert ref is not None and number is not None and issue is not None and due is not None
        assert amount is not None
        return InvoiceRow(ref, number, issue, due, currency, amount, open_amount), problems

    return check


def payment_check(positions: Mapping[str, int], context: RowContext) -> RowCheck:
    """A function that checks one payments row's cells: (the row or ``None``, its problems)."""
    customers = context.customers
    today = context.today
    extras = _extras(positions, _PAYMENT_FIELDS)
    pad = _padded(positions)
    ref_at, received_at, amount_at, invoice_at, method_at, reference_at, occurrence_at = (
        positions.get(f) for f in _PAYMENT_FIELDS
    )

    def check(cells: list[str]) -> tuple[PaymentRow | None, Problems]:
        cells = pad(cells)
        problems: Problems = list(extras)
        customer: CustomerFacts | None = None
        ref: str | None = None
        received: date | None = None
        try:
            ref, customer = _customer_at(cells, ref_at, customers)
        except ValueError as exc:
            problems.append(("customer_ref", str(exc)))
        try:
            received = _fast_date(_cell(cells, received_at))
            if today is not None and received > today:
                raise ValueError(f"{received} is in the future (today is {today})")
        except ValueError as exc:
            problems.append(("received_on", str(exc)))
        amount = 0
        try:
            amount = _money(_cell(cells, amount_at), customer.currency if customer else "USD", allow_zero=False)
        except ValueError as exc:
            problems.append(("amount", str(exc)))
        texts: list[str | None] = []
        for name, at, read in (
            ("invoice_number", invoice_at, _optional_ref),
            ("method", method_at, _method_text),
            ("reference", reference_at, _raw_text),
        ):
            try:
                texts.append(None if at is None else read(cells[at]))
            except ValueError as exc:
                texts.append(None)
                problems.append((name, str(exc)))
        occurrence = 1
        if occurrence_at is not None:
            try:
                occurrence = int(cells[occurrence_at].strip())
            except ValueError:
                problems.append(("occurrence", "Input should be a valid integer, unable to parse string as an integer"))
        if problems:
            return None, problems
        assert ref is not None and received is not None
        return PaymentRow(ref, received, amount, texts[0], texts[1], texts[2], occurrence), problems

    return check
