"""Session 19's user trial on R poLCA's ``gss82`` (real, public; McCutcheon 1987): what it found.

Data: ``tests/data/real/gss82.csv.gz`` — 1,202 respondents of the 1982 General Social Survey,
four attitudes to surveys as poLCA codes them (1 = its first level): PURPOSE (good, depends,
waste of time), ACCURACY (mostly true, not true), UNDERSTA (good, fair/poor), COOPERAT
(interested, cooperative, impatient/hostile). Here they are recoded so that a higher number
is the more positive answer (README: higher = more agreement).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from behaviortypes.segments import TypeFinder

DATA = Path(__file__).parent / "data" / "real" / "gss82.csv.gz"
#: poLCA's number of levels per item (the recoding turns level c into levels + 1 - c)
LEVELS = {"PURPOSE": 3, "ACCURACY": 2, "UNDERSTA": 2, "COOPERAT": 3}
ITEMS = {"PURPOSE": ("purpose", "Surveys serve a good purpose (1 waste of time, 2 depends, 3 good)", "value"),
         "ACCURACY": ("accuracy", "Surveys are mostly true (1 not true, 2 mostly true)", "value"),
         "UNDERSTA": ("understand", "Understood the questions (1 fair/poor, 2 good)", "engagement"),
         "COOPERAT": ("cooperate", "Cooperation (1 impatient/hostile, 2 cooperative, 3 interested)",
                      "engagement")}


def gss_survey(folder: Path, *, recode: bool = True, scale: dict | None = None) -> Path:
    """A survey folder of gss82; ``recode=False`` leaves PURPOSE as poLCA codes it (1 = good)."""
    codes = pd.read_csv(DATA)
    answers = pd.DataFrame({ITEMS[c][0]: LEVELS[c] + 1 - codes[c] for c in LEVELS})
    if not recode:
        answers["purpose"] = codes["PURPOSE"]
    answers.insert(0, "respondent_id", [f"G{i:04d}" for i in range(1, len(answers) + 1)])
    folder.mkdir(parents=True)
    answers.to_csv(folder / "responses.csv", index=False)
    inst = {"name": "Attitudes towards surveys (GSS 1982)", "id_column": "respondent_id",
            "scale": scale or {"min": 1, "max": 3, "labels": {1: "Negative", 3: "Positive"}},
            "items": [{"id": i, "text": t, "reverse": False, "theme": th} for i, t, th in ITEMS.values()]}
    (folder / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False, allow_unicode=True))
    return folder


def test_the_gss82_copy_is_poLCAs():
    """McCutcheon's (1987) table: 1,202 respondents, 419 in the all-first-levels cell."""
    codes = pd.read_csv(DATA)
    assert list(codes.columns) == list(LEVELS) and len(codes) == 1202
    assert codes["PURPOSE"].value_counts().to_dict() == {1: 919, 3: 179, 2: 104}
    assert codes["ACCURACY"].value_counts().to_dict() == {1: 625, 2: 577}
    assert int((codes == 1).all(axis=1).sum()) == 419


# ------------------------------------------------------------------ 1. k with no valid fit
def test_no_valid_fit_of_two_or_more_types_is_one_group():
    """Every fit of 2+ types set aside (collapsed) but one group fitted: nothing is
    evidence for types, so one group, with its own reason code and warning. Before: 2 types
    ("no valid mixture fit to compare"), skipping the comparison with one group."""
    tf = TypeFinder(models=("scaled", "full"))
    tf._n_eff = 1000.0
    nan = np.nan
    base = dict(min_share=[1.0, 0.3, 0.2, 0.1], min_share_hard=[1.0, 0.3, 0.2, 0.1],
                n_min=[1000.0, 300.0, 200.0, 100.0], nu_t=[50.0] * 4, nu_t_spreads=[50.0] * 4,
                jaccard_mean=[nan] * 4, jaccard_min=[nan] * 4, jaccard_small=[nan] * 4,
                bic=[3100.0, nan, nan, nan], bic_full=[3100.0, nan, nan, nan])
    ev = pd.DataFrame(base, index=pd.Index([1, 2, 3, 4], name="k"))
    ev.insert(0, "bic_best", [3044.0, nan, nan, nan])
    ev = tf._judge(ev, 3044.0)
    k, reason, warn = tf._choose(ev, bic1=3044.0)
    assert k == 1, reason
    assert [c["code"] for c in tf._reason_code] == ["k_reason_no_fit_one"]
    assert tf._reason_code[0]["values"] == {"bic_one": 3044}
    assert warn.code == "warn_one_group_no_fit" and "one group (k=1)" in str(warn)
    assert "BIC 3044" in reason


