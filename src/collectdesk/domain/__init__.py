"""Pure collections rules: money, dates, scoring, promises, cadence, escalation, calling windows."""
