"""Jinja2 templates of the review report and the reviewer pages (autoescaped)."""