@pytest.mark.slow
def test_gss82_gives_the_same_number_of_types_for_every_seed(tmp_path):
    """The trial: seeds 19 and 3 gave 2 types "no valid mixture fit to compare" (every 2-type
    fit's starts collapsed onto the 419 respondents of one answer cell), seeds 1, 2, 7, 42 one
    group (a valid 2-type fit, one mode by the dip). Now one group at every seed."""
    from behaviortypes.readers import load_survey
    from behaviortypes.stages import run_factors, run_screen, run_types

    screen = run_screen(load_survey(gss_survey(tmp_path / "gss")))
    got = {}
    for seed in (19, 3, 1):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            factors = run_factors(screen, seed=seed, cfa=False)
            finder = run_types(factors, seed=seed, n_resamples=4).finder
        got[seed] = (finder.k_, [c["code"] for c in finder.reason_code_])
        # no bootstrap test with a fit set aside (the trial printed "BLRT p 0.048" for 2 and 3
        # types whose every fit had collapsed): the test's shared-shape fit is the "bic" column's
        ev = finder.evidence_
        set_aside = ev.index[(ev.index >= 2) & ev["bic"].isna()]
        assert ev.loc[set_aside, "blrt_p"].isna().all(), ev.to_string()
        if seed == 19:
            assert 2 in set_aside, ev.to_string()  # (so the line above reads a set-aside fit)
    assert {k for k, _ in got.values()} == {1}, got
    assert not any("k_reason_no_fit" in codes for _, codes in got.values()), got


# ------------------------------------------------------------------ 2. a statement keyed the wrong way
def test_check_names_a_statement_keyed_against_its_theme(tmp_path):
    """The trial left PURPOSE coded 1 = good (the others higher = positive): ``check`` printed
    alpha -0.87 for its theme and said nothing. Now one line names it, its correlation and the fix."""
    from clirun import bt, ok_lines

    lines = ok_lines(bt("check", gss_survey(tmp_path / "gss", recode=False)))
    said = [line for line in lines if "keyed the wrong way" in line]
    assert len(said) == 1, lines
    assert "statement 'purpose'" in said[0] and "'value'" in said[0] and "(corrected item-rest correlation -0.33)" in said[0]
    assert "reverse: true" in said[0] and "recode" in said[0]
    # keyed right: nothing said
    assert not [line for line in ok_lines(bt("check", gss_survey(tmp_path / "ok"))) if "keyed the wrong way" in line]


def test_the_wrongly_keyed_statement_is_said_in_swedish_and_while_screening(tmp_path):
    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.pipeline import check
    from behaviortypes.readers import load_survey
    from behaviortypes.stages import run_screen

    folder = gss_survey(tmp_path / "gss", recode=False)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        run_screen(load_survey(folder))  # discover's screening step
    codes = [w.message.values for w in said if issubclass(w.category, SurveyQualityWarning)
             and w.message.code == "warn_item_miskeyed"]
    assert [(v["item"], v["theme"], round(v["r"], 2)) for v in codes] == [("purpose", "value", -0.33)]
    text = check(folder).summary("sv")
    assert "påståendet 'purpose' korrelerar negativt med resten av sitt tema 'value' (korrigerad " \
           "korrelation med resten −0,33)" in text, text


def test_the_wrongly_keyed_statements_of_psychs_bfi_are_named_and_no_other():
    """R psych's bfi (real): its seven reverse-worded statements left unkeyed are each named
    (E4, a forward one, read -0.20 while E1 and E2 pulled its rest down: the most negative is
    turned before the others are read again); keyed as psych keys them, none."""
    from behaviortypes.quality import miskeyed_items

    answers = pd.read_csv(Path(__file__).parent / "data" / "real" / "bfi.csv.gz")
    themes = {c: c[0] for c in answers.columns}
    reverse = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
    found = miskeyed_items(answers, themes)
    assert sorted(found["item"]) == reverse, found
    assert (found["r"] < -0.1).all()
    keyed = answers.copy()
    keyed[reverse] = 7 - keyed[reverse]
    assert miskeyed_items(keyed, themes).empty


# ------------------------------------------------------------------ 3. scale labels upside down
REVERSED = {"min": 1, "max": 3, "labels": {1: "Agree strongly", 3: "Disagree strongly"}}


