"""Screening: one function from a proposal to a scored, explained, persisted result."""
