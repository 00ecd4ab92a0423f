"""Use cases over the store: import, worklist, calls and promises, tally, export."""
