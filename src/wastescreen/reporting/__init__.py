"""The review report of a screening: HTML and PDF, in Vietnamese (default) or English
(``reporting.render``; imported from there, so that the views here load without Jinja2)."""
