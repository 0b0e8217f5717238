"""The review report of a screening: HTML and PDF, in Vietnamese (default) or English."""

from wastescreen.reporting.render import DecisionView, render_report_html, render_report_pdf

__all__ = ["DecisionView", "render_report_html", "render_report_pdf"]
