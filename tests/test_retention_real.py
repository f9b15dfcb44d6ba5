"""The number of factors on real, public data (tests/data/real, see its README).

On each data set the unaided number of factors must lie within the range of R psych's
parallel analysis (``fa.parallel``) and Velicer's MAP, and our port of psych's rule must
give psych's numbers. The evidence table must show why.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from behaviortypes.errors import SurveyQualityWarning
from behaviortypes.factors import FactorModel, fa_parallel, velicer_map

DATA = Path(__file__).parent / "data" / "real"

#: data set -> (psych fa.parallel nfact, psych MAP minimum, designed number of factors)
REFERENCE = {
    "bfi": (6, 5, 5),
    "ability": (4, 2, 4),
    "holzinger_swineford1939": (3, 2, 3),
    "thurstone": (3, 3, 3),
    "harman8": (2, 2, 2),
    "holzinger": (4, 2, 4),
    "neo": (5, 5, 5),
    "epi": (12, 4, 3),
}
CORR_N = {"thurstone": 213, "harman8": 305, "holzinger": 355, "neo": 1000}


def exact_corr_data(R: np.ndarray, n: int, seed: int = 0) -> pd.DataFrame:
    """Data whose sample correlation matrix is exactly ``R``."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n, len(R)))
    Z -= Z.mean(0)
    Z = Z @ np.linalg.inv(np.linalg.cholesky(np.cov(Z, rowvar=False))).T
    return pd.DataFrame(Z @ np.linalg.cholesky(R).T, columns=[f"v{j + 1}" for j in range(len(R))])


def load(name: str) -> pd.DataFrame:
    if name in CORR_N:
        R = pd.read_csv(DATA / f"{name}_corr.csv", index_col=0)
        X = exact_corr_data(R.to_numpy(float), CORR_N[name])
        X.columns = [str(c) for c in R.columns]
        return X
    return pd.read_csv(DATA / f"{name}.csv.gz")


def fit(X: pd.DataFrame, **kw) -> FactorModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        return FactorModel(random_state=0, **kw).fit(X)


def check(name: str, *, clean: bool = True) -> FactorModel:
    pa_ref, map_ref, _ = REFERENCE[name]
    fm = fit(load(name))
    a = fm.retention_.attrs
    assert a["pa_n_factors"] == pa_ref
    assert a["map_n_factors"] == map_ref
    assert min(pa_ref, map_ref) <= fm.n_factors_ <= max(pa_ref, map_ref)
    row = fm.retention_.loc[fm.n_factors_]
    assert row["chosen"] and (row["n_minor"] == 0 or not clean)
    assert fm.retention_reason_ == row["reason"]
    assert f"suggests {pa_ref}" in fm.retention_reason_
    assert f"Velicer's MAP {map_ref}" in fm.retention_reason_
    return fm


@pytest.mark.parametrize("name", ["ability", "holzinger_swineford1939", "thurstone", "harman8",
                                  "holzinger", "neo"])
def test_number_of_factors_within_psych_range(name):
    check(name)


def test_bfi_reproduces_psych_and_keeps_the_five_traits():
    fm = check("bfi")
    assert fm.n_factors_ == 5
    ret = fm.retention_
    # psych's factor eigenvalues: factor 7 does not clear the simulated threshold
    assert ret.loc[6, "eigenvalue"] > ret.loc[6, "pa_threshold"]
    assert ret.loc[7, "eigenvalue"] < ret.loc[7, "pa_threshold"]
    # the 6th factor of the 6-factor solution has no statement of its own
    assert ret.loc[6, "n_minor"] == 1 and ret.loc[6, "salient"].endswith("/0")
    assert "F6: 0" in fm.retention_reason_ and "so 5 factors are kept" in fm.retention_reason_
    # the five traits: each factor's main statements are one trait's five
    main = fm.loadings_.abs().idxmax(axis=1)
    groups = {f: sorted({it[0] for it in main.index[main == f]}) for f in fm.loadings_.columns}
    assert sorted(len(g) for g in groups.values()) == [1] * 5
    # psych's fit line for fa(bfi[1:25], 5): RMSEA ~ .056 with a narrow 90 % interval
    assert fm.fit_["rmsea_low"] < fm.fit_["rmsea"] < fm.fit_["rmsea_high"] < 0.07
    assert ret.loc[5, "rmsea"] < ret.loc[4, "rmsea"] and ret.loc[5, "tli"] > ret.loc[4, "tli"]


def test_bfi_psych_numbers_do_not_depend_on_the_seed():
    X = load("bfi")
    for seed in (1, 2, 3):
        assert fa_parallel(X, random_state=seed).attrs["n_factors"] == 6
    m = velicer_map(X)
    assert int(m["map"].iloc[1:].idxmin()) == 5


@pytest.mark.slow
def test_epi_many_binary_items():
    fm = check("epi", clean=False)
    # 4 of psych's 12 factors are near-empty; the rest is kept, with a warning when the
    # kept solution still has minor factors
    assert fm.n_factors_ == 8 and fm.retention_.loc[12, "n_minor"] == 4
