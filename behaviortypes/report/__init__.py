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

from importlib import import_module

#: where each public name lives: loaded when first asked for (PEP 562), so that a light module of
#: the package (:mod:`.owned`, which the command line's refusal of a file of the user's needs)
#: is imported without the report's stack (matplotlib, SciPy, Jinja2: ~2 CPU s)
_HOME = {
    "REQUIRED_FILES": "data", "ReportData": "data", "anonymise_quote": "data", "load_report_data": "data",
    "export_cards": "exports", "export_pptx": "exports",
    "FORMATS": "render", "LANGUAGES": "render", "build_context": "render", "render_document": "render",
    "render_html": "render", "render_report": "render",
}

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


def __getattr__(name: str):
    if name in _HOME:
        value = getattr(import_module(f".{_HOME[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
