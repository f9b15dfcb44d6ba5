"""User trial 20 (DS14 Type D scale, R mokken's ``DS14``; Denollet 2005): the defects it found.

``tests/data/real/ds14.csv.gz`` holds the 541 patients' 14 answers (0-4), gender and age.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from behaviortypes.describe import banner_table
from behaviortypes.describe.banner import banner_lines, recoverable_cells
from banner_tables import table_from_counts

DS14 = Path(__file__).parent / "data" / "real" / "ds14.csv.gz"
NA_ITEMS = ["na02", "na04", "na05", "na07", "na09", "na12", "na13"]
SI_ITEMS = ["si01", "si03", "si06", "si08", "si10", "si11", "si14"]


# ----------------------------------------------------------------------------- 1. suppression
def worked_out(tab: pd.DataFrame, truth: dict[tuple[str, int], int]) -> dict:
    """The hidden counts an outsider works out from a banner and its published margins.

    The margins are every type's size among those who answered (sizes.csv, and n / share
    of any shown cell) and every level's total (overall share times the base). Repeatedly:
    a type column or level row with one unknown cell gives it as its total minus the rest.
    """
    tab = tab.set_index(["level", "type_id"])
    known = {c: int(v) for c, v in tab["n"].items() if not pd.isna(v)}
    lines = [[c for c in truth if c[1] == t] for t in {c[1] for c in truth}]
    lines += [[c for c in truth if c[0] == lv] for lv in {c[0] for c in truth}]
    found, grew = {}, True
    while grew:
        grew = False
        for line in lines:
            unknown = [c for c in line if c not in known]
            if len(unknown) == 1:
                known[unknown[0]] = sum(truth[c] for c in line) - sum(known[c] for c in line if c != unknown[0])
                found[unknown[0]] = known[unknown[0]]
                grew = True
    return found


def _truth(counts):
    return {(lv, t + 1): n for lv, per in counts.items() for t, n in enumerate(per)}


def _assert_nothing_given_away(tab, counts):
    assert worked_out(tab, _truth(counts)) == {}
    t = tab.reset_index(drop=True)
    assert not recoverable_cells(t["n"].isna(), banner_lines(t)).any()


def test_trial_gender_by_type_hides_no_cell_that_the_type_sizes_give_away():
    """Trial 20: women in types 2 and 3 (28 and 8) hidden at min group 30, men shown as
    134 and 70 beside the type sizes 162 and 78: women = 78 - 70 = 8. A two-cell type
    column is a line like any other; both levels of such a type are hidden."""
    counts = {"female": [30, 28, 8], "male": [253, 134, 70]}
    types, g = table_from_counts(counts)
    tab = banner_table(types, g, min_cell=30, min_type_size=30)
    _assert_nothing_given_away(tab, counts)
    t = tab.set_index(["level", "type_id"])
    assert pd.isna(t.loc[("male", 3), "n"]) and pd.isna(t.loc[("male", 3), "share"])
    assert t.loc[("female", 1), "n"] == 30 and t.loc[("male", 1), "n"] == 253


def test_the_outsiders_helper_finds_what_the_old_pattern_gave_away():
    """The helper itself: on the trial's published banner (male shown) it recovers 8 and 28."""
    counts = {"female": [30, 28, 8], "male": [253, 134, 70]}
    old = pd.DataFrame({"level": ["female"] * 3 + ["male"] * 3, "type_id": [1, 2, 3] * 2,
                        "n": [30, np.nan, np.nan, 253, 134, 70]})
    assert worked_out(old, _truth(counts)) == {("female", 2): 28, ("female", 3): 8}
    assert recoverable_cells(old["n"].isna(), banner_lines(old)).sum() == 2


def test_two_blocks_joined_by_one_cell_give_that_cell_away():
    """No line has one hidden cell, yet the cell joining two hidden 2 x 2 blocks is the
    difference of two sums of lines: the check and the suppression see it."""
    n = pd.DataFrame({"level": list("aabbccdd") + ["b"], "type_id": [1, 2, 1, 2, 3, 4, 3, 4, 3],
                      "n": 1.0})
    hid = pd.Series(True, index=n.index)
    lines = [list(n.index[n["type_id"] == t]) for t in (1, 2, 3, 4)]
    lines += [list(n.index[n["level"] == lv]) for lv in "abcd"]
    got = recoverable_cells(hid, lines)
    assert list(got[got].index) == [8]
    counts = {"a": [5, 5, 40, 40], "b": [5, 5, 5, 40], "c": [40, 40, 5, 5], "d": [40, 40, 5, 5]}
    types, g = table_from_counts(counts)
    _assert_nothing_given_away(banner_table(types, g, min_cell=10), counts)


