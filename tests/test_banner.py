"""Tests for behaviortypes.describe: banner tables, Rao–Scott, BCH outcomes, covariates, CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from behaviortypes.describe import (
    banner_table,
    banner_tests,
    bch_weights,
    classification_error_matrix,
    covariate_model,
    outcome_means,
    rao_scott,
)
from behaviortypes.errors import InputError
from behaviortypes.instrument import instrument_from_dict


# ----------------------------------------------------------------------------- helpers
def _planted(seed: int, n: int = 2000, sep: float = 1.5):
    """Three latent types with known posteriors (a known Gaussian mixture), a covariate
    that shifts membership, an outcome with known type means and a 0/1 outcome."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, n)
    eta = np.column_stack([np.zeros(n), -0.5 + 0.8 * (x == 1), 0.3 - 0.7 * (x == 2)])
    pi = np.exp(eta)
    pi /= pi.sum(1, keepdims=True)
    t = (pi.cumsum(1) > rng.random(n)[:, None]).argmax(1)
    mu = np.array([[0, 0], [sep, 0], [0, sep]])
    obs = mu[t] + rng.standard_normal((n, 2))
    ll = -0.5 * ((obs[:, None, :] - mu[None]) ** 2).sum(2)
    post = np.exp(ll) * pi.mean(0)  # exact posterior given the observations (not x)
    post /= post.sum(1, keepdims=True)
    idx = pd.Index([f"r{i}" for i in range(n)], name="respondent_id")
    proba = pd.DataFrame(post, columns=["p_1", "p_2", "p_3"], index=idx)
    means, rates = np.array([10.0, 12.0, 15.0]), np.array([0.1, 0.3, 0.6])
    y = means[t] + 3 * rng.standard_normal(n)
    b = (rng.random(n) < rates[t]).astype(float)
    return proba, pd.Series(t + 1, index=idx), x, pd.DataFrame({"y": y, "b": b}, index=idx), means, rates


# ----------------------------------------------------------------------------- banner
def test_weighted_shares_and_intervals_by_hand():
    idx = [f"r{i}" for i in range(8)]
    types = pd.Series([1, 1, 1, 1, 2, 2, 2, 2], index=idx)
    data = pd.DataFrame({"g": ["a", "a", "b", None, "a", "b", "b", "b"]}, index=idx)
    w = pd.Series([1.0, 2.0, 1.0, 5.0, 1.0, 1.0, 2.0, 4.0], index=idx)
    tab = banner_table(types, data, weights=w, min_cell=1).set_index(["level", "type_id"])
    # type 1 with an answer: r0 (1), r1 (2) at a; r2 (1) at b -> a: 3/4
    assert tab.loc[("a", 1), "share"] == pytest.approx(3 / 4)
    assert tab.loc[("a", 1), "n"] == 2
    assert tab.loc[("b", 2), "share"] == pytest.approx(7 / 8)
    assert tab.loc[("a", 1), "overall_share"] == pytest.approx(4 / 12)
    # Wilson on Kish n of type 1's answering respondents (weights 1, 2, 1)
    ne = 4**2 / 6
    z = stats.norm.ppf(0.975)
    p = 0.75
    centre = (p + z**2 / (2 * ne)) / (1 + z**2 / ne)
    half = z * np.sqrt(p * (1 - p) / ne + z**2 / (4 * ne**2)) / (1 + z**2 / ne)
    assert tab.loc[("a", 1), "ci_low"] == pytest.approx(centre - half)
    assert tab.loc[("a", 1), "ci_high"] == pytest.approx(min(1, centre + half))
    # type vs rest z-test on Kish effective sizes, by hand
    ne2 = 8**2 / (1 + 1 + 4 + 16)
    p2 = 1 / 8
    pooled = (ne * p + ne2 * p2) / (ne + ne2)
    zz = (p - p2) / np.sqrt(pooled * (1 - pooled) * (1 / ne + 1 / ne2))
    assert tab.loc[("a", 1), "p_value"] == pytest.approx(2 * stats.norm.sf(abs(zz)))


def test_unweighted_pvalues_match_scipy_and_bh_matches_statsmodels():
    rng = np.random.default_rng(4)
    n = 600
    types = pd.Series(rng.integers(1, 5, n))
    g = np.where(types == 2, rng.choice(list("xyz"), n, p=[0.5, 0.3, 0.2]), rng.choice(list("xyz"), n))
    tab = banner_table(types, pd.DataFrame({"g": g}), min_cell=1)
    for _, row in tab.iterrows():
        mine, at = types.to_numpy() == row["type_id"], g == row["level"]
        ct = pd.crosstab(mine, at)
        ref = stats.chi2_contingency(ct, correction=False)
        assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    _, adj, _, _ = multitest.multipletests(tab["p_value"], method="fdr_bh")
    assert_allclose(tab["p_adjusted"], adj, rtol=1e-12)
    assert tab["significant"].equals(tab["p_adjusted"] < 0.05)
    assert tab.query("type_id == 2 and level == 'x'")["significant"].item()


def test_small_cells_suppressed_with_secondary_and_small_types():
    idx = [f"r{i}" for i in range(130)]
    types = pd.Series([1] * 100 + [2] * 25 + [3] * 5, index=idx)
    g = ["a"] * 60 + ["b"] * 35 + ["c"] * 5 + ["a"] * 12 + ["b"] * 12 + ["c"] * 1 + ["a"] * 5
    tab = banner_table(types, pd.DataFrame({"g": g}, index=idx), min_cell=10, min_type_size=10)
    t = tab.set_index(["type_id", "level"])
    # level c has 6 respondents in all -> folded with the next smallest level (b) into one row
    # (FIX24B: before, b was hidden whole with it, so that c could not be recovered as 1 - the others)
    assert "c" not in set(tab["level"]) and t.loc[(1, "b / c"), "n"] == 40
    assert t["overall_share"].notna().all()
    assert tab.loc[tab["type_id"] == 3, ["n", "share", "p_value"]].isna().all().all()
    assert not tab["significant"][tab["p_value"].isna()].any()


def test_no_hidden_cell_can_be_recovered_from_a_total():
    """Over random small tables, no type column or level row has exactly one hidden count."""
    for seed in range(30):
        rng = np.random.default_rng(seed)
        n = int(rng.integers(60, 300))
        types = pd.Series(rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1]) + 1)
        g = pd.DataFrame({"g": rng.choice(list("abcde"), n, p=[0.4, 0.25, 0.15, 0.12, 0.08])})
        tab = banner_table(types, g, min_cell=10)
        hidden = tab.assign(h=tab["n"].isna())
        for key in ("type_id", "level"):
            counts = hidden.groupby(key)["h"].agg(["sum", "size"])
            assert not ((counts["sum"] == 1) & (counts["size"] > 2)).any(), (seed, key)
        shown = tab.dropna(subset=["n"])
        assert ((shown["n"] >= 10) | (shown["n"] == 0)).all()


