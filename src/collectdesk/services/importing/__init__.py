"""CSV import of customers, contacts, invoices and payments: checked, all or nothing, repeatable."""

from collectdesk.services.importing.headers import ALIASES, REQUIRED
from collectdesk.services.importing.report import ImportFailed, ImportReport, RowError
from collectdesk.services.importing.service import KINDS, import_csv

__all__ = ["ALIASES", "KINDS", "REQUIRED", "ImportFailed", "ImportReport", "RowError", "import_csv"]