def test_check_warns_when_the_scale_labels_run_from_agree_to_disagree(tmp_path):
    """The trial's ``labels: {1: "Agree strongly", 3: "Disagree strongly"}`` was accepted
    silently although a higher number must mean more agreement."""
    from clirun import bt, ok_lines

    lines = ok_lines(bt("check", gss_survey(tmp_path / "gss", scale=REVERSED)))
    said = [line for line in lines if "scale labels" in line]
    assert said == ["warning: instrument.yaml: the scale labels read as agreement falling with the number "
                    "(1 \"Agree strongly\" … 3 \"Disagree strongly\"), but a higher number must mean more "
                    "agreement. Hint: if the answers are coded so (1 = agree), recode them as min + max − answer "
                    "and turn the labels round; if the codes already run from disagree to agree, fix the labels "
                    "in instrument.yaml"], lines


@pytest.mark.parametrize("labels, warned", [
    ({1: "Instämmer helt", 3: "Varken eller", 5: "Instämmer inte alls"}, True),
    ({1: "1 = Strongly agree", 5: "5 = Strongly disagree"}, True),
    ({1: "Strongly disagree", 5: "Strongly agree"}, False),
    ({1: "Stämmer inte alls", 5: "Stämmer helt"}, False),
    ({1: "Never", 5: "Always"}, False),  # labels the draft does not know: nothing said
    ({1: "Agree", 2: "Strongly disagree", 5: "Strongly agree"}, False),  # not one direction
])
def test_reversed_labels_are_read_in_english_and_swedish(labels, warned):
    from behaviortypes.instrument import instrument_from_dict
    from behaviortypes.readers.validate import instrument_warnings

    inst = instrument_from_dict({"id_column": "id", "scale": {"min": 1, "max": 5, "labels": labels},
                                 "items": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]})
    codes = [p.code for p in instrument_warnings(inst, "instrument.yaml")]
    assert ("problem_labels_reversed" in codes) == warned, codes


# ------------------------------------------------------------------ 5. one way to say a warning
def test_check_says_warning_as_discover_does(tmp_path):
    """``check`` printed ``Warning:`` (``Varning:``) where discover and the README say
    ``warning:`` (``varning:``)."""
    from clirun import bt, ok_lines

    folder = gss_survey(tmp_path / "gss")
    lines = ok_lines(bt("check", folder))
    assert [line for line in lines if line.startswith("warning: straightlining: 12 respondents")], lines
    assert not [line for line in lines if line.startswith("Warning")], lines
    inst = yaml.safe_load((folder / "instrument.yaml").read_text())
    (folder / "instrument.yaml").write_text(yaml.safe_dump({**inst, "language": "sv"}, allow_unicode=True))
    lines = ok_lines(bt("check", folder))
    assert [line for line in lines if line.startswith("varning: rak linje: 12 svarande")], lines


# ------------------------------------------------------------------ 4. which sheet was read
def test_check_says_which_sheet_it_read_and_names_the_others(tmp_path):
    """The trial's workbook had a notes sheet "Info" before the answers on "Data": check gave
    three problems about "Info" and never said which sheet it read."""
    import openpyxl

    from clirun import bt, error_line

    folder = gss_survey(tmp_path / "gss")
    answers = pd.read_csv(folder / "responses.csv")
    book = openpyxl.Workbook()
    book.active.title = "Info"
    book.active.append(["About"])
    book.active.append(["GSS 1982, attitudes towards surveys"])
    data = book.create_sheet("Data")
    data.append(list(answers.columns))
    for row in answers.itertuples(index=False):
        data.append(list(row))
    book.save(folder / "responses.xlsx")
    (folder / "responses.csv").unlink()
    line = error_line(bt("check", folder))
    assert line.startswith("error: 4 problems: (1) responses.xlsx: read sheet 'Info', the workbook's first "
                           "sheet with data; its other sheets ('Data') are not read. Hint: put the answers on "
                           "the workbook's first sheet"), line
    inst = yaml.safe_load((folder / "instrument.yaml").read_text())
    (folder / "instrument.yaml").write_text(yaml.safe_dump({**inst, "language": "sv"}, allow_unicode=True))
    assert "läste bladet 'Info', arbetsbokens första blad med data; dess andra blad ('Data') läses inte" \
        in error_line(bt("check", folder))
    book.move_sheet("Data", offset=-1)  # the answers first: read, nothing said
    book.save(folder / "responses.xlsx")
    assert bt("check", folder).returncode == 0
