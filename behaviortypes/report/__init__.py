"""Persona reports: one page per behaviour type, an overview and a method appendix.

``render_report(discovery_dir)`` reads a discovery folder (never recomputing a
statistic), fills Jinja2 templates with the text of ``i18n/<lang>.yaml`` (English,
Swedish) and renders a PDF with WeasyPrint; it also writes a PowerPoint deck (one
slide per type) and a PNG per persona page. Types smaller than the instrument's
``min_group_size`` get no page.

Examples
--------
>>> from behaviortypes.report import render_report
>>> render_report("out/demo", lang=("en", "sv"), formats=("pdf", "pptx", "png"))  # doctest: +SKIP
"""

from .data import REQUIRED_FILES, ReportData, anonymise_quote, load_report_data
from .exports import export_cards, export_pptx
from .render import FORMATS, LANGUAGES, build_context, render_document, render_html, render_report

__all__ = [
    "REQUIRED_FILES",
    "ReportData",
    "anonymise_quote",
    "load_report_data",
    "render_report",
    "render_html",
    "render_document",
    "build_context",
    "export_pptx",
    "export_cards",
    "LANGUAGES",
    "FORMATS",
]
