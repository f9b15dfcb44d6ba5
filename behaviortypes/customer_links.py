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

__all__ = ["repeated_customer_problem", "warn_repeated_customers"]


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