def test_no_hidden_cell_can_be_worked_out_over_random_tables():
    """Seeded random tables, two-level (yes/no, gender) to five-level variables and two to
    five types, some below the minimum type size: nothing hidden can be worked out."""
    checked = 0
    for seed in range(80):
        rng = np.random.default_rng(seed)
        n_lv, n_t = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        counts = {f"l{i}": [int(x) for x in rng.choice([0, 2, 5, 8, 12, 25, 40, 90], n_t)]
                  for i in range(n_lv)}
        if min(map(sum, zip(*counts.values()))) == 0 or min(sum(v) for v in counts.values()) == 0:
            continue
        types, g = table_from_counts(counts)
        tab = banner_table(types, g, min_cell=10, min_type_size=int(rng.choice([0, 30])))
        _assert_nothing_given_away(tab, counts)
        shown = tab.dropna(subset=["n"])
        assert ((shown["n"] >= 10) | (shown["n"] == 0)).all()
        checked += 1
    assert checked > 50


def test_ds14_gender_by_published_type_d_quadrants():
    """Real data: DS14's four Type D quadrants (Denollet 2005: NA >= 10, SI >= 10) by gender,
    68 women of 541, min group 30: nothing hidden can be worked out from the margins."""
    d = pd.read_csv(DS14).dropna(subset=NA_ITEMS + SI_ITEMS)
    rev = d[SI_ITEMS].copy()
    rev[["si01", "si03"]] = 4 - rev[["si01", "si03"]]
    quad = 1 + (d[NA_ITEMS].sum(axis=1) >= 10).astype(int) + 2 * (rev.sum(axis=1) >= 10).astype(int)
    tab = banner_table(quad, d[["gender"]], min_cell=30, min_type_size=30)
    counts = pd.crosstab(d["gender"], quad)
    truth = {(lv, int(t)): int(counts.loc[lv, t]) for lv in counts.index for t in counts.columns}
    assert tab["n"].isna().any()  # women are few: some cells are hidden
    assert worked_out(tab, truth) == {}
    assert not recoverable_cells(tab["n"].isna(), banner_lines(tab)).any()


@pytest.mark.parametrize("lang, words", [("en", "two levels"), ("sv", "två nivåer")])
def test_the_banner_note_says_what_is_hidden(lang, words):
    """The report's banner page says that a two-level variable's other level is hidden too."""
    from types import SimpleNamespace

    from behaviortypes.describe.words import banner_overview

    counts = {"female": [30, 28, 8], "male": [253, 134, 70]}
    types, g = table_from_counts(counts)
    prof = SimpleNamespace(banner=banner_table(types, g, min_cell=30, min_type_size=30),
                           meta={"min_cell": 30, "type_names": {}})
    page = banner_overview(prof, lang=lang)
    assert words in page["lead"] and "30" in page["lead"]
    assert page["tables"][0]["rows"][1]["cells"][2]["text"] == "*"  # men of type 3


# ----------------------------------------------------------------------------- 2. the factor's name
_LEVELS = {"share": 0.968, "general": True, "levels": True, "factor": "F2", "factor_share": 0.526}


@pytest.mark.parametrize("lang, name, part_name", [
    ("en", "Negative affectivity", "Negative affectivity (part 2)"),
    ("sv", "Negative affectivity", "Negative affectivity (del 2)")])