def test_rao_scott_unweighted_is_pearson_scaled():
    rng = np.random.default_rng(1)
    n = 400
    r, c = rng.integers(0, 3, n), rng.integers(0, 4, n)
    res = rao_scott(r, c)
    ref = stats.chi2_contingency(pd.crosstab(r, c), correction=False)
    assert res["chi2"] == pytest.approx(ref.statistic, rel=1e-10)
    assert res["df"] == 6
    assert res["deff_mean"] == pytest.approx(n / (n - 1), rel=1e-10)
    assert res["p_value_rs1"] == pytest.approx(stats.chi2.sf(ref.statistic * (n - 1) / n, 6), rel=1e-9)
    assert res["df1_rs2"] == pytest.approx(6)


@pytest.mark.slow
def test_rao_scott_keeps_its_size_with_variable_weights_where_pearson_does_not():
    """Independence planted; weights that vary a lot (design effect ~2.7): the naive
    Pearson test on the weighted table rejects far too often, Rao–Scott near 5 %."""
    rng = np.random.default_rng(7)
    naive, first, second = [], [], []
    for _ in range(300):
        n = 400
        r, c = rng.integers(0, 3, n), rng.integers(0, 3, n)
        w = rng.lognormal(0, 1.0, n)
        res = rao_scott(r, c, w)
        naive.append(stats.chi2.sf(res["chi2"], res["df"]) < 0.05)
        first.append(res["p_value_rs1"] < 0.05)
        second.append(res["p_value"] < 0.05)
    assert np.mean(naive) > 0.12
    assert 0.02 <= np.mean(first) <= 0.09
    assert 0.02 <= np.mean(second) <= 0.09


@pytest.mark.slow
def test_unrelated_descriptor_gives_no_significant_cells():
    """Types and a descriptor drawn independently (five types, 350 weighted respondents,
    small cells suppressed), 40 seeds: after BH at 5 % a table with any significant cell
    turns up in about 6-7 % of the seeds (measured over 300 seeds); we allow 5 of 40."""
    hits, rs_hits = 0, 0
    for seed in range(40):
        rng = np.random.default_rng(100 + seed)
        n = 350
        types = pd.Series(rng.choice(5, n, p=[0.33, 0.2, 0.19, 0.16, 0.12]) + 1)
        g = pd.DataFrame({"g": rng.choice(["18-34", "35-54", "55+", "x", "y"], n,
                                          p=[0.35, 0.25, 0.15, 0.1, 0.15])})
        w = pd.Series(rng.lognormal(0, 0.4, n))
        tab = banner_table(types, g, weights=w, min_cell=10)
        hits += bool(tab["significant"].any())
        rs_hits += bool(banner_tests(types, g, weights=w)["significant"].item())
        assert tab["p_adjusted"].isna().equals(tab["share"].isna())
    assert hits <= 5, hits
    assert rs_hits <= 5, rs_hits


# ----------------------------------------------------------------------------- three-step
def test_classification_error_matrix_and_bch_weights():
    P = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.3, 0.7]])
    D = classification_error_matrix(P)
    # D[t, s] = sum_i p_it [s_i = s] / sum_i p_it
    assert_allclose(D[0], [1.5 / 2.0, 0.5 / 2.0])
    assert_allclose(D[1], [0.5 / 2.0, 1.5 / 2.0])
    d = bch_weights(P)
    assert_allclose(d.sum(1), 1.0)
    assert_allclose(d[0], np.linalg.inv(D)[0])
    assert_allclose(d[2], np.linalg.inv(D)[1])


def test_bch_closer_to_truth_than_modal_and_intervals_cover():
    covered, total = 0, 0
    for seed in range(6):
        proba, _, _, outs, means, rates = _planted(seed)
        tab = outcome_means(proba, outs)
        for var, truth in (("y", means), ("b", rates)):
            bch = tab.query("variable == @var and method == 'bch'").sort_values("type_id")
            modal = tab.query("variable == @var and method == 'modal'").sort_values("type_id")
            err_bch = np.abs(bch["mean"].to_numpy() - truth).sum()
            err_modal = np.abs(modal["mean"].to_numpy() - truth).sum()
            assert err_bch < 0.6 * err_modal, (seed, var, err_bch, err_modal)
            covered += int(((bch["ci_low"] <= truth) & (truth <= bch["ci_high"])).sum())
            total += 3
    assert covered / total >= 0.85, covered / total


def test_outcome_means_modal_is_the_weighted_mean_of_the_assigned():
    proba, types, _, outs, _, _ = _planted(0, n=500)
    w = pd.Series(np.random.default_rng(0).uniform(0.5, 2, 500), index=proba.index)
    tab = outcome_means(proba, outs, weights=w).query("variable == 'y' and method == 'modal'")
    assigned = proba.to_numpy().argmax(1) + 1
    for _, row in tab.iterrows():
        m = assigned == row["type_id"]
        assert row["mean"] == pytest.approx(np.average(outs["y"][m], weights=w[m]))
        assert row["n"] == m.sum()
    assert tab["overall_mean"].iloc[0] == pytest.approx(np.average(outs["y"], weights=w))


@pytest.mark.slow
def test_bch_matches_stepmix():
    stepmix = pytest.importorskip("stepmix")
    rng = np.random.default_rng(3)
    n = 900
    t = rng.integers(0, 3, n)
    X = np.array([[0, 0], [1.6, 0], [0, 1.6]])[t] + rng.standard_normal((n, 2))
    Y = (np.array([1.0, 2.0, 4.0])[t] + rng.standard_normal(n)).reshape(-1, 1)
    model = stepmix.StepMix(n_components=3, measurement="gaussian_unit", structural="gaussian_unit",
                            n_steps=3, correction="BCH", assignment="modal", random_state=0,
                            verbose=0, progress_bar=0)
    model.fit(X, Y)
    post = model.predict_proba(X)
    proba = pd.DataFrame(post, columns=["p_1", "p_2", "p_3"])
    tab = outcome_means(proba, pd.DataFrame({"y": Y[:, 0]})).query("method == 'bch'")
    theirs = np.asarray(model.get_parameters()["structural"]["means"]).ravel()
    assert_allclose(tab.sort_values("type_id")["mean"], theirs, rtol=1e-6)


