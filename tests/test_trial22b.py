"""Session 22, FIX22B: what user trial 22 (the Humor Styles Questionnaire) found in the
deliverables, the banner, the type names and the Swedish side, and session 21's leftovers."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest


# 4. a number of types set with --k against the evidence carries the caution -------------------

def _user_k(disc, *, k_evidence=1, levels=None, codes=("k_reason_user", "k_reason_user_evidence_one")):
    """``solution.json`` as ``discover --k 3`` writes it where the evidence gave ``k_evidence``
    (no ``structure_warning``: what trial 22's out4 held)."""
    sol = {"survey": str(disc.parent / "survey"), "n_respondents": 300, "n_kept": 300, "n_factors": 1,
           "factor_reason": "", "factor_evidence": [], "k": 3, "k_by_evidence": k_evidence, "k_reason": "",
           "k_reason_code": [{"code": c, "values": {"k": 3}} for c in codes], "k_evidence": [], "seed": 4,
           "sizes": {str(t): {"n": 100, "share": 1 / 3, "ci_low": 0.0, "ci_high": 1.0} for t in (1, 2, 3)}}
    if levels is not None:
        sol["k_levels"] = levels
    (disc / "solution.json").write_text(json.dumps(sol), encoding="utf-8")
    return disc


_LEVELS = {"share": 0.98, "general": True, "levels": True, "factor": "F1", "factor_share": 0.8,
           "factor_name": "Affiliative humour"}


def test_user_k_caution_says_one_group_levels_or_nothing():
    from behaviortypes.stages import types_weak, user_k_caution

    base = {"k": 4, "k_by_evidence": 1, "k_reason_code": [{"code": "k_reason_user"},
                                                          {"code": "k_reason_user_evidence_one"}]}
    assert user_k_caution(base) == {"code": "warn_user_k_one_group", "values": {"k": 4}}
    levels = {**base, "k_by_evidence": 2, "k_reason_code": [{"code": "k_reason_user"}], "k_levels": _LEVELS}
    assert user_k_caution(levels)["code"] == "warn_user_k_levels"
    assert user_k_caution({**levels, "k_levels": {**_LEVELS, "levels": False}}) is None  # kinds: no caution
    assert user_k_caution({**base, "k_by_evidence": 4}) is None  # --k as the evidence said
    assert user_k_caution({**base, "k_reason_code": [{"code": "k_reason_bic"}]}) is None  # not set with --k
    assert types_weak(base) and not types_weak({"k": 3}) and types_weak({"structure_warning": "x"})


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_user_k_caution_reads_in_both_languages(lang):
    from behaviortypes.i18n import reason_text
    from behaviortypes.texts import Formatter, load_texts

    t = load_texts(lang)
    for code in ("warn_user_k_one_group", "warn_user_k_levels", "warn_user_k_continuum"):
        said = reason_text({"code": code, "values": {"k": 4}}, t, Formatter(lang))
        assert said.startswith(("The 4 types", "De 4 typerna")) and "--k" in said


def test_typing_tool_form_and_workbook_carry_the_caution_when_k_was_set_against_the_evidence(tmp_path):
    """Trial 22: ``discover --k 4`` where the evidence gave one group; ``typing-tool --html
    --xlsx`` gave the client a form and workbook with no "Read these types with care"."""
    from clirun import bt, ok_lines
    from openpyxl import load_workbook
    from test_typing_deliverables import _make_study

    from behaviortypes.texts import load_texts

    disc = _make_study(tmp_path, k=3, lo=1, hi=5, n_items=8, n=300, seed=4, language="en",
                       names=["Explorers", "Planners", "Hunters"], taglines=["a", "b", "c"],
                       texts=["I plan.", "I compare.", "I buy."])
    _user_k(disc)
    said = load_texts("en")["weak_evidence_types"]
    res = bt("typing-tool", disc, "--html", tmp_path / "form.html", "--xlsx", tmp_path / "tool.xlsx")
    ok_lines(res)
    assert said in (tmp_path / "form.html").read_text(encoding="utf-8")
    cells = [str(c.value) for ws in load_workbook(tmp_path / "tool.xlsx") for row in ws.iter_rows() for c in row
             if c.value is not None]
    assert said in cells


# 5. a lone small level that hides a large one: the notes name both and say what to do ----------

def test_banner_names_the_small_level_that_hid_a_large_one_and_says_to_merge_it(tmp_path_factory, tmp_path):
    """Trial 22: 8 "Other" hid "Female" (about 470) in every column, All included; the workbook
    blamed a small study and the report said nothing. The suppression stays (it protects "Other");
    the terminal, the workbook and the report's banner page now say which level to merge."""
    import numpy as np
    from clirun import bt, ok_lines
    from openpyxl import load_workbook
    from sharedcache import small_english_discovered

    from behaviortypes.describe import banner_overview, load_profile
    from behaviortypes.texts import load_texts

    root = small_english_discovered(tmp_path_factory, tmp_path / "se")
    ids = pd.read_csv(root / "survey" / "responses.csv")["customer_id"].dropna().tolist()
    gender = np.where(np.random.default_rng(0).random(len(ids)) < 0.55, "Male", "Female")
    gender[:8] = "Other"
    pd.DataFrame({"customer_id": ids, "gender": gender}).to_csv(tmp_path / "c.csv", index=False)
    res = bt("profile", root / "out", "--by", "gender", "--customers", tmp_path / "c.csv", "--id-column", "customer_id",
             "--xlsx", tmp_path / "b.xlsx")
    ok_lines(res)
    banner = pd.read_csv(root / "out" / "banner.csv")
    # since trial 24 "Other" is folded into the smallest other level's row, not protected by
    # hiding that level whole: no "Other" row, "Male" kept in a combined row, nothing hidden whole
    assert set(banner["level"]) == {"Female", "Male / Other"}
    assert banner.groupby("level")["overall_share"].first().notna().all()
    said = load_texts("en")["banner_combined_level_with"].format(
        column="gender", small="'Other'", large="Male", level="Male / Other", min=10, name="gender")
    assert "  " + said in res.stdout.splitlines()
    cells = [str(c.value) for ws in load_workbook(tmp_path / "b.xlsx") for row in ws.iter_rows() for c in row]
    assert said in cells
    overview = banner_overview(load_profile(root / "out"), lang="sv")
    assert overview["notes"] == [load_texts("sv")["banner_combined_level_with"].format(
        column="gender", small="'Other'", large="Male", level="Male / Other", min=10, name="gender")]


def test_protected_level_is_the_one_small_level_and_the_smallest_other():
    from behaviortypes.describe.banner import banner_table, protected_level

    rows = pd.DataFrame({"level": ["a", "b", "c"], "_level_n": [300, 200, 8]})
    assert protected_level(rows, 10) == ("c", "b")
    assert protected_level(rows.iloc[[0, 2]], 10) is None  # two levels: nothing else to hide
    assert protected_level(rows.assign(_level_n=[300, 9, 8]), 10) is None  # two small levels protect each other
    types = pd.Series([1, 2] * 100, index=range(200))
    data = pd.DataFrame({"g": ["a"] * 120 + ["b"] * 75 + ["c"] * 5, "h": ["x", "y"] * 100})
    # since trial 24 the small level is folded with the smallest other before tabulating,
    # so nothing is hidden whole any more (protected_level stays for the cells that remain)
    tab = banner_table(types, data)
    assert tab.attrs["protected_levels"] == {} and tab.attrs["combined_levels"]["g"]["level"] == "b / c"


# 7. ids that differ in leading zeros: both sides' ids shown, the zeros said, never matched -----

def test_link_hint_shows_both_sides_ids_and_says_leading_zeros():
    from behaviortypes.customer_links import IdsSeen, link_ids_hint
    from behaviortypes.errors import phrase

    seen = IdsSeen(["000100", "000101", "000102", "000103"])
    for batch in (pd.Series(["7", "100"]), pd.Series(["101", "999"])):  # streamed: batch by batch
        seen.see(batch)
    hint = link_ids_hint(seen, link="customer_id", column="kundnr", file="responses.csv")
    assert seen.n_zero == 2 and seen.zero_pair == ("000100", "100")
    said = phrase(hint.code, "en", hint.values)
    assert said.startswith("the ids differ in leading zeros only: 2 of the survey's customer_id match the base's "
                           "kundnr once the zeros are removed (000100 in responses.csv is 100 in the base)")
    empty = IdsSeen(["000"])  # an empty base id is no id, not "0"
    empty.see(pd.Series(["", "5"]))
    assert empty.n_zero == 0 and empty.zero_pair is None and empty.examples == ["5"]
    other = IdsSeen(["A1", "A2"])
    other.see(pd.Series(["B1", "B2", "B3", "B4"]))
    assert phrase(*(lambda h: (h.code, "sv", h.values))(link_ids_hint(other, link="kund", column="id", file="r.csv"))) \
        == "kontrollera att kund i r.csv innehåller kundbasens id: enkätens ser ut som A1, A2, kundbasens id som B1, B2, B3"


def test_profile_and_lookalike_show_the_bases_ids_and_say_leading_zeros(tmp_path_factory, tmp_path):
    """Trial 22: ``000100`` in the survey, ``100`` in the base: "no typed respondent is in the
    customer base" with no example of the base's ids, nor a word of the zeros."""
    from clirun import bt, error_line
    from sharedcache import small_english_discovered

    root = small_english_discovered(tmp_path_factory, tmp_path / "se")
    ids = pd.read_csv(root / "survey" / "responses.csv")["customer_id"].dropna()
    other = pd.DataFrame({"customer_id": "X" + ids.str.slice(1), "tier": "gold"})
    other.to_csv(tmp_path / "other.csv", index=False)
    line = error_line(bt("profile", root / "out", "--by", "tier", "--customers", tmp_path / "other.csv",
                         "--id-column", "customer_id"))
    assert line.startswith("error: other.csv, column 'customer_id': no typed respondent is in the customer base. "
                           "Hint: check that customer_id in responses.csv holds the base's ids: the survey's look like "
                           f"{ids.iloc[0]}, ")  # three typed respondents' ids
    assert line.endswith(f", the base's customer_id like {', '.join(other['customer_id'][:3])}")
    zeros = other.assign(customer_id="00" + ids)  # the base's ids written with leading zeros
    zeros.to_csv(tmp_path / "zeros.csv", index=False)
    hint = re.compile(r"Hint: the ids differ in leading zeros only: (\d+) of the survey's customer_id match the "
                      r"base's customer_id once the zeros are removed \((C\d+) in responses.csv is 00\2 in the base\)")
    for command in (["profile", root / "out", "--by", "tier"], ["lookalike", root / "out"]):
        line = error_line(bt(*command, "--customers", tmp_path / "zeros.csv", "--id-column", "customer_id"))
        found = hint.search(line)
        assert found and 200 < int(found.group(1)) <= len(ids), line  # the typed respondents with an id
    assert not (root / "out" / "lookalike.skops").exists()


# 9. type names: bands by their order, hyphens kept, the levels box's advice only when it applies --

_HSQ = {"F1": "Affiliative humour", "F2": "Self-enhancing humour", "F3": "Self-defeating humour",
        "F4": "Aggressive humour"}


@pytest.mark.parametrize("lang, said", [  # the themes as written (CLEAN24)
    ("en", ["The group high on Affiliative humour", "The group somewhat low on Affiliative humour",
            "The group low on Affiliative humour", "The group lowest on Affiliative humour",
            "Low on Affiliative humour, low on Self-enhancing humour."]),
    ("sv", ["Gruppen som ligger högt på Affiliative humour", "Gruppen som ligger något lågt på Affiliative humour",
            "Gruppen som ligger lågt på Affiliative humour", "Gruppen som ligger lägst på Affiliative humour",
            "Lågt på Affiliative humour, lågt på Self-enhancing humour."])])
def test_bands_along_one_factor_are_named_by_their_order_and_themes_keep_their_hyphens(lang, said):
    """Trial 22's four bands of affiliative humour (z about 0.8, -0.45, -1.45, -2.0): the middle
    band was "The group low on affiliative humour 2", and "self-enhancing" lost its hyphen."""
    from behaviortypes.profiles import suggest_names

    means = pd.DataFrame({"F1": [0.8, -0.45, -1.45, -2.0], "F2": [0.1, -0.2, -0.5, -0.9],
                          "F3": [0.0, 0.0, -0.1, -0.6], "F4": [0.0] * 4}, index=[1, 2, 3, 4])
    names = suggest_names(means, _HSQ, lang=lang)
    assert names["name"].tolist() == said[:4]
    assert names.at[3, "tagline"] == said[4]
    codes = suggest_names(means, {"F1": "affiliative-humour", "F2": "self_enhancing", "F3": "c", "F4": "d"}, lang="en")
    assert codes.at[1, "name"] == "The group high on affiliative humour"  # a code's hyphen still reads as a space


def test_the_levels_box_suggests_one_factor_fewer_only_for_a_factor_of_few_statements():
    from behaviortypes.i18n import reason_text
    from behaviortypes.stages import continuum_reason, statements_on
    from behaviortypes.texts import Formatter, load_texts

    sol = {"factor_evidence": [{"n_factors": 4, "salient": "8/8/7/3", "chosen": True}]}
    assert statements_on(sol, "F1") == 8 and statements_on(sol, "F4") == 3 and statements_on({}, "F1") is None
    lv = {"share": 0.98, "general": True, "levels": True, "factor": "F1", "factor_share": 0.8,
          "factor_name": "Affiliative humour", "n_statements": 8}
    bic = [{"code": "k_reason_bic", "values": {"k": 4}}]
    for lang in ("en", "sv"):
        t, fmt = load_texts(lang), Formatter(lang)
        many = reason_text(continuum_reason(4, bic, 0.9, levels=lv), t, fmt)
        few = reason_text(continuum_reason(4, bic, 0.9, levels={**lv, "n_statements": 3}), t, fmt)
        assert "--factors" not in many and "--factors" in few
        assert ("few statements" in few) if lang == "en" else ("få påståenden" in few)
        assert ("few statements" not in many) if lang == "en" else ("få påståenden" not in many)
    sv = reason_text(continuum_reason(4, bic, 0.9, levels=lv), load_texts("sv"), Formatter("sv"))
    assert "Vad du kan göra:" in sv and "skiljer sig främst i nivå, inte i sort" in sv  # item 10
    assert "Vad göra" not in "".join(load_texts("sv").values())


# 11. progress bars whose figures agree with the summary -----------------------------------------

class _Tty:
    """A terminal-like stream that keeps what is written."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        return len(text)

    def flush(self):
        pass

    def isatty(self):
        return True

    def text(self):
        return "".join(self.parts)


def test_typing_tool_score_shows_no_bar_before_it_knows_the_rows():
    """Trial 22: ``typing-tool --score`` drew "0/? 0 rows/s" while reading a 1,071-row file,
    below the 2,000 rows worth a bar, then said "Typed 1,071 rows"."""
    import time

    from behaviortypes.scoring import SHOW_FROM_ROWS, RowMeter

    tty = _Tty()
    meter = RowMeter(None, "Typing responses.csv", started=time.perf_counter(), stream=tty, show_from=SHOW_FROM_ROWS)
    time.sleep(0.3)  # reading the file
    meter.set_total(1071)
    meter.advance(1071)
    meter.finish(1071, 0.5)
    assert "0/?" not in tty.text() and "rows/s" not in tty.text()
    big = _Tty()
    meter = RowMeter(None, "Typing big.csv", started=time.perf_counter(), stream=big, show_from=SHOW_FROM_ROWS)
    meter.set_total(5000)
    meter.advance(5000)
    meter.finish(5000, 1.0)
    assert "5,000/5,000" in big.text() and "0/?" not in big.text()


def test_the_search_bar_moves_one_step_a_fit(monkeypatch):
    """Trial 22: "Fitting 2-10 types" moved 11 steps for 9 fits (and one group's)."""
    from contextlib import contextmanager

    import numpy as np

    from behaviortypes.segments import TypeFinder

    seen = {}

    @contextmanager
    def bar(self, label, total):
        steps = []
        yield lambda n=1: steps.append(n)
        seen.setdefault(label, (total, sum(steps)))

    monkeypatch.setattr(TypeFinder, "_bar", bar)
    X = pd.DataFrame(np.random.default_rng(0).normal(size=(150, 2)), columns=["F1", "F2"])
    TypeFinder(k_max=4, n_resamples=2, n_jobs=1, random_state=0, progress=True).fit(X)
    [(label, (total, steps))] = [(k, v) for k, v in seen.items() if k.startswith("Fitting")]
    assert label == f"Fitting 1-{total} types" and steps == total, seen  # one group's fit and 2..K types


def test_a_lone_small_level_of_three_still_gives_nothing_away():
    """Trial 22's gender banner (8 "Other" beside about 470 "Female" and 565 "Male", four types):
    the suppression still protects "Other" against an outsider with every published margin."""
    from banner_tables import table_from_counts
    from test_trial20 import _assert_nothing_given_away

    from behaviortypes.describe.banner import banner_table

    counts = {"Male": [349, 137, 57, 22], "Female": [255, 139, 62, 12], "Other": [4, 2, 1, 1]}
    tab = banner_table(*table_from_counts(counts), min_cell=10)
    # trial 24: "Other" is folded into "Female / Other" instead of hiding "Female"
    _assert_nothing_given_away(tab, {"Male": counts["Male"], "Female / Other": [259, 141, 63, 13]})
    assert tab.attrs["protected_levels"] == {}


# L2. score says the customer base's words read as no value, once, as lookalike does -------------

def test_score_says_the_words_it_read_as_no_value_once(tmp_path):
    from clirun import bt, ok_lines
    from test_scoring import FEATURES, discovery_with_lookalike

    disc, frame = discovery_with_lookalike(tmp_path / "disc")
    numeric = next(c for c in FEATURES if pd.api.types.is_numeric_dtype(frame[c]))
    text = frame.astype({numeric: object})
    text.loc[[1, 2, 4], numeric] = ["N/A", "-", "none"]
    text.to_csv(tmp_path / "customers.csv", index=False)
    res = bt("score", disc, "--customers", tmp_path / "customers.csv", "--out", tmp_path / "scored.csv")
    ok_lines(res)
    said = [line for line in res.stderr.splitlines() if "read as no value" in line]
    assert said == [f"warning: customers.csv, column '{numeric}', rows 2, 3, 5: 3 values of the customer base read "
                    "as no value: 'N/A', '-', 'none'. Hint: if a cell means something else (an Excel formula error "
                    "such as #N/A, a number typed as text), fix it in the file; else leave it or blank it"]


def test_the_report_says_the_k_caution_for_a_folder_written_before_it_was_recorded():
    from behaviortypes.report.render import structure_warning_text
    from behaviortypes.texts import Formatter, load_texts

    sol = {"k": 4, "k_by_evidence": 1, "k_reason_code": [{"code": "k_reason_user", "values": {"k": 4}},
                                                         {"code": "k_reason_user_evidence_one", "values": {"k": 4}}]}
    for lang in ("en", "sv"):
        t = load_texts(lang)
        assert structure_warning_text(sol, t, Formatter(lang)) == t["warn_user_k_one_group"].format(k=4)
        assert structure_warning_text({"k": 4}, t, Formatter(lang)) == ""


@pytest.mark.slow
def test_discover_records_the_k_caution_in_solution_json(tmp_path):
    """``discover --k 3`` on a survey without types (the null study of test_one_group):
    ``solution.json`` holds the caution (``structure_warning`` and its code), as weak
    evidence does, so the typing tool, ``score`` and the report say it."""
    import warnings

    from behaviortypes.pipeline import discover
    from behaviortypes.synth import make_study

    make_study(tmp_path / "survey", seed=1, n_respondents=400, n_customers=2000, n_interviews=4, separation=0.0,
               items_per_dimension=3, cross_loadings=())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        discover(tmp_path / "survey", tmp_path / "out", seed=0, n_resamples=4, make_map=False, k=3)
    sol = json.loads((tmp_path / "out" / "solution.json").read_text(encoding="utf-8"))
    assert sol["k"] == 3 and sol["k_by_evidence"] == 1
    assert sol["structure_warning_code"] == {"code": "warn_user_k_one_group", "values": {"k": 3}}
    assert sol["structure_warning"].startswith("The 3 types were set with --k against the evidence")
