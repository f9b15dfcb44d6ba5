"""Sentences of a discovery folder's decisions that the terminal and ``solution.json`` say
without the report: the response-style decision (:func:`styles_sentence`) and the CFA check
(:func:`cfa_sentences`, :func:`cfa_coverage`).

Re-exported by :mod:`behaviortypes.report.render`, whose report says them too; they live here
so that a Swedish ``discover`` and its terminal lines do not import the report's stack
(Jinja2, matplotlib, the report's data and figures: about 1 CPU second) to be said.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .texts import Formatter

__all__ = ["styles_sentence", "cfa_sentences", "cfa_coverage", "CFA_CUTOFFS", "k_set_with_texts", "k_set_with_said"]


def styles_sentence(block: Mapping[str, Any] | None, t: Mapping[str, str], fmt: Formatter) -> str:
    """One sentence on the response-style decision (``solution.json`` ``response_styles``).

    Said in the report's language from the decision's evidence (which of the three
    conditions of :func:`behaviortypes.quality.decide_style_correction` decided it);
    an empty string for a folder written before the decision was recorded.
    """
    if not block:
        return ""
    ev, th = block.get("evidence") or {}, block.get("thresholds") or {}

    def val(key: str) -> float:
        v = ev.get(key)
        return math.nan if v is None else float(v)

    share, r = val("acquiescence_share"), val("split_half_r")
    if block.get("corrected"):
        return t["styles_corrected"].format(share=fmt.pct(share, 1), r=fmt.num(r, 2))
    if val("n_balanced_themes") < th.get("n_balanced_themes", 2.0) or not ev:
        return t["styles_none_unbalanced"]
    if not math.isfinite(val("split_half_p")):
        return t["styles_none_few"]
    if not val("split_half_p") < th.get("split_half_p", 0.01):
        return t["styles_none_unreliable"].format(r=fmt.num(r, 2))
    if not share >= th.get("acquiescence_share", 0.03):
        return t["styles_none_small"].format(share=fmt.pct(share, 1),
                                             min=fmt.pct(th.get("acquiescence_share", 0.03)))
    return t["styles_none_no_gain"]


#: Hu & Bentler (1999) cut-offs: (good, acceptable) per fit index; CFI and TLI at or above,
#: RMSEA at or below.
CFA_CUTOFFS = {"cfi": (0.95, 0.90), "tli": (0.95, 0.90), "rmsea": (0.06, 0.08)}


def _cfa_verdict(index: str, value: float) -> str:
    good, ok = CFA_CUTOFFS[index]
    if index == "rmsea":
        return "good" if value <= good else "acceptable" if value <= ok else "poor"
    return "good" if value >= good else "acceptable" if value >= ok else "poor"


def cfa_sentences(cfa: Mapping[str, Any] | None, t: Mapping[str, str], fmt: Formatter,
                  factor_names: Mapping[str, str] | None = None, n_items: int | None = None
                  ) -> dict[str, str | None] | None:
    """What the CFA check on a held-out half (``cfa.json``) says, in the language of ``t``.

    Returns None without a check; else ``fit`` (CFI, TLI and RMSEA, each with its
    verdict by :data:`CFA_CUTOFFS`: good, acceptable or poor) and ``cutoffs``, or a
    ``note`` when nothing trustworthy was fitted (no identifiable model, too few
    respondents, no convergence, a numerical failure); ``dropped`` names the
    dimensions left out of the model (fewer than two statements); ``missing`` says that
    respondents with unanswered statements were included by FIML (``cfa.json``'s
    ``missing`` is ``"ml"`` and ``n_complete`` < ``n``; None for older folders).
    ``fit`` ends with what the check covers (:func:`cfa_coverage`: "covers 9 of 25
    statements, 3 of 4 factors"; ``n_items``: the statements the factors were found on).
    """
    if not cfa:
        return None
    names = factor_names or {}
    dropped = [names.get(str(f), str(f)) for f in cfa.get("dropped_factors") or []]
    out: dict[str, str | None] = {"fit": None, "cutoffs": None, "note": None, "missing": None,
                                  "dropped": t["cfa_dropped"].format(factors=", ".join(dropped)) if dropped else None}
    code = str(cfa.get("note_code") or "")
    values = {k: cfa.get(k) for k in ("cfi", "tli", "rmsea")}
    if code or any(v is None or not math.isfinite(float(v)) for v in values.values()):
        out["note"] = t.get(f"cfa_{code}") or t["cfa_failed"]
        return out
    verdicts = {f"{k}_verdict": t[f"cfa_{_cfa_verdict(k, float(v))}"] for k, v in values.items()}
    out["fit"] = t["cfa_fit"].format(n=fmt.count(cfa.get("n") or 0), cfi=fmt.num(values["cfi"], 2),
                                     tli=fmt.num(values["tli"], 2), rmsea=fmt.num(values["rmsea"], 3), **verdicts)
    covers = cfa_coverage(cfa, t, n_items)
    out["fit"] += f" {covers}" if covers else ""
    out["cutoffs"] = t["cfa_cutoffs"]
    n, n_complete = int(cfa.get("n") or 0), cfa.get("n_complete")
    if cfa.get("missing") == "ml" and n_complete is not None and int(n_complete) < n:
        out["missing"] = t["cfa_missing_ml_of"].format(  # (user trial 22: "8 of them" read as a contradiction)
            n=fmt.count(n), n_complete=fmt.count(int(n_complete)), n_partial=fmt.count(n - int(n_complete)))
    return out


def cfa_coverage(cfa: Mapping[str, Any], t: Mapping[str, str], n_items: int | None = None) -> str:
    """"The check covers 9 of 25 statements, 3 of 4 factors." (user trial 12): the CFA tests
    only the statements loading |λ| ≥ 0.40 (``cfa.json`` ``model``) and leaves out factors
    with fewer than two (``dropped_factors``), so its verdict is about that part."""
    model = str(cfa.get("model") or "")
    tested = {x.strip() for line in model.splitlines() if "=~" in line
              for x in line.split("=~", 1)[1].split("+") if x.strip()}
    n_fac = sum("=~" in line for line in model.splitlines())
    if not tested or not n_fac:
        return ""
    total_fac = n_fac + len(cfa.get("dropped_factors") or [])
    if n_items and n_items >= len(tested):
        return t["cfa_covers"].format(items=len(tested), n_items=n_items, factors=n_fac, n_factors=total_fac)
    return t["cfa_covers_no_total"].format(items=len(tested), factors=n_fac, n_factors=total_fac)


#: the catalogue's sentences that say the number of types was "set with --k"
_SET_K_KEYS = ("k_reason_user", "k_continuum_todo_user")


def k_set_with_texts(t: Mapping[str, str], solution: Mapping[str, Any] | None) -> Mapping[str, str]:
    """The catalogue ``t`` with "--k" in its sentences about a number of types set by the
    user replaced by where the number came from, when ``solution.json`` records it
    (``k_set_with``: ``BT_K``, notebook 04's environment, or ``K``, its parameters cell);
    else ``t`` itself. User trial 24: notebook 04 said "4 types, as set with --k" when the
    number came from ``BT_K``."""
    name = (solution or {}).get("k_set_with")
    if not name or name == "--k":
        return t
    said_as = k_set_with_said(t, str(name))
    return {**t, **{key: text.replace("--k", said_as) for key, text in t.items()
                    if key.startswith(_SET_K_KEYS) and "--k" in text}}


def k_set_with_said(t: Mapping[str, str], name: str) -> str:
    """Where a number of types set by the user came from, in the language of ``t``:
    ``BT_K (the notebook's environment)``, ``K (the notebook's parameters cell)``."""
    return t["k_set_with_env" if name.startswith("BT_") else "k_set_with_parameter"].format(name=name)