def test_covariate_model_naive_matches_statsmodels_and_ml_is_closer_to_truth():
    sm = pytest.importorskip("statsmodels.api")
    err_ml, err_naive = 0.0, 0.0
    for seed in range(3):
        proba, _, x, _, _, _ = _planted(seed, n=3000)
        cov = pd.DataFrame({"x": x}, index=proba.index)
        naive = covariate_model(proba, cov, correction="none", min_cell=1)
        ml = covariate_model(proba, cov, correction="ml", min_cell=1)
        assigned = proba.to_numpy().argmax(1)
        ref = int(naive["reference_type"].iloc[0]) - 1
        # statsmodels with the same reference: relabel so that the reference is class 0
        order = [ref] + [j for j in range(3) if j != ref]
        y = np.array([order.index(a) for a in assigned])
        design = np.column_stack([np.ones(len(x)), x == 1, x == 2]).astype(float)
        fit = sm.MNLogit(y, design).fit(disp=0)
        for pos, j in enumerate(order[1:]):
            mine = naive[naive["type_id"] == j + 1].set_index("level")
            assert_allclose(mine.loc[["1", "2"], "coef"], np.asarray(fit.params)[1:, pos], atol=1e-4)
            assert_allclose(mine.loc[["1", "2"], "se"], np.asarray(fit.bse)[1:, pos], rtol=0.1)
        # truth: eta = [0, -0.5 + 0.8 [x=1], 0.3 - 0.7 [x=2]]
        beta = np.array([[0, 0, 0], [-0.5, 0.8, 0], [0.3, 0, -0.7]])
        for j in range(3):
            if j == ref:
                continue
            true = beta[j, 1:] - beta[ref, 1:]
            for tab, acc in ((ml, "ml"), (naive, "naive")):
                got = tab[tab["type_id"] == j + 1].set_index("level").loc[["1", "2"], "coef"].to_numpy()
                if acc == "ml":
                    err_ml += np.abs(got - true).sum()
                else:
                    err_naive += np.abs(got - true).sum()
    assert err_ml < 0.6 * err_naive, (err_ml, err_naive)


# ----------------------------------------------------------------------------- instrument
def _inst(**extra):
    return {"id_column": "id", "scale": {"min": 1, "max": 5},
            "items": [{"id": f"q{i}", "text": "t"} for i in range(3)], **extra}


def test_instrument_descriptors_and_outcomes():
    inst = instrument_from_dict(_inst(
        descriptors=[{"column": "sex", "label": "Sex", "levels": {1: "Female", 2.0: "Male"}},
                     {"column": "age", "levels": ["18-34", "35+"]}],
        outcomes=[{"column": "nps", "label": "NPS"}]))
    assert inst.descriptors[0].levels == {"1": "Female", "2": "Male"}
    assert inst.descriptors[1].levels == ["18-34", "35+"]
    assert inst.outcomes[0].label == "NPS"
    with pytest.raises(InputError, match="unknown key 'descriptors.0.colum'"):
        instrument_from_dict(_inst(descriptors=[{"colum": "sex"}]))


# ----------------------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def small_study(tmp_path_factory):
    """``survey`` (generated, seed 5, 400 respondents) and ``out``, its discovery folder."""
    from sharedcache import small_english_discovered

    return small_english_discovered(tmp_path_factory, tmp_path_factory.mktemp("profile"))  # made once per run


def test_cli_profile_end_to_end(small_study, capsys):
    from openpyxl import load_workbook

    from behaviortypes.cli import main

    out, book = small_study / "out", small_study / "banner.xlsx"
    assert main(["profile", str(out), "--xlsx", str(book)]) == 0
    banner = pd.read_csv(out / "banner.csv")
    assert list(banner.columns) == ["variable", "level", "type_id", "n", "share", "ci_low", "ci_high",
                                    "overall_share", "p_value", "p_adjusted", "significant"]
    assert set(banner["variable"]) == {"age_band", "country", "region"}
    shown = banner.dropna(subset=["n"])
    assert ((shown["n"] >= 10) | (shown["n"] == 0)).all()
    assert banner["n"].isna().any()  # the small study has small cells, and they are hidden
    assert banner.groupby(["variable", "type_id"])["share"].sum().max() <= 1 + 1e-9
    tests = pd.read_csv(out / "banner_tests.csv").set_index("variable")
    assert tests["p_value"].between(0, 1).all() and (tests["deff_mean"] > 0.5).all()
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert list(outcomes.columns[:7]) == ["variable", "type_id", "method", "mean", "se", "ci_low", "ci_high"]
    assert set(outcomes["method"]) == {"modal", "bch"}
    churn = outcomes.query("variable == 'churned_12m'")
    assert churn["mean"].between(0, 1).all()
    cov = pd.read_csv(out / "covariates.csv")
    assert {"odds_ratio", "ci_low", "ci_high", "p_value"} <= set(cov.columns)
    # no respondent ids in any output
    ids = pd.read_csv(out / "assignments.csv", dtype=str)["respondent_id"]
    for name in ("banner.csv", "banner_tests.csv", "outcomes.csv", "covariates.csv", "profile.json"):
        text = (out / name).read_text()
        assert not any(i in text for i in ids[:50]), name
    wb = load_workbook(book)
    assert wb.sheetnames == ["Age", "Country", "Region", "outcomes", "notes"]  # sheets named by their labels (trial 12)
    formats = {c.number_format for row in wb["Age"].iter_rows() for c in row}
    sig = banner.query("variable == 'age_band'")["significant"].any()
    assert any("▲" in f or "▼" in f for f in formats) == sig
    meta = json.loads((out / "profile.json").read_text())
    assert meta["min_cell"] == 10 and meta["weighted"] is True
    # the summary never prints "p = 0" (user trial 5: 62,655 students); a tiny p is "p < 0.001"
    printed = " ".join(capsys.readouterr().out.split())
    ps = re.findall(r"Rao–Scott (p < 0\.001|p = [\d.e+-]+)", printed)
    assert ps and all(p == "p < 0.001" or float(p[4:]) >= 0.001 for p in ps), ps


