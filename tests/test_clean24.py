"""Session 24, CLEAN24: the last review's leftovers, each with a test that failed before."""

from __future__ import annotations

import numpy as np
import pandas as pd


# 1. the code-column warning names codes, not counts or ratings ------------------------------

def test_few_code_columns_leaves_counts_and_ratings_and_names_codes():
    from behaviortypes.lookalike._features import few_code_columns

    rng = np.random.default_rng(24)
    n = 4000
    frame = pd.DataFrame({
        "children": np.minimum(rng.poisson(1.2, n), 5),  # a count 0-5
        "rating": np.clip(np.rint(rng.normal(3.4, 1.0, n)), 1, 5),  # a 1-5 score
        "tier": rng.integers(0, 4, n),  # a uniform run 0-3: behaves as a number
        "gender": rng.choice([1, 2, 9], n, p=[0.48, 0.48, 0.04]),  # a gap: codes
        "channel": rng.choice([1, 2, 3, 4, 5], n, p=[0.4, 0.05, 0.1, 0.05, 0.4]),  # two peaks: codes
    })
    schema = [{"name": c, "kind": "numeric"} for c in frame]
    found = dict(few_code_columns(frame, schema))
    assert "children" not in found and "rating" not in found and "tier" not in found, found
    assert found.get("gender") == 3 and found.get("channel") == 5, found


# 2. a Problem's decimals in the language it is said in -----------------------------------------

def test_unrelated_statement_warning_writes_its_decimals_with_a_comma_in_swedish():
    from behaviortypes.readers.validate import unrelated_statements

    rng = np.random.default_rng(5)
    common = rng.normal(size=400)
    answers = {f"s{i}": pd.Series(np.rint(3 + common + rng.normal(size=400)).clip(1, 5)) for i in range(1, 5)}
    answers["source"] = pd.Series(rng.integers(1, 6, 400).astype(float))
    found = unrelated_statements(answers, "responses.csv")
    assert [p.column for p in found] == ["source"]
    sv, en = found[0].said("sv"), found[0].said("en")
    assert "under 0,15" in sv and "0.15" not in sv and "|r| är 0," in sv, sv
    assert "below 0.15" in en and str(found[0]) == en, en


def test_number_is_a_float_said_per_language():
    import json
    import pickle

    from behaviortypes.errors import Number, phrase

    x = Number(0.153, 2)
    assert x == 0.153 and f"{x}" == "0.15" and str(x) == "0.15" and f"{x:.1f}" == "0.2"
    assert x.said("sv") == "0,15" and json.dumps({"r": x}) == '{"r": 0.153}'
    assert pickle.loads(pickle.dumps(x)).said("sv") == "0,15"
    assert phrase("problem_dask_timeout", "sv", {"seconds": Number(0.5, 1)}).endswith("inom 0,5 s)")


# 3. one continuum sentence: the recorded one says the share typed differently too ----------------

def _continuum_solution(**extra):
    sol = {"k": 3, "k_by_evidence": 3, "k_reason_code": [{"code": "k_reason_bic", "values": {"k": 3}}],
           "k_evidence": [{"k": 2, "entropy": 0.9}, {"k": 3, "entropy": 0.6, **extra}],
           "k_levels": {"share": 0.4, "general": False, "levels": False}}
    return sol


def test_continuum_caution_says_the_share_typed_differently_as_the_terminal_does():
    from behaviortypes.i18n import reason_text
    from behaviortypes.pipeline import continuum_lines
    from behaviortypes.stages import continuum_caution
    from behaviortypes.texts import Formatter, load_texts

    codes = [c["code"] for c in continuum_caution(_continuum_solution(), typed_differently=0.31)]
    assert "k_continuum_overlap_share" in codes, codes
    recorded = [c["code"] for c in continuum_caution(_continuum_solution(typed_differently=0.31))]
    assert recorded == codes
    for lang in ("en", "sv"):
        said = reason_text(continuum_caution(_continuum_solution(), typed_differently=0.31), load_texts(lang),
                           Formatter(lang))
        assert said in continuum_lines(_continuum_solution(), lang, typed_differently=0.31)[0]
        assert "31" in said, said


# 7. the scored file's warning names the field of solution.json that is set --------------------

