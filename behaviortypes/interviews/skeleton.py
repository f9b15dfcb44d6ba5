"""From the interviews' themes to a survey: an ``instrument.yaml`` to write the statements in.

Stage 2 of the job (README): the themes where participants differ become Likert statements.
:func:`instrument_from_themes` ranks the coded themes by how much they split participants
(:func:`~behaviortypes.interviews.theme_splits`), gives each candidate theme a few statement
slots with its id and ``theme:`` already set (so ``check`` traces every statement back to its
theme) and, above each theme, its prevalence and a few anonymised quotes to write from. The
texts are left empty on purpose: ``check`` refuses a statement without text, so a skeleton
cannot be fielded unwritten. One slot per theme is marked ``reverse: true``, a reminder to
word one statement the other way (acquiescence; see ``docs/quality.md``).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from ..errors import InputError
from ..files import write_text
from ..i18n import counted, output_language, said
from .analysis import interviews_language, participant_names, theme_splits
from .anonymise import anonymise
from .data import Interviews

__all__ = ["instrument_from_themes", "write_instrument_from_themes"]

#: quotes shown per theme, and their length at most (characters)
_QUOTES, _QUOTE_LEN = 2, 160


def _slug(theme: str) -> str:
    """An item id from a theme name: ASCII, lower case, words joined by ``_``."""
    plain = unicodedata.normalize("NFKD", str(theme)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_") or "theme"


def _study_name(path: Path | None) -> str:
    """The study's name: the file's, or its folder's when the file is ``codes.csv`` in ``interviews/``."""
    for part in ([path.stem, *(p.name for p in path.parents)] if path else []):
        if part.lower() not in {"codes", "codings", "interviews", "intervjuer", "project", ""}:
            return _slug(part)
    return "study"


def _quotes(interviews: Interviews, theme: str, names: list[str], lang: str = "en") -> list[str]:
    """The theme's shortest quotes, anonymised with the masks in ``lang`` (``[namn]`` in Swedish)."""
    c = interviews.codings
    quotes = [str(q) for q in c.loc[c["theme"] == theme, "quote"].dropna() if str(q).strip()]
    quotes = sorted(dict.fromkeys(quotes), key=len)[:_QUOTES]  # the shortest: they say it plainly
    out = []
    for q in quotes:
        q = " ".join(anonymise(q, names=names, lang=lang).split())
        out.append(q if len(q) <= _QUOTE_LEN else q[: _QUOTE_LEN - 1] + "…")
    return out


def instrument_from_themes(interviews: Interviews, *, per_theme: int = 3, lang: str | None = None,
                           include_rare: bool = False) -> str:
    """The text of an ``instrument.yaml`` with ``per_theme`` statement slots per candidate theme.

    Parameters
    ----------
    interviews : Interviews
        From :func:`~behaviortypes.interviews.read_interviews`.
    per_theme : int, default=3
        Statement slots per theme (three statements make a scale whose reliability can be
        checked; two are the least a factor can be found on).
    lang : {"en", "sv"} or None
        Language of the comments and scale labels; default: the themes' and quotes' language.
    include_rare : bool, default=False
        Also themes that one participant (or under 15 %) raised, and themes nearly everyone
        raised (``theme_splits``'s notes); by default they are listed in a comment only.

    Returns
    -------
    str
        YAML text with comments; texts are empty strings to fill in.
    """
    from ..texts import load_texts

    if per_theme < 1:
        raise InputError(code="problem_per_theme", values={"n": per_theme})
    splits = theme_splits(interviews)
    if splits.empty:
        raise InputError(code="problem_no_codings", file=interviews.source_file)
    # --lang: the survey's language is the one asked for; else the interviews' own
    language = lang or interviews_language(interviews)
    t = load_texts(output_language(language))
    # where participants differ: raised by 15-85 % of them and by more than one (theme_splits'
    # "splits" and "uneven split"); the rare and the near-universal ones are listed, not drafted
    strong = ((splits["n_participants"] > 1) & splits["share"].between(0.15, 0.85)) if not include_rare \
        else splits["theme"].notna()
    chosen, left = splits[strong], splits[~strong]
    if chosen.empty:  # e.g. two interviews: every theme is raised by one or both
        raise InputError(code="problem_skel_no_themes", values={
            "n": counted(len(splits), "themes"), "participants": counted(len(interviews.participants), "participants")},
            file=interviews.source_file)
    names = participant_names(interviews)
    n_all = len(interviews.participants)
    source = interviews.source_file.name if interviews.source_file else "interviews"
    head = [said("skel_header_all" if include_rare else "skel_header", output_language(language), file=source,
                 n=counted(len(chosen), "themes"), per=counted(per_theme, "statements"))]
    if len(left):
        head.append(t["skel_left_out"].format(themes=", ".join(map(str, left["theme"]))))
    text = "".join(f"# {line}\n" for line in head)
    meta = {"name": _study_name(interviews.source_file), **({"language": language} if language else {}),
            "id_column": "respondent_id",
            "scale": {"min": 1, "max": 5, "labels": {1: t["skel_label_1"], 5: t["skel_label_5"]}}}
    text += yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=float("inf"))
    text += "items:\n"
    used: set[str] = set()
    for row in chosen.itertuples():
        theme = str(row.theme)
        text += "# " + t["skel_theme"].format(theme=theme, n=int(row.n_participants), of=n_all,
                                             share=f"{100 * row.share:.0f}") + "\n"
        for q in _quotes(interviews, theme, names, output_language(language)):
            text += f"#   “{q}”\n"
        base = _slug(theme)
        for i in range(1, per_theme + 1):
            item_id = f"{base}_{i}"
            while item_id in used:
                item_id += "x"
            used.add(item_id)
            item = [{"id": item_id, "text": "", "reverse": i == per_theme and per_theme >= 3,
                     "theme": theme}]
            text += yaml.safe_dump(item, sort_keys=False, allow_unicode=True, width=float("inf"))
    return text


def write_instrument_from_themes(interviews: Interviews, out: str | Path, *, overwrite: bool = False,
                                 **kwargs) -> Path:
    """Write :func:`instrument_from_themes` to ``out`` (never over a file unless ``overwrite``)."""
    out = Path(out)
    if out.exists() and not overwrite:
        raise InputError(code="problem_draft_exists", file=out)
    return write_text(out, instrument_from_themes(interviews, **kwargs))
