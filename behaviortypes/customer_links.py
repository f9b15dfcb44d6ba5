"""Respondents who share a customer id (user trial 12, finding F3).

The instrument's ``customer_id_column`` links each respondent to one customer of the
base (``lookalike``, ``profile --customers``). Two respondents with the same customer id
are one customer who answered twice, or a mix-up in the export: the survey can still be
analysed (they are two respondent ids), so ``check`` and ``discover`` warn in one line
naming the file, the column, the value and the rows; ``lookalike`` refuses, as it cannot
give one customer two types (:func:`repeated_customer_problem`).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

from .errors import Problem, SurveyQualityWarning

__all__ = ["repeated_customer_problem", "warn_repeated_customers", "IdsSeen", "link_ids_hint"]

#: How many ids of each side a hint shows.
ID_EXAMPLES = 3


def repeated_customer_problem(survey: Any, code: str = "warn_customer_id_repeated", *,
                              among: Iterable[str] | None = None) -> Problem | None:
    """The problem of respondents sharing a customer id (``None`` when every id is once).

    Parameters
    ----------
    survey : Survey
        As read by :func:`behaviortypes.readers.load_survey` (its ``responses`` keep the
        file's row numbers in ``attrs["file_rows"]``).
    code : str
        The catalogue's sentence: the warning's (``check``, ``discover``) or the refusal's
        (``problem_link_respondents_repeated``, ``lookalike``).
    among : iterable of str, optional
        Only these respondent ids (the kept ones a lookalike links); default: all.
    """
    column = survey.instrument.customer_id_column
    responses = survey.responses
    if not column or column not in responses.columns:
        return None
    ids = responses[column].astype("string").str.strip()
    ids = ids.where(ids != "")
    if among is not None:
        ids = ids.where(responses.index.isin(list(among)))
    repeated = ids.duplicated(keep=False) & ids.notna()
    if not repeated.any():
        return None
    first = ids[repeated].iloc[0]
    same = (ids == first).fillna(False).to_numpy()
    rows = responses.attrs.get("file_rows") or list(range(2, len(responses) + 2))
    rows = [int(r) for r, s in zip(rows, same) if s]
    respondents = ", ".join(map(str, responses.index[same][:5]))
    others = int(ids[repeated].nunique()) - 1
    return Problem(code=code, file=survey.responses_file, column=column, rows=rows, value=str(first),
                   values={"value": str(first), "n": int(same.sum()), "respondents": respondents,
                           "others": others, "column": column})


def warn_repeated_customers(survey: Any) -> bool:
    """Warn (one :class:`~behaviortypes.errors.SurveyQualityWarning` line, said in the
    study's language by the command line) when respondents share a customer id. Returns
    whether it warned."""
    problem = repeated_customer_problem(survey)
    if problem is None:
        return False
    warnings.warn(SurveyQualityWarning(str(problem), problem=problem), stacklevel=2)
    return True



class IdsSeen:
    """What a pass over a customer base saw of its ids, for the hint when few respondents
    link (user trial 22: ``000100`` in the survey, ``100`` in the base, and no example of
    the base's ids): its first ids, and how many survey ids match a base id once leading
    zeros are removed from both (bounded memory: one batch at a time).

    ``survey_ids``: the survey's customer ids (text, stripped)."""

    def __init__(self, survey_ids: Iterable[str]) -> None:
        self.survey = [str(s) for s in survey_ids]
        self._bare = {}
        for s in self.survey:
            self._bare.setdefault(_no_zeros(s), s)
        self._survey_set = set(self.survey)
        self.examples: list[str] = []
        self.zero_pair: tuple[str, str] | None = None
        self.n_zero = 0

    def see(self, ids: Any) -> None:
        """One batch of the base's ids (a Series of text, stripped)."""
        import pandas as pd

        ids = pd.Series(ids, dtype="string").dropna()
        ids = ids[ids != ""]  # an empty id is no id (not "0", which would match a survey's "000")
        if len(self.examples) < ID_EXAMPLES:
            self.examples += [str(v) for v in ids.head(ID_EXAMPLES - len(self.examples))]
        bare = ids[~ids.isin(self._survey_set)].map(_no_zeros)
        hit = bare[bare.isin(self._bare.keys())]
        self.n_zero += int(hit.nunique())
        if self.zero_pair is None and len(hit):
            self.zero_pair = (self._bare[hit.iloc[0]], str(ids.loc[hit.index[0]]))


def _no_zeros(value: str) -> str:
    """An id without its leading zeros ("000100" → "100"; "000" → "0")."""
    return str(value).lstrip("0") or ("0" if str(value) else "")


def link_ids_hint(seen: IdsSeen, *, link: str, column: str, file: str) -> Any:
    """The hint when no or too few respondents link to the base: the ids of both sides as
    examples (``problem_link_ids_hint``), or, when some match once leading zeros are
    removed, that and an example pair (``problem_link_ids_zeros_hint``): they are never
    matched silently."""
    from .errors import Said

    def shown(ids: list[str]) -> str:
        return ", ".join(ids[:ID_EXAMPLES]) or "-"

    if seen.zero_pair is not None:
        return Said("problem_link_ids_zeros_hint", {
            "n": seen.n_zero, "link": link, "column": column, "file": file,
            "survey_one": seen.zero_pair[0], "base_one": seen.zero_pair[1]})
    return Said("problem_link_ids_hint", {"link": link, "column": column, "file": file,
                                          "survey": shown(seen.survey), "base": shown(seen.examples)})