def test_weak_evidence_warning_names_the_continuum_warning_when_that_is_the_reason(tmp_path):
    import json
    import warnings

    from behaviortypes.scoring import warn_weak_evidence
    from behaviortypes.scoring.api import folder_types_weak
    from behaviortypes.stages import folder_weak_field

    (tmp_path / "solution.json").write_text(json.dumps({**_continuum_solution(), "continuum_warning": "a cut"}),
                                            encoding="utf-8")
    assert folder_weak_field(tmp_path) == "continuum_warning" and folder_types_weak(tmp_path) is True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_weak_evidence(tmp_path)
    said = [str(w.message) for w in caught]
    assert len(said) == 1 and "solution.json's continuum_warning" in said[0] and "structure_warning" not in said[0]
    (tmp_path / "solution.json").write_text(json.dumps({**_continuum_solution(), "structure_warning": "weak"}),
                                            encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_weak_evidence(tmp_path)
    assert ["solution.json's structure_warning" in str(w.message) for w in caught] == [True]


# 4. the outcome note says the codes are the most extreme of more ------------------------------

def test_outcome_note_says_the_ten_codes_are_the_most_extreme_of_more(recwarn):
    from behaviortypes.describe.profile import implausible_notes
    from behaviortypes.texts import load_texts

    import behaviortypes.describe.profile as profile

    rng = np.random.default_rng(4)
    values = pd.Series(np.r_[np.rint(rng.normal(40, 10, 3000)).clip(18, 80), 1e6 + np.arange(37) * 1000])
    found = profile._warn_implausible(values, "age", "customers.csv", None)
    assert found["n"] == 37 and found["listed"] == 10 and found["distinct"] == 37, found
    meta = {"outcomes": [{"column": "age", "implausible": found}]}
    en = implausible_notes(meta, load_texts("en"))[0]
    sv = implausible_notes(meta, load_texts("sv"))[0]
    assert "include 37 value(s)" in en and "the 10 most extreme of 37 distinct values" in en, en
    assert "de 10 mest extrema av 37 olika värden" in sv, sv
    few = {"outcomes": [{"column": "age", "implausible": {"n": 3, "codes": "1998, 1992, 1974"}}]}
    assert "most extreme" not in implausible_notes(few, load_texts("en"))[0]


# 5. CrmMoments keeps one state: n is the sum of its counts ------------------------------------

def test_crm_moments_counts_observed_values_from_one_state():
    from behaviortypes.lookalike.priors import CrmMoments

    m = CrmMoments()
    frame = pd.DataFrame({"spend": [1.0, np.nan, 3.0, 1e9], "age": [20.0, 30.0, np.nan, np.nan]})
    m.update(frame.iloc[:2])
    m.update(frame.iloc[2:])
    assert "_n" not in vars(m)  # was kept in step with _c by hand
    table = m.table()
    assert table.loc["spend", "n"] == 3 and table.loc["age", "n"] == 2
    assert table.loc["spend", "mean"] == (1 + 3 + 1e9) / 3
    assert m.table({"spend": (0.0, 10.0)}).loc["spend", "n"] == 2


# 6. the answers' heading-as-text comparison is written once ----------------------------------

def test_answers_normalise_a_heading_in_one_place():
    import inspect

    import behaviortypes.deliver.answers as answers

    assert inspect.getsource(answers).count(".split()).casefold()") == 1


# 10. one test of the columns read as no value, for the readers and the scorer -----------------

def test_null_columns_names_the_columns_with_a_cell_read_as_no_value(tmp_path):
    import inspect

    import pyarrow as pa

    import behaviortypes.scoring._sources as sources
    from behaviortypes.readers.customers import null_columns

    batch = pa.record_batch({"a": [1.0, None], "b": [1.0, 2.0], "c": pa.array([None, None], pa.null())})
    assert null_columns(batch) == ["a", "c"] and null_columns(pa.Table.from_batches([batch])) == ["a", "c"]
    assert "null_count" not in inspect.getsource(sources)  # the scorer asks the readers
    (tmp_path / "base.csv").write_text("customer_id,spend,visits\n1,N/A,3\n2,4.5,-\n3,2,1\n", encoding="utf-8")
    source = sources.open_source(tmp_path / "base.csv", table=None, query=None)
    list(source.batches(["customer_id", "spend", "visits"], 10))
    assert source.null_columns == {"spend", "visits"}


# 8. a theme keeps its own casing mid-sentence ------------------------------------------------

def test_a_theme_keeps_the_studys_casing_in_names_and_taglines():
    from behaviortypes.i18n import name_extra, type_name

    assert type_name("Openness", False, "en", lexicon=False) == "The group low on Openness"
    assert type_name("Openness", False, "sv", lexicon=False) == "Gruppen som ligger lågt på Openness"
    assert type_name("Openness", True, "sv", lexicon=False, most=True).endswith("på Openness")
    assert name_extra("Openness", True, "en", lexicon=False).endswith("on Openness")
    assert name_extra("Openness", False, "sv", lexicon=False) == "lågt på Openness"
    assert type_name("social_reading", True, "en") == "The group high on social reading"  # a code: words
    assert type_name("Faktor 3", False, "sv", lexicon=False) == "Gruppen som ligger lågt på faktor 3"  # the tool's


# 9. the statements heatmap's type names under 8 columns keep apart ----------------------------

def test_eight_type_names_under_the_heatmap_neither_touch_nor_leave_the_figure():
    import io

    from behaviortypes import plots

    names = ["The group high on Extraversion", "The group low on Neuroticism (high on Openness)",
             "The bargain hunter", "The group somewhat low on Conscientiousness", "The explorer",
             "The group highest on Agreeableness", "The planner (low on Openness)", "The mainstream"]
    ids = list(range(1, 9))
    items = [f"Q{i}" for i in range(1, 23)]
    iprof = pd.DataFrame(np.random.default_rng(1).normal(0, 0.6, (22, 8)), index=items, columns=ids)
    fig = plots.plot_profile_heatmap(iprof, names={k: f"I often do thing number {k} when I shop online" for k in items},
                                     fmt="{:+.1f}", labels={t: plots.type_label(t, names[t - 1], width=10_000,
                                                                                   max_lines=1) for t in ids})
    fig.set_size_inches(7.0, 5.95)  # as the report draws it (render._statements_heatmap)
    fig.savefig(io.BytesIO(), format="svg")
    renderer = fig._get_renderer()
    boxes = [t.get_window_extent(renderer) for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert len(boxes) == 8
    points = 72 / fig.dpi
    for a, b in zip(boxes, boxes[2:]):  # neighbours in one row (the labels are staggered)
        assert (b.x0 - a.x1) * points >= 4, (a, b)  # "highest8 · The mainstream" before (1.4 pt apart)
    assert all(b.x0 >= 0 and b.x1 <= fig.bbox.x1 and b.y0 >= 0 for b in boxes)
