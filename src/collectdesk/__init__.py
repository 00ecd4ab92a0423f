"""collectdesk: a keyboard-first terminal desk for collecting past-due invoices."""

__version__ = "0.1.0"
