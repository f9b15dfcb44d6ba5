"""The CFA check with missing answers: full-information ML against lavaan (issue: the
demo's check used 278 of 524 held-out respondents, the complete ones)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from behaviortypes.factors import cfa_check
from behaviortypes.factors.fiml import fiml_cfa
from behaviortypes.threads import one_thread

DATA = Path(__file__).parent / "data" / "real"
REF = json.loads((DATA / "cfa_reference.json").read_text())
TRAITS = "ACENO"
BFI_MODEL = "\n".join(f"{t} =~ " + " + ".join(f"{t}{i}" for i in range(1, 6)) for t in TRAITS)


@pytest.fixture(scope="module")
def bfi():
    return pd.read_csv(DATA / "bfi.csv.gz")


def _fiml(frame, model):
    import semopy

    with one_thread(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fiml_cfa(frame, semopy.Model(model))


def _agrees(ours, ref, no_means_p=None):
    """``no_means_p``: the number of statements when lavaan fitted without a mean structure
    (listwise), whose SRMR leaves the p mean residuals (zero on complete data) out."""
    assert ours["n"] == ref["ntotal"]
    assert ours["df"] == ref["df"]
    assert ours["chi2"] == pytest.approx(ref["chisq"], rel=1e-4)
    assert ours["loglik"] == pytest.approx(ref["logl"], abs=0.05)
    assert ours["loglik_h1"] == pytest.approx(ref["unrestricted.logl"], abs=0.05)
    for key in ("cfi", "tli", "rmsea"):
        assert ours[key] == pytest.approx(ref[key], abs=5e-4), key
    srmr, p = ours["srmr"], no_means_p
    if p:
        srmr *= np.sqrt((p * (p + 1) / 2 + p) / (p * (p + 1) / 2))
    assert srmr == pytest.approx(ref["srmr"], abs=5e-4)
    assert ours["converged"]


def test_fiml_cfa_agrees_with_lavaan_missing_ml_on_bfi(bfi):
    ours = _fiml(bfi, BFI_MODEL)
    _agrees(ours, REF["bfi_ml"])
    assert ours["n_complete"] == 2436


def test_fiml_cfa_on_complete_answers_is_lavaans_listwise_fit(bfi):
    _agrees(_fiml(bfi.dropna(), BFI_MODEL), REF["bfi_listwise"], no_means_p=25)


def test_fiml_cfa_agrees_with_lavaan_where_half_the_answers_are_missing():
    msq = pd.read_csv(DATA / "msq.csv.gz")
    msq.columns = [c.replace(".", "_") for c in msq.columns]
    model = REF["msq_model"]
    cols = [c.strip() for line in model.splitlines() for c in line.split("=~")[1].split("+")]
    ours = _fiml(msq[cols], model)  # three respondents answered none of them: left out
    _agrees(ours, REF["msq_ml"])
    assert ours["n_complete"] == 1885


def _design_loadings(columns):
    L = pd.DataFrame(0.0, index=columns, columns=list(TRAITS))
    for c in columns:
        L.loc[c, c[0]] = 0.7
    return L


def test_cfa_check_keeps_respondents_with_missing_answers(bfi):
    L = _design_loadings(bfi.columns)
    ml = cfa_check(bfi, L, random_state=0, warn=False)
    lw = cfa_check(bfi, L, random_state=0, warn=False, missing="listwise")
    held = bfi.set_axis([str(i) for i in bfi.index]).loc[ml["holdout_index"]]
    assert ml["missing"] == "ml" and lw["missing"] == "listwise"
    assert ml["n"] == int(held.notna().any(axis=1).sum()) == 1400
    assert ml["n_complete"] == lw["n"] == int(held.notna().all(axis=1).sum()) < 1300
    assert ml["df"] == lw["df"] == REF["bfi_ml"]["df"]
    assert abs(ml["cfi"] - REF["bfi_ml"]["cfi"]) < 0.03  # a half of the same data
    assert ml["converged"] and not ml["note_code"]


def test_cfa_check_without_missing_answers_is_unchanged(bfi):
    L = _design_loadings(bfi.columns)
    complete = bfi.dropna().reset_index(drop=True)
    ml = cfa_check(complete, L, random_state=3, warn=False)
    lw = cfa_check(complete, L, random_state=3, warn=False, missing="listwise")
    for key in ("n", "chi2", "df", "cfi", "tli", "rmsea", "srmr"):
        assert ml[key] == lw[key], key
    assert ml["missing"] == "listwise" and ml["n"] == ml["n_complete"]


def test_cfa_check_refuses_an_unknown_missing_option(bfi):
    from behaviortypes.errors import InputError

    with pytest.raises(InputError, match="missing must be"):
        cfa_check(bfi, _design_loadings(bfi.columns), missing="pairwise")


@pytest.mark.parametrize("lang, words", [("en", "full-information maximum likelihood"),
                                         ("sv", "full-information maximum likelihood (som lavaans")])
def test_the_appendix_says_that_incomplete_respondents_are_in_the_check(lang, words):
    from behaviortypes.report.render import Formatter, cfa_sentences, load_texts

    cfa = {"n": 524, "n_complete": 278, "missing": "ml", "cfi": 0.95, "tli": 0.94,
           "rmsea": 0.04, "note_code": "", "dropped_factors": []}
    said = cfa_sentences(cfa, load_texts(lang), Formatter(lang))
    assert words in said["missing"] and "278" in said["missing"]
    old = {k: v for k, v in cfa.items() if k not in ("n_complete", "missing")}  # before session 13
    assert cfa_sentences(old, load_texts(lang), Formatter(lang))["missing"] is None


def test_cfi_is_bounded_at_one_as_lavaan_reports_it():
    """User trial 9: "CFI 1,01 (god)" — semopy's CFI passes 1 when the chi-square is below its
    df; lavaan's (Bentler 1990) is 1 - max(chi2 - df, 0) / max(chi2 - df, chi2_b - df_b, 0).
    Two planted factors, 400 answers: this seed's chi2 is 6.1 on 8 df."""
    loadings = pd.DataFrame(0.0, index=[f"q{i}" for i in range(1, 7)], columns=["F1", "F2"])
    loadings.iloc[:3, 0] = loadings.iloc[3:, 1] = 0.7
    rng = np.random.default_rng(1)
    f = rng.multivariate_normal([0, 0], [[1, 0.3], [0.3, 1]], size=400)
    x = f @ loadings.to_numpy().T + rng.normal(0, np.sqrt(0.51), size=(400, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = cfa_check(pd.DataFrame(x, columns=loadings.index), loadings, random_state=0, warn=False)
    assert res["chi2"] < res["df"]
    assert res["cfi"] == 1.0
    assert res["tli"] > 1.0  # lavaan leaves TLI unbounded (it is a ratio, not a share)
