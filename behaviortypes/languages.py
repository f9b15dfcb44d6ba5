"""Which language a study says things in, read before its files are checked: a survey folder's
(``instrument.yaml``'s ``language``), a discovery folder's (``source.json``), a study file's and
the interviews'.

Light on purpose (the standard library and PyYAML): a command asks for its study's language
before it checks its input, so that its one-line error is said in it, and a refusal should not
pay for pandas, pydantic and the model stack (the command line's start-up path). Re-exported by
:mod:`behaviortypes.pipeline`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .files import declared_in_yaml_text

__all__ = ["LANGS", "study_language", "declared_language", "interviews_said_language", "discovery_language",
           "study_file_language"]

#: The languages a study file's ``lang`` may name.
LANGS = ("en", "sv")


def study_language(survey_dir: str | Path) -> str:
    """The language a survey folder's study is written in, for the tool's own words:
    ``instrument.yaml``'s ``language`` when it is ``"en"`` or ``"sv"``, else ``"en"``.

    Read before the survey is validated (the first progress line is in it); a file that
    cannot be read gives ``"en"`` here and its one-line error from
    :func:`~behaviortypes.readers.load_survey` after.
    """
    from .i18n import output_language

    return output_language(declared_language(survey_dir))


def declared_language(survey_dir: str | Path) -> str | None:
    """``instrument.yaml``'s ``language`` in ``survey_dir`` as written, or None (no file, no
    key, a file that cannot be read)."""
    import yaml

    path = Path(survey_dir) / "instrument.yaml"
    if not path.is_file():  # the reader's other spelling
        path = path.with_suffix(".yml")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (yaml.YAMLError, UnicodeDecodeError):  # a syntax error or a cp1252 byte elsewhere:
        return declared_in_yaml_text(path, "language")  # its own line still says the language
    except OSError:
        return None
    return doc.get("language") if isinstance(doc, dict) else None


def interviews_said_language(path: str | Path, interviews: Any = None, lang: str | None = None) -> str:
    """The language of the interview stage's own words (``themes``, notebook 01).

    ``lang`` when given (``--lang``, ``BT_LANG``); else the study's, when the interviews
    are in a survey folder (``<study>/interviews/``) whose ``instrument.yaml`` names one;
    else the interviews' own (their theme names, then their quotes, as ``instrument
    from-themes`` drafts in: :func:`~behaviortypes.interviews.interviews_language`);
    else English.

    Parameters
    ----------
    path : str or Path
        The interviews (a file or a folder) or the study folder holding ``interviews/``.
    interviews : Interviews, optional
        The interviews read; without them only ``lang`` and the study say.
    lang : str, optional
    """
    from .i18n import output_language

    path = Path(path)
    folder = path if path.is_dir() else path.parent
    study = folder.parent if folder.name.lower() == "interviews" else folder
    own = None
    if interviews is not None:  # (the interviews' module only then: pandas)
        from .interviews import interviews_language

        own = interviews_language(interviews)
    return output_language(lang, declared_language(study), own)


def discovery_language(out_dir: str | Path) -> str:
    """The language of the study a discovery folder came from (``source.json``'s
    instrument ``language``, :func:`study_language`), ``"en"`` when it cannot be read:
    read before the folder is checked, for the language of a later stage's errors."""
    import json

    from .i18n import output_language

    path = Path(out_dir)
    path = path / "source.json" if path.is_dir() else path.parent / "source.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, UnicodeDecodeError, ValueError):
        return "en"
    instrument = doc.get("instrument") if isinstance(doc, dict) else None
    return output_language(instrument.get("language") if isinstance(instrument, dict) else None)


def study_file_language(path: str | Path) -> str:
    """The language a study file's own errors are said in, read before it is checked: its
    one ``lang`` (or ``report: {langs}``) when it is ``"en"`` or ``"sv"``, else the
    study's (:func:`study_language` of its ``survey`` folder), else ``"en"``."""
    import yaml

    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError:  # a syntax error elsewhere: its own line may still say the language
        lang = declared_in_yaml_text(path, "lang")
        return lang if lang in LANGS else "en"
    except (OSError, UnicodeDecodeError):
        return "en"
    if not isinstance(doc, dict):
        return "en"
    report = doc.get("report") if isinstance(doc.get("report"), dict) else {}
    langs = doc.get("lang", report.get("langs"))
    langs = [langs] if isinstance(langs, str) else langs if isinstance(langs, list) else []
    if len(langs) == 1 and langs[0] in LANGS:
        return langs[0]
    survey = doc.get("survey")
    return study_language(Path(path).absolute().parent / survey) if isinstance(survey, str) and survey else "en"