def test_levels_box_names_the_factor_and_keeps_its_id_for_the_file(lang, name, part_name):
    """Trial 20: "mostly one factor, F2 (52.6 %) ... use the score on F2" while the rest of the
    report says "Negative affectivity". The box (discover's summary and the report, which
    both say continuum_reason's codes) names it; F2 only as the column of scores.csv."""
    from behaviortypes.i18n import reason_text
    from behaviortypes.pipeline import continuum_lines
    from behaviortypes.stages import continuum_reason
    from behaviortypes.texts import Formatter, load_texts

    sol = {"k": 3, "k_levels": {**_LEVELS, "factor_name": "negative_affectivity"}}
    text = " ".join(continuum_lines(sol, lang))
    assert name in text and "scores.csv" in text
    # F2 only as a file's column (loadings.csv, scores.csv)
    assert text.count("F2") == 2 == len(re.findall(r"(?:column|kolumnen) F2\b", text)), text
    codes = continuum_reason(3, None, None, levels={**_LEVELS, "factor": "F3",
                                                      "factor_name": "negative_affectivity (part 2)"})
    said = reason_text(codes, load_texts(lang), Formatter(lang))
    assert part_name in said
    unnamed = reason_text(continuum_reason(3, None, None, levels={**_LEVELS, "factor_name": "Factor 2"}),
                          load_texts(lang), Formatter(lang))
    assert ("factor 2" if lang == "en" else "faktor 2") in unnamed
    # a solution.json written before the name was kept still reads as before
    assert "F2" in " ".join(continuum_lines({"k": 3, "k_levels": _LEVELS}, lang))


# ----------------------------------------------------------------------------- 3. type names
#: trial 20's types on DS14 (discover --seed 20): mean z per type and factor (profiles.csv)
#: and whether each can be an answer style (answer_styles; si01 and si03 reverse-worded)
TRIAL20_MEANS = pd.DataFrame({"F1": [-0.0968, 0.6247, -0.9464], "F2": [-0.4634, 1.2692, -0.9546],
                              "F3": [-0.1902, 0.9129, -1.2059]},
                             index=pd.Index([1, 2, 3], name="type_id"))
TRIAL20_FACTORS = {"F1": "social_inhibition", "F2": "negative_affectivity",
                   "F3": "negative_affectivity (part 2)"}
TRIAL20_STYLES = {1: True, 2: False, 3: False}


@pytest.mark.parametrize("lang, low_all", [("en", "The group low on both themes"),  # 3 factors, 2 themes (trial 21)
                                           ("sv", "Gruppen som ligger lågt på båda temana")])
def test_type_lowest_on_every_factor_is_named_for_that_not_for_a_part(lang, low_all):
    """Trial 20: "low on negative affectivity" and "low on negative affectivity (part 2)" read
    as one group; type 3 is low on every factor by about as much (views, not an answer
    style: it agrees more with the reverse-worded statements), so it is named by that."""
    from behaviortypes.profiles import suggest_names

    names = suggest_names(TRIAL20_MEANS, TRIAL20_FACTORS, lang=lang, lexicon=False, styles=TRIAL20_STYLES)
    assert names.loc[3, "name"] == low_all
    assert not names["name"].str.contains(r"\((?:part|del) \d\)").any(), list(names["name"])
    assert names["name"].is_unique
    assert "critical" not in " ".join(names["name"]) and "kritiska" not in " ".join(names["name"])


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_two_parts_of_one_theme_are_told_apart_by_what_separates_them(lang):
    """Two types low on two factors of one theme. Session 20 gave them the theme's one name
    ("(part 2)" read as a counter); user trial 23 read two types "low on openness" for
    different factors as one: the part stays (FIX23B), and the names differ."""
    from behaviortypes.profiles import suggest_names

    fm = pd.DataFrame({"F1": [0.1, -0.2, 0.9], "F2": [-0.8, 0.1, 0.0], "F3": [0.0, -0.9, 0.1]},
                      index=pd.Index([1, 2, 3], name="type_id"))
    names = suggest_names(fm, {"F1": "social", "F2": "trust", "F3": "trust (part 2)"}, lang=lang, lexicon=False)
    assert names["name"].is_unique and names.loc[2, "name"] == (
        {"en": "The group low on trust (part 2)", "sv": "Gruppen som ligger lågt på trust (del 2)"}[lang])


def test_names_the_user_wrote_are_kept(tmp_path):
    """types.yaml names the analyst wrote stay as written when the suggestions change."""
    import yaml

    from behaviortypes.profiles import merge_types_yaml, suggest_names

    names = suggest_names(TRIAL20_MEANS, TRIAL20_FACTORS, lang="en", lexicon=False, styles=TRIAL20_STYLES)
    old = names.assign(name=names["name"].where(names.index != 3, "The group low on negative affectivity (part 2)"))
    path = tmp_path / "types.yaml"
    doc = merge_types_yaml(None, old)
    doc["types"][0]["name"] = "The calm ones"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    got = {t["type_id"]: t["name"] for t in merge_types_yaml(path, names)["types"]}
    assert got[1] == "The calm ones" and got[3] == "The group low on both themes"


