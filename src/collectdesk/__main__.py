"""Entry point for ``python -m collectdesk``."""

from collectdesk.cli.main import main

raise SystemExit(main())
