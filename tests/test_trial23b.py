"""Session 23, FIX23B: what user trial 23 (the IPIP Big Five at size) found in the
deliverables' caution, the outcomes' and the CRM's odd values, the duplicate ids and the
type names. Synthetic data only (the trial's answers are not copied)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest


# 3. types that are a continuum: the caution reaches every deliverable -------------------------

def _continuum(disc, entropy=0.60):
    """``solution.json`` as ``discover`` wrote it in trial 23: six types chosen by BIC,
    entropy 0.60 at k (the report's "a continuum … do not present them as segments"), no
    ``structure_warning`` and no ``continuum_warning`` (a folder written before it was recorded)."""
    sol = {"survey": str(disc.parent / "survey"), "n_respondents": 300, "n_kept": 300, "n_factors": 2,
           "factor_reason": "", "factor_evidence": [], "k": 3, "k_by_evidence": 3, "k_reason": "",
           "k_reason_code": [{"code": "k_reason_bic", "values": {"k": 3}}],
           "k_evidence": [{"k": 1, "entropy": None}, {"k": 2, "entropy": 0.9}, {"k": 3, "entropy": entropy}],
           "seed": 4, "k_levels": {"share": 0.4, "general": False, "levels": False},
           "sizes": {str(t): {"n": 100, "share": 1 / 3, "ci_low": 0.0, "ci_high": 1.0} for t in (1, 2, 3)}}
    (disc / "solution.json").write_text(json.dumps(sol), encoding="utf-8")
    return sol


def test_types_weak_is_true_for_a_continuum_as_the_report_says_it():
    from behaviortypes.stages import continuum_caution, types_weak

    sol = {"k": 6, "k_reason_code": [{"code": "k_reason_bic"}], "k_evidence": [{"k": 6, "entropy": 0.598}],
           "k_levels": {"levels": False}}
    assert [c["code"] for c in continuum_caution(sol)][0] == "k_continuum_overlap"
    assert types_weak(sol)
    assert not types_weak({**sol, "k_evidence": [{"k": 6, "entropy": 0.85}]})  # distinct types: no caution
    assert types_weak({"k": 6, "continuum_warning": "The types overlap"})  # as discover now records it
    levels = {"k": 4, "k_evidence": [{"k": 4, "entropy": 0.9}],
              "k_levels": {"levels": True, "share": 0.98, "factor": "F1", "factor_share": 0.3}}
    assert types_weak(levels)  # levels of one dimension: the report's levels box


def test_form_workbook_and_score_carry_the_caution_for_a_continuum(tmp_path):
    """Trial 23: entropy 0.60, the report said "a continuum", ``tt.html``, ``tt.xlsx`` and
    ``typing-tool --score`` said nothing."""
    from clirun import bt, ok_lines
    from openpyxl import load_workbook
    from test_typing_deliverables import _make_study

    from behaviortypes.texts import load_texts

    disc = _make_study(tmp_path, k=3, lo=1, hi=5, n_items=8, n=300, seed=4, language="en",
                       names=["Explorers", "Planners", "Hunters"], taglines=["a", "b", "c"],
                       texts=["I plan.", "I compare.", "I buy."])
    _continuum(disc)
    t = load_texts("en")
    res = bt("typing-tool", disc, "--html", tmp_path / "form.html", "--xlsx", tmp_path / "tool.xlsx")
    ok_lines(res)
    assert t["weak_evidence_types"] in (tmp_path / "form.html").read_text(encoding="utf-8")
    cells = [str(c.value) for ws in load_workbook(tmp_path / "tool.xlsx") for row in ws.iter_rows() for c in row
             if c.value is not None]
    assert t["weak_evidence_types"] in cells
    answers = pd.read_csv(tmp_path / "survey" / "responses.csv").head(20)
    answers.to_csv(tmp_path / "answers.csv", index=False)
    res = bt("typing-tool", disc, "--score", tmp_path / "answers.csv", "--out", tmp_path / "typed.csv")
    assert "weak evidence for distinct types" in res.stdout + res.stderr


# 4. an outcome's hint proposes codes, never the plausible tail; the means carry a note --------

def test_the_plausible_tail_of_a_young_sample_is_not_proposed_as_missing_codes():
    """Trial 23: ages 13-74 (median 20) and three birth years; the hint proposed
    ``missing_codes: [1998, 1992, 1974, 74, 72, 71, 69, 68, 67, 66]``."""
    from behaviortypes.describe.plausible import implausible_values

    rng = np.random.default_rng(23)
    young = np.clip(np.rint(16 + rng.gamma(1.3, 5.0, 4000)), 16, 74)  # median ~ 20, a thin tail to 74
    ages = pd.Series(np.r_[young, np.arange(60, 75), [1998, 1992, 1974]])
    assert set(implausible_values(ages)) == {1998, 1992, 1974}
    assert set(implausible_values(pd.Series(np.r_[young, np.arange(60, 75), [99, 99, 99]]))) == {99}  # a code
    assert implausible_values(pd.Series(np.r_[young, np.arange(60, 75)])).empty  # only the tail


def test_banner_and_the_type_pages_say_the_means_include_values_that_look_like_codes(tmp_path_factory, tmp_path):
    from clirun import bt, ok_lines
    from openpyxl import load_workbook
    from sharedcache import small_english_discovered

    from behaviortypes.describe.profile import load_profile
    from behaviortypes.describe.words import who_they_are
    from behaviortypes.texts import load_texts

    root = small_english_discovered(tmp_path_factory, tmp_path / "s")
    responses = root / "survey" / "responses.csv"
    frame = pd.read_csv(responses)
    frame["age"] = np.random.default_rng(1).integers(18, 70, len(frame))
    frame.loc[[3, 50, 90], "age"] = [1998, 1992, 1974]
    frame.to_csv(responses, index=False)
    for lang in ("en", "sv"):
        book = tmp_path / f"banner_{lang}.xlsx"
        res = bt("profile", root / "out", "--outcomes", "age", "--xlsx", book, "--lang", lang)
        assert res.returncode == 0, res.stderr
        cells = [str(c.value) for ws in load_workbook(book) for row in ws.iter_rows() for c in row if c.value]
        note = load_texts(lang)["outcome_implausible_note"].format(column="age", n=3, codes="1998, 1992, 1974",
                                                                   name="age")
        assert note in cells, [c for c in cells if "1998" in c]
        said = who_they_are(load_profile(root / "out"), 1, lang=lang)["note"]
        assert note in said, said


# 5. the CRM's absurd values and coded categories in lookalike ---------------------------------

def test_the_label_shift_check_leaves_out_values_that_look_like_codes():
    """Trial 23: ages of 1e9 in the base made its SD 7.1e6 and the age column's standardised
    difference about 0, though the survey was selected on age."""
    from behaviortypes.lookalike.priors import CrmMoments, crm_indicators, implausible_bounds, label_shift_check

    rng = np.random.default_rng(0)
    n = 20000
    age = np.rint(16 + rng.gamma(1.5, 6, n))
    typ = rng.integers(1, 3, n)
    age[rng.choice(n, 40, replace=False)] = 1e9
    base, schema = pd.DataFrame({"age": age}), [{"name": "age", "kind": "numeric"}]
    moments = CrmMoments()
    for i in range(0, n, 3000):
        moments.update(crm_indicators(base.iloc[i:i + 3000], schema))
    chosen = (rng.random(n) < np.where(age < 25, 0.3, 0.05)) & (age < 1e8)  # the survey, selected on age
    resp = base[chosen].reset_index(drop=True)
    odd = implausible_bounds(moments, base.sample(5000, random_state=1), resp, schema)
    assert odd["age"]["values"] == [1e9] and odd["age"]["n"] == 40
    before = label_shift_check(crm_indicators(resp, schema), typ[chosen], moments.table(), [0.5, 0.5], classes=[1, 2])
    after = label_shift_check(crm_indicators(resp, schema), typ[chosen],
                              moments.table({"age": odd["age"]["bounds"]}), [0.5, 0.5], classes=[1, 2])
    assert abs(before["worst"]["smd"]) < 0.1 and not before["rejected"]  # what the trial saw
    assert after["rejected"] and after["worst"]["smd"] > 0.3
    assert moments.table({"age": odd["age"]["bounds"]}).loc["age", "n"] == n - 40


def test_few_code_columns_finds_codes_not_counts():
    from behaviortypes.lookalike._features import few_code_columns

    rng = np.random.default_rng(1)
    race = rng.choice(np.arange(14), 5000, p=np.r_[[.01, .07, .001, .53, .08, .03, .02, .001, .01, .01, .0, .09, .013],
                                                  [.135]] / np.r_[[.01, .07, .001, .53, .08, .03, .02, .001, .01, .01,
                                                                  .0, .09, .013], [.135]].sum())
    frame = pd.DataFrame({"race": race, "gender": rng.choice([1, 2, 3, 9], 5000),  # CLEAN24: codes with a gap
                          "breadth": rng.binomial(12, 0.4, 5000),
                          "spend": rng.gamma(2, 100, 5000)})
    schema = [{"name": c, "kind": "numeric"} for c in frame]
    found = dict(few_code_columns(frame, schema))
    assert "race" in found and "gender" in found and "breadth" not in found and "spend" not in found


def test_lookalike_reads_a_declared_descriptor_as_categories_and_says_odd_crm_values(tmp_path_factory, tmp_path):
    from clirun import bt
    from sharedcache import small_english_discovered

    root = small_english_discovered(tmp_path_factory, tmp_path / "s")
    customers = pd.read_parquet(root / "survey" / "customers.parquet")
    rng = np.random.default_rng(3)
    n = len(customers)
    customers["gender"], customers["hand"] = rng.choice([1, 2, 3, 9], n), rng.choice([1, 2, 3, 9], n)
    customers["age"] = rng.integers(18, 75, n).astype(float)
    customers.loc[customers.index[:6], "age"] = 1e9
    customers.to_csv(tmp_path / "customers.csv", index=False)
    inst = root / "survey" / "instrument.yaml"
    inst.write_text(inst.read_text(encoding="utf-8") + "\ndescriptors:\n- column: gender\n", encoding="utf-8")
    res = bt("lookalike", root / "out", "--customers", tmp_path / "customers.csv")
    assert res.returncode == 0, res.stderr
    said = res.stdout + res.stderr
    assert "customers.csv, column 'age': 6 value(s) of the customer base look like missing codes" in said, said
    assert "1000000000" in said
    assert "column(s) hand (4 codes) hold whole numbers with few distinct values" in said, said  # not declared
    assert "gender (4 codes)" not in said  # declared under descriptors: read as categories
    assert "gender: listed under descriptors: in instrument.yaml, so used as categories" in said, said
    card = json.loads((root / "out" / "lookalike_card.json").read_text(encoding="utf-8"))
    kinds = {f["name"]: f["kind"] for f in card["features"]}
    assert kinds["gender"] == "categorical", kinds


# 7c. duplicated customer rows: every repeated id is counted ---------------------------------

def test_lookalike_counts_every_repeated_customer_id_and_says_how_many_link(tmp_path_factory, tmp_path):
    """Trial 23: 500 duplicated rows were said as "112 customer id(s) appear more than once"
    (112: the ones linked to the survey)."""
    from clirun import bt, error_line
    from sharedcache import small_english_discovered

    root = small_english_discovered(tmp_path_factory, tmp_path / "s")
    base = pd.read_parquet(root / "survey" / "customers.parquet")
    resp = pd.read_csv(root / "survey" / "responses.csv", dtype=str)
    typed = set(pd.read_csv(root / "out" / "assignments.csv", dtype=str)["respondent_id"])
    linked = set(resp.loc[resp["respondent_id"].isin(typed), "customer_id"].str.strip())  # typed respondents
    dup = base.head(60)
    n_linked = int(dup["customer_id"].astype(str).isin(linked).sum())
    assert 0 < n_linked < 60
    pd.concat([base, dup], ignore_index=True).to_csv(tmp_path / "dup.csv", index=False)
    line = error_line(bt("lookalike", root / "out", "--customers", tmp_path / "dup.csv"))
    assert line.startswith(f"error: dup.csv, column 'customer_id': 60 customer id(s) appear more than once in the "
                           f"customer file ({n_linked} of them linked to survey respondents) (value '"), line


# 8. names: a part of a split theme keeps its part; Swedish keeps the user's capitals -----------

@pytest.mark.parametrize("lang", ["en", "sv"])
def test_two_types_named_on_parts_of_one_theme_never_share_a_name(lang):
    """Trial 23: F5 "Openness" and F6 "Openness (part 2)": "The group low on openness" and
    "The group low on openness (high on neuroticism)" — two types "low on openness" for
    different factors."""
    from behaviortypes.profiles import suggest_names

    fm = pd.DataFrame({"F1": [0.1, -0.2, 0.9], "F2": [-0.8, 0.1, 0.0], "F3": [0.0, -0.9, 0.1]},
                      index=pd.Index([1, 2, 3], name="type_id"))
    names = suggest_names(fm, {"F1": "Neuroticism", "F2": "Openness", "F3": "Openness (part 2)"},
                          lang=lang, lexicon=False)
    part = {"en": "(part 2)", "sv": "(del 2)"}[lang]
    assert part in names.loc[2, "name"] and part not in names.loc[1, "name"], list(names["name"])
    assert names["name"].is_unique
    said = {"en": "The group low on Openness", "sv": "Gruppen som ligger lågt på Openness"}[lang]
    assert names.loc[1, "name"] == said, names.loc[1, "name"]  # the theme as written, in both (CLEAN24)