# ----------------------------------------------------------------------------- 4-9. reading the answers
INSTRUMENT = """name: Type D (DS14) in coronary patients
id_column: respondent_id
scale:
  min: 0
  max: 4
items:
""" + "".join(f"- {{id: {i}, text: \"Statement {i}\", reverse: {str(i in ('si01', 'si03')).lower()}, "
              f"theme: {'social_inhibition' if i.startswith('si') else 'negative_affectivity'}}}\n"
              for i in sorted(NA_ITEMS + SI_ITEMS, key=lambda c: int(c[2:]))) + """min_group_size: 30
descriptors:
- {column: gender, label: Gender}
- {column: age_band, label: Age group}
outcomes:
- {column: age, label: Age (years)}
"""


def ds14_study(root: Path, *, frame=None, instrument: str = INSTRUMENT, text: str | None = None) -> Path:
    """DS14 as the trial's study: ``respondent_id`` P0001…, the 14 statements, gender, age band, age."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "instrument.yaml").write_text(instrument, encoding="utf-8")
    if text is not None:
        (root / "responses.csv").write_text(text, encoding="utf-8")
        return root
    if frame is None:
        frame = ds14_frame()
    frame.to_csv(root / "responses.csv", index=False)
    return root


def ds14_frame() -> pd.DataFrame:
    d = pd.read_csv(DS14, dtype=str, keep_default_na=False)
    age = pd.to_numeric(d["age"], errors="coerce")
    d.insert(len(d.columns) - 1, "age_band", pd.cut(age, [0, 49, 59, 69, 120],
                                                    labels=["<50", "50-59", "60-69", "70+"]).astype(str))
    return d


def test_check_warns_of_a_listed_descriptor_not_in_the_file(tmp_path):
    """Trial 20 (m9): age_band listed but absent passed check and discover; only profile said
    "column not found in the responses file". check says that line now, as a warning: the
    README lets such a column come from the customer base (profile --customers)."""
    from clirun import bt

    study = ds14_study(tmp_path / "s", frame=ds14_frame().drop(columns=["age_band"]))
    res = bt("check", study)
    assert res.returncode == 0, res.stderr
    said = [ln for ln in (res.stdout + res.stderr).splitlines() if "age_band" in ln]
    assert len(said) == 1 and said[0].startswith("warning: responses.csv, column 'age_band': "
                                                 "column not found in the responses file"), said
    assert "--customers" in said[0]


def test_a_0_to_10_question_among_0_to_4_statements_is_said_to_be_another_scale(tmp_path):
    """Trial 20 (m3): "value 5 is outside the scale 0–4 … declare it under scale:
    missing_codes" would blank 55 % of the column; the column runs 0–10: another question."""
    from clirun import bt, error_line

    d = ds14_frame()
    d["sat10"] = [str(v) for v in np.random.default_rng(1).integers(0, 11, len(d))]
    inst = INSTRUMENT.replace("min_group_size", "- {id: sat10, text: \"Satisfied (0-10)?\", theme: satisfaction}\n"
                              "min_group_size")
    line = error_line(bt("check", ds14_study(tmp_path / "s", frame=d, instrument=inst)))
    assert "column 'sat10'" in line and "another scale (0–10)" in line and "outcomes:" in line, line
    assert "(e.g. 99 = don't know)" not in line
    # a stray typo keeps the plain hint
    d = ds14_frame()
    d.loc[3, "na02"] = "44"
    line = error_line(bt("check", ds14_study(tmp_path / "t", frame=d)))
    assert "value 44 is outside the scale 0–4" in line and "another scale" not in line, line


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_vet_ej_answers_get_a_hint_to_blank_or_code_them(tmp_path, lang):
    """Trial 20 (m4, m4c, m4d): "Vet ej" answers were told "recode text answers as numbers";
    declared as scale: missing_codes: ['Vet ej'] they gave pydantic's raw line (en) or the
    hint "write a number with a decimal point … missing_codes: 0.3" (sv)."""
    from clirun import bt, error_line

    d = ds14_frame()
    d.loc[[7, 200], "si10"] = "Vet ej"
    inst = INSTRUMENT + ("language: sv\n" if lang == "sv" else "")
    line = error_line(bt("check", ds14_study(tmp_path / "a", frame=d, instrument=inst)))
    assert "'Vet ej'" in line and "scale: missing_codes" in line
    assert {"en": "blank those cells", "sv": "töm de cellerna"}[lang] in line, line
    inst = inst.replace("  max: 4\n", "  max: 4\n  missing_codes: ['Vet ej']\n")
    line = error_line(bt("check", ds14_study(tmp_path / "b", frame=d, instrument=inst)))
    assert "'Vet ej'" in line and "missing_codes" in line, line
    assert "Input should be" not in line and "0.3" not in line and "decimal" not in line, line
    assert {"en": "number code", "sv": "sifferkod"}[lang] in line, line