def test_profile_xlsx_never_replaces_a_file_of_the_users(small_study, tmp_path, capsys):
    """``profile --xlsx`` onto a workbook behaviortypes did not write is refused with one
    line before any work, the file left as it was (user trial 4); its own banner
    workbook is replaced (re-running a profile)."""
    from openpyxl import Workbook

    from behaviortypes.cli import main

    out = small_study / "out"
    mine = tmp_path / "u2.xlsx"
    wb = Workbook()
    wb.active["A1"] = "my budget"
    wb.save(mine)
    before = mine.read_bytes()
    capsys.readouterr()
    assert main(["profile", str(out), "--xlsx", str(mine)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "u2.xlsx" in err and "banner workbook" in err
    assert mine.read_bytes() == before
    ours = tmp_path / "banner.xlsx"
    for _ in range(2):
        assert main(["profile", str(out), "--xlsx", str(ours)]) == 0


def test_cli_profile_with_customers_and_bad_columns(small_study, capsys):
    from behaviortypes.cli import main

    out, base = small_study / "out", small_study / "survey" / "customers.parquet"
    rc = main(["profile", str(out), "--by", "preferred_device,region", "--outcomes", "orders_12m",
               "--customers", str(base)])
    assert rc == 0
    banner = pd.read_csv(out / "banner.csv")
    assert set(banner["variable"]) == {"preferred_device", "region"}
    # trial 10: "Profiled 1136 respondents" by region, which only the 815 linked ones have
    import yaml

    said = capsys.readouterr().out
    inst = yaml.safe_load((small_study / "survey" / "instrument.yaml").read_text())
    resp = pd.read_csv(small_study / "survey" / "responses.csv", dtype=str).set_index(inst["id_column"])
    typed = pd.read_csv(out / "assignments.csv", dtype=str)["respondent_id"]
    ids = set(pd.read_parquet(base)[inst["customer_id_column"]].astype(str))
    linked = int(resp.loc[typed, inst["customer_id_column"]].isin(ids).sum())
    assert 0 < linked < len(typed)
    assert (f"preferred_device, orders_12m (from customers.parquet): {linked} of the {len(typed)} respondents are "
            "linked to the customer base") in said, said
    assert main(["profile", str(out), "--by", "agee"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "agee" in err and "age_band" in err
    assert main(["profile", str(out), "--outcomes", "country"]) == 2
    assert "not a number" in capsys.readouterr().err
    assert main(["profile", str(out), "--by", "s01"]) == 2
    assert "survey statement" in capsys.readouterr().err


def test_workbook_numbers_are_numbers_and_agree_with_the_report(small_study, tmp_path):
    """Counts are numeric cells (≥ only in the number format), the All count is filled,
    red marks "above" as in the report, and the report's banner page rounds as the
    workbook's number format does (half away from zero)."""
    from decimal import ROUND_HALF_UP, Decimal

    from openpyxl import load_workbook

    from behaviortypes.describe import banner_overview, profile_types_by, write_banner_workbook

    result = profile_types_by(small_study / "out")
    book = load_workbook(write_banner_workbook(result, tmp_path / "b.xlsx"))
    tests = result.tests.set_index("variable")
    hidden_any = False
    sheet = {d["column"]: d.get("label") or d["column"] for d in result.meta["descriptors"]}  # named by label
    for var, table in result.banner.groupby("variable", sort=False):
        ws = book[sheet[var]]
        head = [c.value for c in ws[4]]
        assert all(h.startswith(f"{t} · ") for h, t in zip(head[2:], sorted(table["type_id"].unique())))
        assert ws.row_dimensions[4].height >= 15 * max(2, max(len(h) // 14 + 1 for h in head[2:]))
        n_row = next(r for r in ws.iter_rows(min_row=5) if r[0].value == "n (respondents)")
        assert n_row[1].value == int(tests.loc[var, "n"]) and n_row[1].number_format == "#,##0"
        bases = result.meta["bases"][var]  # trial 7: the type's base, not a lower bound ("≥42")
        for cell, (t, ns) in zip(n_row[2:], table.groupby("type_id")["n"]):
            if str(t) not in bases:  # a type too small to show at all
                assert cell.value == "*"
                continue
            assert isinstance(cell.value, int) and cell.value == bases[str(t)] >= int(ns.sum())
            assert cell.number_format == "#,##0"
            assert cell.alignment.horizontal == "right"
            hidden_any |= bool(ns.isna().any())
        for row in ws.iter_rows(min_row=5, max_row=n_row[0].row - 1):
            for cell in row[1:]:
                assert isinstance(cell.value, float) or cell.value == "*"
                if "▲" in cell.number_format:
                    assert cell.font.color.rgb.endswith("B42318")  # red above, as the heatmaps
                if "▼" in cell.number_format:
                    assert cell.font.color.rgb.endswith("1F4E9A")
        notes = " ".join(str(r[0].value) for r in ws.iter_rows(min_row=n_row[0].row + 1) if r[0].value)
        assert "fewer than 10 respondents" in notes and "cannot be worked out from the type's size, the level's total or the other shares" in notes
    assert hidden_any  # the small study has hidden cells: the ≥ path was exercised

    def excel(x):  # what the workbook's "0%" format shows
        return str((Decimal(repr(float(x))) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)) + "%"

    ov = banner_overview(result, lang="en")
    assert "cannot be worked out from the type's size, the level's total or the other shares" in ov["lead"]
    assert [ty["name"] for ty in ov["types"]] == [h for h in head[2:]]  # "2 · name", as the workbook
    for tab, (var, table) in zip(ov["tables"], result.banner.groupby("variable", sort=False)):
        for row, (level, grp) in zip(tab["rows"], table.groupby("level", sort=False)):
            grp = grp.set_index("type_id").sort_index()
            for c, share in zip(row["cells"], grp["share"]):
                assert c["text"] == ("*" if pd.isna(share) else excel(share))


def test_workbook_outcome_labels_are_wrapped_not_cut(small_study, tmp_path):
    """SAPA spi (trial 3): "Exercise (1 very rarely - 6 more than 5x/week)" was cut at the
    column edge. Each outcome's label spans its three rows, wrapped, with room for every line."""
    import dataclasses
    import math
    import textwrap

    from openpyxl import load_workbook

    from behaviortypes.describe import profile_types_by, write_banner_workbook

    result = profile_types_by(small_study / "out")
    outcomes = list(result.outcomes["variable"].unique())
    assert outcomes
    long = {v: f"{v} (1 very rarely - 6 more than 5x/week, as asked in the screener)" for v in outcomes}
    meta = {**result.meta, "outcomes": [{**o, "label": long[o["column"]]} for o in result.meta["outcomes"]]}
    ws = load_workbook(write_banner_workbook(dataclasses.replace(result, meta=meta), tmp_path / "b.xlsx"))["outcomes"]
    width = ws.column_dimensions["A"].width
    merged = {str(m) for m in ws.merged_cells.ranges}
    for v in outcomes:
        cell = next(c for c in ws["A"] if c.value == long[v])  # the whole label, never cut
        assert cell.alignment.wrap_text and f"A{cell.row}:A{cell.row + 2}" in merged
        lines = len(textwrap.wrap(long[v], width=int(width) - 2))
        height = sum(ws.row_dimensions[r].height or 15.0 for r in range(cell.row, cell.row + 3))
        assert height >= 15.0 * lines  # every wrapped line has room
        assert max(len(w) for w in long[v].split()) <= width
    assert math.isfinite(width) and width <= 40


@pytest.mark.slow
def test_workbook_opens_in_libreoffice(small_study, tmp_path):
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    from behaviortypes.describe.profile import profile_types_by
    from behaviortypes.describe.workbook import write_banner_workbook

    book = write_banner_workbook(profile_types_by(small_study / "out"), tmp_path / "b.xlsx")
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                   check=True, capture_output=True, timeout=240)
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument(str(tmp_path / "b.pdf"))
    text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Age" in text and "Outcomes by type" in text and "%" in text


def test_words_and_template_partial(small_study):
    import jinja2

    from behaviortypes.describe.profile import load_profile, profile_types_by
    from behaviortypes.describe.words import banner_overview, who_they_are

    profile_types_by(small_study / "out").to_files()
    prof = load_profile(small_study / "out")
    sig = prof.banner[prof.banner["significant"]]
    for tid in sorted(prof.banner["type_id"].unique()):
        en = who_they_are(prof, tid, lang="en")
        sv = who_they_are(prof, tid, lang="sv")
        expected = min(4, int((sig["type_id"] == tid).sum()))
        assert len(en["lines"]) == len(sv["lines"]) == expected
        mine = sig[sig["type_id"] == tid]
        diff = (mine["share"] - mine["overall_share"])
        top = diff.reindex(diff.abs().sort_values(ascending=False).index).head(4)
        assert sum(": more often, " in x for x in en["lines"]) == int((top > 0).sum())
        assert sum(": less often, " in x for x in en["lines"]) == int((top < 0).sum())
        assert all(" vs " in x for x in en["lines"] + en["outcomes"])
        assert all(" mot " in x and "\u00a0%" in x or "," in x for x in sv["lines"])
    bch = prof.outcomes.query("method == 'bch'").dropna(subset=["mean"])
    outside = bch[(bch["ci_low"] > bch["overall_mean"]) | (bch["ci_high"] < bch["overall_mean"])]
    listed = sum(len(who_they_are(prof, t, max_outcomes=9)["outcomes"]) for t in bch["type_id"].unique())
    assert listed == len(outside)
    env = jinja2.Environment(loader=jinja2.PackageLoader("behaviortypes", "report/templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    html = env.from_string('{% from "who_they_are.html" import who_block, banner_page %}'
                           "{{ who_block(who) }}{{ banner_page(ov) }}").render(
        who=who_they_are(prof, 1, lang="sv"), ov=banner_overview(prof, lang="sv"))
    assert "Vilka de är" in html and "Ålder" not in html and "<table>" in html
    assert html.count("<table>") == prof.banner["variable"].nunique()


def test_profile_uses_spss_value_labels_and_picks_descriptors(small_study, tmp_path):
    """A .sav responses file: value labels name the levels; with no descriptors: listed,
    the other columns with 2-12 values are profiled; a changed file is warned about."""
    import shutil

    import pyreadstat
    import yaml

    from behaviortypes.describe.profile import profile_types_by
    from behaviortypes.errors import BehaviortypesWarning

    survey, out = tmp_path / "survey", tmp_path / "out"
    shutil.copytree(small_study / "out", out)
    survey.mkdir()
    inst = yaml.safe_load((small_study / "survey" / "instrument.yaml").read_text())
    del inst["descriptors"], inst["outcomes"]
    (survey / "instrument.yaml").write_text(yaml.safe_dump(inst))
    resp = pd.read_csv(small_study / "survey" / "responses.csv")
    resp["gender"] = np.where(np.arange(len(resp)) % 3 == 0, 2.0, 1.0)
    resp = resp.drop(columns=["age_band", "country"])
    resp["customer_id"] = resp["customer_id"].fillna("")
    pyreadstat.write_sav(resp, survey / "responses.sav",
                         variable_value_labels={"gender": {1.0: "Woman", 2.0: "Man"}})
    source = json.loads((out / "source.json").read_text())
    source["survey_dir"] = str(survey)
    (out / "source.json").write_text(json.dumps(source))
    with pytest.warns(BehaviortypesWarning, match="changed since"):
        result = profile_types_by(out)
    assert set(result.banner["variable"]) >= {"gender", "region", "churned_12m"}
    assert set(result.banner.query("variable == 'gender'")["level"]) == {"Woman", "Man"}
    assert result.outcomes.empty


def test_constant_empty_and_wide_columns_are_one_line_errors(small_study, tmp_path, capsys):
    import shutil

    from behaviortypes.cli import main

    survey, out = tmp_path / "survey", tmp_path / "out"
    shutil.copytree(small_study / "out", out)
    shutil.copytree(small_study / "survey", survey)
    resp = pd.read_csv(survey / "responses.csv")
    resp["panel"] = "A"
    resp["empty"] = np.nan
    resp["postcode"] = [f"{i:05d}" for i in range(len(resp))]
    resp.to_csv(survey / "responses.csv", index=False)
    source = json.loads((out / "source.json").read_text())
    source["survey_dir"] = str(survey)
    (out / "source.json").write_text(json.dumps(source))
    for args, words in ((["--by", "panel"], "same value for every"),
                        (["--by", "empty"], "empty for every"),
                        (["--outcomes", "empty"], "empty for every"),
                        (["--by", "postcode"], "too many to tabulate"),
                        (["--by", "weight"], "survey weight")):
        with pytest.warns(Warning):  # the responses file changed since discover
            assert main(["profile", str(out), *args]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and words in err and args[1] in err, err


def test_banner_takes_probabilities_and_by():
    proba, types, x, outs, _, _ = _planted(2, n=400)
    data = pd.DataFrame({"x": x, "other": outs["b"]}, index=proba.index)
    from_proba = banner_table(proba, data, by=["x"])
    assigned = pd.Series(proba.to_numpy().argmax(1) + 1, index=proba.index)
    pd.testing.assert_frame_equal(from_proba, banner_table(assigned, data[["x"]]))
    assert set(banner_tests(proba, data, by=["x"])["variable"]) == {"x"}


def test_an_outcome_with_labelled_levels_is_warned_about(tmp_path):
    """The election trial: ``--outcomes VOTE3`` (1 Gore, 2 Bush, 3 Other) gave "mean VOTE3 =
    1.61" silently. An outcome that is a descriptor with three or more labelled levels is
    warned about (its mean needs ordered levels); a plain number is not."""
    import warnings

    import yaml

    from behaviortypes.describe import profile_types_by
    from behaviortypes.errors import BehaviortypesWarning
    from behaviortypes.pipeline import discover
    from behaviortypes.synth import make_study

    make_study(tmp_path / "survey", seed=5, n_respondents=300, n_customers=1000)
    responses = pd.read_csv(tmp_path / "survey" / "responses.csv")
    responses["channel"] = np.random.default_rng(0).integers(1, 4, len(responses))
    responses.to_csv(tmp_path / "survey" / "responses.csv", index=False)
    inst = yaml.safe_load((tmp_path / "survey" / "instrument.yaml").read_text())
    inst["descriptors"].append({"column": "channel", "levels": {1: "web", 2: "store", 3: "phone"}})
    (tmp_path / "survey" / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        discover(tmp_path / "survey", tmp_path / "out", seed=0, k=3, n_resamples=5, make_map=False)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", BehaviortypesWarning)
        profile_types_by(tmp_path / "out", by=["region"], outcomes=["nps", "channel"])
    texts = [str(w.message) for w in said if issubclass(w.category, BehaviortypesWarning)]
    assert any(t.startswith("outcome 'channel' is a descriptor with labelled levels (web, store, phone)")
               and "--by channel" in t for t in texts), texts
    assert not any("outcome 'nps'" in t for t in texts)


def _profile_outputs_state(out):
    import hashlib

    return {p.name: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(out.iterdir()) if p.name.startswith(("banner", "profile", "outcomes", "covariates"))}


def _unwritable_xlsx_places(tmp_path):
    """Workbook paths that cannot be written: an existing folder named like a workbook,
    and a file in a read-only folder (as root, whom chmod does not stop, a path below
    a file instead)."""
    import os

    folder = tmp_path / "dirx.xlsx"
    folder.mkdir()
    places = [folder]
    if os.geteuid() == 0:
        (tmp_path / "plain").write_text("x")
        places.append(tmp_path / "plain" / "b.xlsx")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        places.append(locked / "b.xlsx")
    return places


def test_profile_xlsx_that_cannot_be_written_is_refused_before_any_work(small_study, tmp_path, capsys):
    """``profile --xlsx FILE`` where FILE cannot be written (a read-only folder, an existing
    folder named like a workbook) is refused with one line naming FILE and how to fix it,
    before the banner CSVs and profile.json are rewritten (user trial s10); never a
    temporary file name the user never saw."""
    from behaviortypes.cli import main

    out = small_study / "out"
    main(["profile", str(out)])
    try:
        for book in _unwritable_xlsx_places(tmp_path):
            before = _profile_outputs_state(out)
            assert before
            capsys.readouterr()
            assert main(["profile", str(out), "--xlsx", str(book)]) == 2
            err = capsys.readouterr().err.strip()
            assert _profile_outputs_state(out) == before, book
            assert len(err.splitlines()) == 1, err
            assert book.name in err and "Hint:" in err and ".xlsx." not in err, err
    finally:
        for p in tmp_path.iterdir():
            p.chmod(0o755)


def test_workbook_outcome_interval_that_rounds_to_one_number_gets_decimals(small_study, tmp_path):
    """User trial 5 (62,655 respondents): an interval written "28% – 28%" says nothing; its
    ends get one more decimal (two at most) until they differ, as in the report."""
    import dataclasses

    from openpyxl import load_workbook

    from behaviortypes.describe import profile_types_by, write_banner_workbook

    result = profile_types_by(small_study / "out")
    var = result.outcomes["variable"].iloc[0]
    o = result.outcomes.copy()
    bch = (o["variable"] == var) & (o["method"] == "bch")
    first, second = o.index[bch][:2]
    o.loc[first, ["mean", "ci_low", "ci_high"]] = [3.2121, 3.2102, 3.2138]
    o.loc[second, ["mean", "ci_low", "ci_high"]] = [3.0, 2.5, 3.5]
    meta = dict(result.meta)

    def ci_cells(res):
        ws = load_workbook(write_banner_workbook(res, tmp_path / "b.xlsx"))["outcomes"]
        row = next(r for r in ws.iter_rows(min_row=5) if r[1].value == "95% interval")
        return [c.value for c in row[3:5]]

    assert ci_cells(dataclasses.replace(result, outcomes=o)) == ["3.210 – 3.214", "2.50 – 3.50"]
    o.loc[first, ["mean", "ci_low", "ci_high"]] = [0.2787, 0.2752, 0.2822]
    o.loc[second, ["mean", "ci_low", "ci_high"]] = [0.3, 0.27, 0.33]
    meta["outcomes"] = [{**x, "binary": x["column"] == var} for x in meta["outcomes"]]
    assert ci_cells(dataclasses.replace(result, outcomes=o, meta=meta)) == ["27.5% – 28.2%", "27% – 33%"]


#: The banner workbook's own English texts before session 12 (sheet names, headers, legends, notes).
WORKBOOK_ENGLISH = ("Column %", "n (respondents)", "Association with the type", "significantly higher",
                    "fewer than", "at least that many", "Outcomes by type", "Bias-adjusted", "bias-adjusted",
                    "95% interval", "assigned types", "How to read", "survey-weighted", "differs from everyone",
                    "red: above", " df, p")


def _workbook_texts(book) -> list[str]:
    return [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)]


def test_workbook_in_swedish(small_study, tmp_path, capsys):
    """profile --lang sv (or a Swedish study): every text of the banner workbook is Swedish."""
    import dataclasses

    from openpyxl import load_workbook

    from behaviortypes.cli import main
    from behaviortypes.describe.profile import load_profile
    from behaviortypes.describe.workbook import write_banner_workbook

    out, book = small_study / "out", tmp_path / "banner_sv.xlsx"
    assert main(["profile", str(out), "--xlsx", str(book), "--lang", "sv"]) == 0
    printed = capsys.readouterr().out
    assert f"Skrev {book}" in printed and "Wrote" not in printed
    assert re.search(r"Beskrev \d+ svarande efter 3 bakgrundsvariabler", printed)
    assert "signifikanta celler" in printed and "significant" not in printed
    wb = load_workbook(book)
    assert wb.sheetnames == ["Age", "Country", "Region", "utfall", "läsanvisning"]
    texts = _workbook_texts(wb)
    assert [e for e in WORKBOOK_ENGLISH for x in texts if e in x] == []
    assert "All" not in texts and "notes" not in wb.sheetnames
    ws = wb["Age"]
    assert ws["A2"].value == "Kolumnprocent: andel av varje typs svarande på varje nivå"
    assert ws["B4"].value == "Alla"
    assert "n (svarande)" in texts
    assoc = next(x for x in texts if x.startswith("Samband med typen: Rao–Scott F = "))
    assert re.search(r"F = \d+,\d\d med \d+(,\d)? och \d+ frihetsgrader, p (<|=) 0,\d", assoc), assoc
    assert any(x.startswith("▲/▼ signifikant högre/lägre") and "5\u00a0%" in x for x in texts)
    assert wb["utfall"]["A1"].value == "Utfall per typ" and wb["läsanvisning"]["A1"].value == "Så läser du tabellerna"
    intervals = [str(c.value) for row in wb["utfall"].iter_rows() for c in row if " – " in str(c.value)]
    assert any(re.fullmatch(r"\d+(,\d+)?\u00a0% – \d+(,\d+)?\u00a0%", x) for x in intervals), intervals  # a share
    assert any(re.fullmatch(r"-?\d+,\d+ – -?\d+,\d+", x) for x in intervals), intervals  # a mean
    # the study's language is the default: profile.json records the instrument's (the demo: en)
    result = load_profile(out)
    assert result.meta["language"] == "en"
    swedish = dataclasses.replace(result, meta={**result.meta, "language": "sv"})
    assert load_workbook(write_banner_workbook(swedish, tmp_path / "b.xlsx")).sheetnames[-2:] == ["utfall", "läsanvisning"]
    assert load_workbook(write_banner_workbook(swedish, tmp_path / "c.xlsx", lang="en")).sheetnames[-2:] == ["outcomes", "notes"]
    # unweighted, the Rao–Scott numerator df is a whole number: "on 6 and 17754 df", not "6.0"
    # (user trial 8); a Satterthwaite df of a weighted design keeps its decimal
    whole = dataclasses.replace(result, tests=result.tests.assign(df1_rs2=6.0, df2_rs2=17754.0))
    texts = _workbook_texts(load_workbook(write_banner_workbook(whole, tmp_path / "d.xlsx", lang="en")))
    assoc = next(x for x in texts if x.startswith("Association with the type: Rao–Scott F = "))
    assert " on 6 and 17754 df" in assoc, assoc
    part = dataclasses.replace(result, tests=result.tests.assign(df1_rs2=5.43))
    texts = _workbook_texts(load_workbook(write_banner_workbook(part, tmp_path / "e.xlsx", lang="sv")))
    assert any(" med 5,4 och " in x for x in texts)


def test_profile_summary_counts_in_words_that_agree(small_study):
    """User trial 6: "Profiled 1043 respondents by 2 descriptors and 1 outcomes"."""
    from behaviortypes.describe import profile_types_by

    result = profile_types_by(small_study / "out")
    result.meta.update(descriptors=["age_band"], outcomes=["nps"])
    assert "by 1 descriptor and 1 outcome (" in result.summary("en")
    assert "efter 1 bakgrundsvariabel och 1 utfall (" in result.summary("sv")
    result.meta.update(descriptors=["a", "b"], outcomes=["x", "y"])
    assert "by 2 descriptors and 2 outcomes (" in result.summary("en")


def _table_from_counts(counts: dict[str, list[int]]):
    """Respondents (one row each) whose type × level counts are ``counts`` (level -> per type)."""
    types, levels = [], []
    for level, per_type in counts.items():
        for tid, n in enumerate(per_type, start=1):
            types += [tid] * n
            levels += [level] * n
    idx = [f"r{i}" for i in range(len(types))]
    return pd.Series(types, index=idx), pd.DataFrame({"g": levels}, index=idx)


def test_secondary_suppression_hides_the_fewest_respondents_trial8_education():
    """User trial 8: education by four types, min cell 30. Three cells are below 30 (24, 18, 22).
    The greedy pass hid 123, 55 and 164 more respondents (High school of types 3 and 4, Graduate
    of type 3); hiding Graduate of type 3 alone (164) already leaves no line with a lone hidden
    cell (minimum loss, as tau-argus's optimal method)."""
    counts = {"Graduate degree": [446, 204, 164, 22], "High school": [374, 193, 123, 55],
              "Less than high school": [79, 42, 24, 18], "University degree": [657, 270, 226, 46]}
    types, g = _table_from_counts(counts)
    tab = banner_table(types, g, min_cell=30, min_type_size=30).set_index(["level", "type_id"])
    hidden = set(tab.index[tab["n"].isna()])
    assert hidden == {("Graduate degree", 3), ("Graduate degree", 4),
                      ("Less than high school", 3), ("Less than high school", 4)}
    assert tab.loc[("High school", 3), "n"] == 123 and tab.loc[("High school", 4), "n"] == 55


def test_secondary_suppression_is_the_minimum_loss_pattern():
    """Over random small tables (3 levels × 3 types), the hidden respondents equal the minimum
    over every pattern that hides the small cells and leaves no line with one hidden cell."""
    import itertools

    for seed in range(40):
        rng = np.random.default_rng(seed)
        counts = {lv: [int(x) for x in rng.choice([0, 3, 6, 12, 20, 40, 70], 3)] for lv in "abc"}
        if min(sum(v) for v in counts.values()) < 10 or min(map(sum, zip(*counts.values()))) < 10:
            continue
        types, g = _table_from_counts(counts)
        tab = banner_table(types, g, min_cell=10)
        n = {(lv, t + 1): counts[lv][t] for lv in counts for t in range(3)}
        got = sum(n[c] for c in zip(tab["level"], tab["type_id"]) if pd.isna(tab.set_index(
            ["level", "type_id"]).loc[c, "n"]))
        primary = {c for c, v in n.items() if 0 < v < 10}
        best = None
        cells = list(n)
        for mask in itertools.product([0, 1], repeat=len(cells)):
            hid = {c for c, m in zip(cells, mask) if m}
            if not primary <= hid:
                continue
            lines = [[c for c in cells if c[0] == lv] for lv in counts] + \
                    [[c for c in cells if c[1] == t] for t in (1, 2, 3)]
            if any(sum(c in hid for c in line) == 1 for line in lines):
                continue
            cost = sum(n[c] for c in hid)
            best = cost if best is None else min(best, cost)
        assert got == best, (seed, counts, got, best)


def test_profile_labels_a_column_from_column_labels_or_another_list(small_study, tmp_path):
    """User trial 10: a column labelled in instrument.yaml kept its raw name when profiled
    another way (an outcome's label lost under --by), and a CRM column could not be labelled
    at all. ``column_labels:`` labels any column; an outcome's label follows it to --by."""
    import shutil

    import yaml

    from behaviortypes.describe.profile import profile_types_by
    from behaviortypes.describe.words import who_they_are

    survey, out = tmp_path / "survey", tmp_path / "out"
    shutil.copytree(small_study / "out", out)
    shutil.copytree(small_study / "survey", survey)
    inst = yaml.safe_load((survey / "instrument.yaml").read_text())
    inst["column_labels"] = {"region": "Område", "country": "Land"}
    inst["descriptors"] = [{"column": "age_band", "label": "Åldersgrupp"}]
    inst["outcomes"] = [{"column": "churned_12m", "label": "Avslutat inom 12 mån"}]
    (survey / "instrument.yaml").write_text(yaml.safe_dump(inst, allow_unicode=True))
    source = json.loads((out / "source.json").read_text())
    source["survey_dir"] = str(survey)
    (out / "source.json").write_text(json.dumps(source))
    result = profile_types_by(out, by="age_band,region,country", outcomes="churned_12m")
    labels = {d["column"]: d["label"] for d in result.meta["descriptors"] + result.meta["outcomes"]}
    assert labels == {"age_band": "Åldersgrupp", "region": "Område", "country": "Land",
                      "churned_12m": "Avslutat inom 12 mån"}
    # the report may name a column its own way (one name per page): who_they_are takes it
    result = profile_types_by(out, by="churned_12m")
    assert result.meta["descriptors"][0]["label"] == "Avslutat inom 12 mån"
    sig = result.banner[result.banner["significant"]]
    tid = int(sig["type_id"].iloc[0])
    lines = who_they_are(result, tid, lang="sv", labels={"churned_12m": "Lämnat banken"})["lines"]
    assert lines and all("(Lämnat banken)" in x for x in lines)


def test_workbook_amounts_are_grouped_without_needless_decimals(small_study, tmp_path):
    """User trial 10: banner.xlsx showed kronor as 79592.24 and the interval as
    "109506,71 – 129159,28", which overflowed its column. Amounts of 100 or more are
    whole numbers with thousands separators, in the cells and in the interval text."""
    import dataclasses

    from openpyxl import load_workbook

    from behaviortypes.describe import profile_types_by, write_banner_workbook

    result = profile_types_by(small_study / "out")
    var = next(v for v in result.outcomes["variable"].unique()
               if not any(o.get("binary") for o in result.meta["outcomes"] if o["column"] == v))
    outs = result.outcomes.copy()
    mine = outs["variable"] == var
    for c in ("mean", "overall_mean", "ci_low", "ci_high", "se"):
        outs.loc[mine, c] = outs.loc[mine, c] * 1000 + 100000.24
    book = write_banner_workbook(dataclasses.replace(result, outcomes=outs), tmp_path / "b.xlsx", lang="sv")
    from behaviortypes.report.render import load_texts

    ws = load_workbook(book)[load_texts("sv")["banner_wb_sheet_outcomes"]]
    label = next(o.get("label") or o["column"] for o in result.meta["outcomes"] if o["column"] == var)
    top = next(c.row for c in ws["A"] if c.value == label)
    assert ws.cell(top, 3).number_format.startswith("#,##0") and "." not in ws.cell(top, 3).number_format
    interval = str(ws.cell(top + 1, 4).value)
    assert re.fullmatch(r"1\d\d\u202f\d{3} – 1\d\d\u202f\d{3}", interval), interval


def test_who_lines_start_with_the_level_not_a_capital_mid_sentence(small_study):
    """User trial 10: "Oftare Ogift (Civilstånd)": a level written with a capital (as the
    data hold it) read as a capital mid-sentence. The level starts the line, as the outcome's
    name starts its line ("Ogift (Civilstånd): oftare, 73 % mot 65 %"); the client's note
    names no file or key of the analyst's (instrument.yaml, missing_codes)."""
    from behaviortypes.describe.profile import load_profile, profile_types_by
    from behaviortypes.describe.words import who_they_are
    from behaviortypes.report.render import load_texts

    # min cell 3: with two types a hidden cell hides its whole level row (the other type's
    # count is the level's total minus it), and at the default the significant levels go
    profile_types_by(small_study / "out", min_cell=3).to_files()
    prof = load_profile(small_study / "out")
    sig = prof.banner[prof.banner["significant"]]
    seen = 0
    for tid in sorted(sig["type_id"].unique()):
        levels = {str(v)[:1].upper() + str(v)[1:] for v in sig.loc[sig["type_id"] == tid, "level"]}
        for lang, word in (("en", "often"), ("sv", ("oftare", "sällan"))):
            for line in who_they_are(prof, tid, lang=lang)["lines"]:
                assert line.split(" (")[0] in levels, line
                assert any(w in line.split(": ", 1)[1] for w in ((word,) if isinstance(word, str) else word))
                seen += 1
    assert seen
    for lang in ("en", "sv"):
        t = load_texts(lang)
        assert "instrument.yaml" not in t["who_declared_missing"] and "missing_codes" not in t["who_declared_missing"]


@pytest.mark.parametrize("option", ["--by", "--outcomes"])
def test_profile_refuses_a_personal_data_column_without_printing_it(small_study, tmp_path, option):
    """User trial 11: `profile --by full_name --customers` printed "has 339 different values …
    or pass it with --outcomes", and `--outcomes full_name` printed a customer's name. A name
    or e-mail column is personal data: one line, no value, no hint steering it into the analysis."""
    import os
    import subprocess
    import sys

    base = pd.read_parquet(small_study / "survey" / "customers.parquet")
    first = ["George", "Sarah", "Jack", "Amelia", "Oliver", "Isla", "Harry", "Ava"]
    last = ["Walker", "Jones", "Smith", "Taylor", "Brown", "Wilson", "Evans", "Khan"]
    base["full_name"] = [f"{first[i % 8]} {last[(i // 8) % 8]}{'' if i < 64 else i}" for i in range(len(base))]
    cust = tmp_path / "crm.csv"
    base.to_csv(cust, index=False)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    run = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "profile", str(small_study / "out"),
                          option, "full_name", "--customers", str(cust)],
                         capture_output=True, text=True, env=env, timeout=300)
    said = run.stdout + run.stderr
    assert run.returncode == 2, said
    err = run.stderr.strip()
    assert len(err.splitlines()) == 1 and "full_name" in err and "personal data" in err, err
    assert not any(name in said for name in first + last), said  # no customer's name printed
    assert "--outcomes" not in err and "different values" not in err


@pytest.mark.parametrize("lang, everyone, others", [("en", "for all respondents", "the other respondents"),
                                                   ("sv", "för alla svarande", "övriga svarande")])
def test_who_outcome_lines_say_the_figure_is_everyones(small_study, lang, everyone, others):
    """User trial 11: "clear differences from the other respondents … 7.7 vs 8.1 on average",
    where 8.1 is everyone's mean, the type included. The words now say what the number is."""
    from behaviortypes.describe.profile import load_profile, profile_types_by
    from behaviortypes.describe.words import who_they_are

    profile_types_by(small_study / "out").to_files()
    prof = load_profile(small_study / "out")
    blocks = [who_they_are(prof, tid, lang=lang) for tid in sorted(prof.outcomes["type_id"].unique())]
    outcome_lines = [line for b in blocks for line in b.get("outcomes", [])]
    assert outcome_lines and all(everyone in line for line in outcome_lines), outcome_lines
    assert all(others not in b["note"] and everyone.split()[-1] in b["note"] for b in blocks)
