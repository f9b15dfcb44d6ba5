"""The typing tool as deliverables a strategist hands over.

An offline web form (one self-contained HTML file), an Excel workbook that types
respondents by formulas, and batch typing of an answers file: all three give the
same type and probabilities as :meth:`behaviortypes.lookalike.TypingTool.score`.

Examples
--------
>>> from behaviortypes.deliver import write_typing_html, write_typing_xlsx
>>> write_typing_html("surveys/demo/discovery", "typing_tool.html", lang="sv")  # doctest: +SKIP
>>> write_typing_xlsx("surveys/demo/discovery", "typing_tool.xlsx")  # doctest: +SKIP
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

#: Each public name → the module that defines it, imported when first asked for (PEP 562):
#: ``behaviortypes.deliver.owned`` (which files are ours) is read without the form's jinja2 and
#: the typing tool's scikit-learn, so ``typing-tool OUT --html FILE`` refuses a file of the
#: user's without them (tests/test_suite23b.py).
_WHERE = {
    "read_answers": "answers",
    **dict.fromkeys(("load_typing_spec_with_target", "write_typing_deliverables"), "deliverables"),
    **dict.fromkeys(("render_typing_html", "write_typing_html"), "form"),
    **dict.fromkeys(("TypingSpec", "load_typing_spec", "statements_needed", "statements_needed_for"), "spec"),
    **dict.fromkeys(("agreement_digits", "agreement_note", "agreement_shown", "needed_sentence"), "texts"),
    **dict.fromkeys(("TypedFile", "score_answers", "score_answers_file"), "typing_file"),
    **dict.fromkeys(("DEFAULT_ROWS", "write_typing_xlsx"), "workbook"),
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


if TYPE_CHECKING:  # pragma: no cover
    from .answers import read_answers
    from .deliverables import load_typing_spec_with_target, write_typing_deliverables
    from .form import render_typing_html, write_typing_html
    from .spec import TypingSpec, load_typing_spec, statements_needed, statements_needed_for
    from .texts import agreement_digits, agreement_note, agreement_shown, needed_sentence
    from .typing_file import TypedFile, score_answers, score_answers_file
    from .workbook import DEFAULT_ROWS, write_typing_xlsx

__all__ = [
    "TypingSpec",
    "load_typing_spec",
    "load_typing_spec_with_target",
    "read_answers",
    "score_answers",
    "score_answers_file",
    "TypedFile",
    "statements_needed",
    "statements_needed_for",
    "render_typing_html",
    "write_typing_html",
    "write_typing_xlsx",
    "write_typing_deliverables",
    "agreement_digits",
    "agreement_note",
    "agreement_shown",
    "needed_sentence",
    "DEFAULT_ROWS",
]