def test_na_texts_are_said_and_wholly_empty_rows_skipped(tmp_path):
    """Trial 20: "N/A" answers (m4b) became missing with no word while "Vet ej" was refused;
    three ",,,," rows at the end (m6) were refused as "respondent id is empty"."""
    from clirun import bt, error_line, ok_lines

    d = ds14_frame()
    d.loc[[4, 40, 100], "na02"] = "N/A"
    d.loc[7, "si10"] = "#N/A"
    text = d.to_csv(index=False) + ("," * (d.shape[1] - 1) + "\n") * 3 + "\n"
    res = bt("check", ds14_study(tmp_path / "s", text=text))
    assert ok_lines(res)
    out = res.stdout + res.stderr
    said = [ln for ln in out.splitlines() if "read as no answer" in ln]
    assert len(said) == 1 and "column 'na02', rows 6, 42, 102" in said[0] and "'N/A', '#N/A'" in said[0], said
    assert "4 answers" in said[0]
    skipped = [ln for ln in out.splitlines() if "empty in every column" in ln]
    assert len(skipped) == 1 and "rows 543, 544, 545: 3 rows" in skipped[0], skipped
    # a row with answers but no id is still refused
    rows = text.splitlines()
    rows[-3] = "," + ",".join(["2"] * 14) + ",male,60-69,65"
    line = error_line(bt("check", ds14_study(tmp_path / "t", text="\n".join(rows) + "\n")))
    assert "respondent id is empty" in line and "row 544" in line, line


def test_an_excel_date_id_is_warned(tmp_path):
    """Trial 20 (m7b): an Excel date in the id column became the id 2026-03-01 00:00:00."""
    import datetime as dt

    from clirun import bt

    d = ds14_frame()
    for c in NA_ITEMS + SI_ITEMS:
        d[c] = pd.to_numeric(d[c], errors="coerce")
    d["respondent_id"] = d["respondent_id"].astype(object)
    d.loc[5, "respondent_id"] = dt.datetime(2026, 3, 1)
    study = ds14_study(tmp_path / "s", frame=d.iloc[:0])
    (study / "responses.csv").unlink()
    d.to_excel(study / "responses.xlsx", index=False)
    res = bt("check", study)
    assert res.returncode == 0, res.stderr
    said = [ln for ln in (res.stdout + res.stderr).splitlines() if "as a date" in ln]
    assert len(said) == 1 and "column 'respondent_id', row 7" in said[0] and "2026-03-01" in said[0], said


# ----------------------------------------------------------------------------- 10. stability figure
@pytest.mark.parametrize("n_types", [3, 6])
def test_stability_labels_do_not_run_into_each_other(n_types):
    """Trial 20, report p. 11: wrapped type names were squashed onto each other in the figure
    the report sizes at (6.0, 0.6 + 0.28 per type) inches (render.py). One line a type."""
    import matplotlib

    matplotlib.use("Agg")
    from behaviortypes import plots

    names = {t: f"{t} · The group {'low' if t % 2 else 'high'} on negative\naffectivity (part {t})"
             for t in range(1, n_types + 1)}
    fig = plots.plot_stability(pd.Series({t: 0.9 for t in names}), names=names)
    fig.set_size_inches(6.0, 0.6 + 0.28 * n_types)
    fig.canvas.draw()
    ax = fig.axes[0]
    boxes = [t.get_window_extent() for t in ax.get_yticklabels()]
    assert all("\n" not in t.get_text() for t in ax.get_yticklabels())
    for a, b in zip(boxes, boxes[1:]):
        assert a.y1 <= b.y0 + 0.5 or b.y1 <= a.y0 + 0.5, (a, b)
