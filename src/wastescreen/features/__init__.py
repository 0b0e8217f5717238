"""Feature pipeline: overlap search, evidence and model features (no web framework here)."""
