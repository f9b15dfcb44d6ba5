"""User trial 22 (the Humor Styles Questionnaire, openpsychometrics): the instrument, check and
reading side. The trial's answers are not copied here; each defect is rebuilt on a small
synthetic file that shows it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from clirun import bt, error_line, ok_lines


def likert_survey(folder: Path, against: dict[str, int], *, n: int = 400, seed: int = 22,
                  declared: dict[str, int] | None = None) -> Path:
    """A survey folder of themes of eight statements on 1-5, one factor each: ``against``
    says, per theme, how many of its statements are worded against it (answers turned);
    ``declared`` how many of those instrument.yaml marks reverse: true (default none)."""
    rng = np.random.default_rng(seed)
    answers, items = {}, []
    for theme, k in against.items():
        f = rng.normal(size=n)
        for j in range(8):
            sign = -1 if j >= 8 - k else 1
            raw = 0.75 * sign * f + 0.66 * rng.normal(size=n)
            answers[f"{theme}{j + 1}"] = np.clip(np.round(3 + 1.1 * raw), 1, 5).astype(int)
            items.append({"id": f"{theme}{j + 1}", "text": f"Statement {j + 1} about {theme}",
                          "reverse": sign < 0 and j >= 8 - (declared or {}).get(theme, 0), "theme": theme})
    frame = pd.DataFrame(answers)
    frame.insert(0, "respondent_id", [f"R{i:04d}" for i in range(1, n + 1)])
    folder.mkdir(parents=True)
    frame.to_csv(folder / "responses.csv", index=False)
    inst = {"name": "trial22", "id_column": "respondent_id", "scale": {"min": 1, "max": 5}, "items": items}
    (folder / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False))
    return folder


# ------------------------------------------------------------------ 1. a theme split half against half
def test_check_says_a_theme_split_four_against_four_is_a_split_not_four_miskeyed_statements(tmp_path):
    """HSQ's aggressive humour keyed as its codebook (7 15 23 31 not reversed): check told the
    user to reverse the four rightly keyed statements. Now one warning names both halves and
    says to decide on the wording; the 1-against-7 theme keeps its one-statement advice."""
    lines = ok_lines(bt("check", likert_survey(tmp_path / "s", {"agg": 4, "aff": 1})))
    warned = [line for line in lines if line.startswith("warning:")]
    split = [line for line in warned if "half against half" in line]
    assert len(split) == 1, warned
    assert "theme 'agg'" in split[0] and "agg1, agg2, agg3, agg4 against agg5, agg6, agg7, agg8" in split[0] \
        or "agg5, agg6, agg7, agg8 against agg1, agg2, agg3, agg4" in split[0], split
    assert "wording" in split[0] and "published key" in split[0]
    assert not [line for line in warned if "statement 'agg" in line], warned  # no advice to reverse one half
    single = [line for line in warned if line.startswith("warning: statement '")]
    assert len(single) == 1 and "statement 'aff8'" in single[0] and "set reverse: true for it" in single[0], warned


def test_the_split_is_said_in_swedish():
    from behaviortypes.errors import phrase

    said = phrase("warn_theme_split", "sv", {"theme": "agg", "first": "a1, a2", "second": "a3, a4"})
    assert "hälften mot hälften: a1, a2 mot a3, a4" in said and "reverse: true" in said


def test_split_halves_needs_two_or_more_on_each_side():
    from behaviortypes.quality import split_halves

    themes = {f"i{j}": "t" for j in range(8)}
    found = pd.DataFrame({"item": ["i5", "i6", "i7"], "theme": "t", "r": -0.3})
    assert split_halves(found, themes) == {}  # 3 against 5: each named on its own
    found = pd.DataFrame({"item": ["i4", "i5", "i6", "i7"], "theme": "t", "r": -0.3})
    assert split_halves(found, themes) == {"t": (["i4", "i5", "i6", "i7"], ["i0", "i1", "i2", "i3"])}
    two = {"a": "u", "b": "u"}
    assert split_halves(pd.DataFrame({"item": ["a", "b"], "theme": "u", "r": -0.3}), two) == {}


# ------------------------------------------------------------------ 2. a C1 control character
def test_check_refuses_a_control_character_in_instrument_yaml_in_one_line(tmp_path):
    """U+0096 (a Windows-1252 en dash read as Latin-1) in a statement's text: check printed a
    59-line traceback (yaml.reader.ReaderError). Now one line: file, line, column, the dash."""
    folder = likert_survey(tmp_path / "s", {"a": 0})
    inst = folder / "instrument.yaml"
    lines = inst.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "Statement 3 about a" in line)
    lines[at] = lines[at].replace("Statement 3", "Statement \u0096 3")
    inst.write_text("\n".join(lines) + "\n", encoding="utf-8")
    line = error_line(bt("check", folder))
    column = lines[at].index("\u0096") + 1
    assert line.startswith("error: instrument.yaml: the character U+0096 at line "
                           f"{at + 1}, column {column} is a control character"), line
    assert "'–'" in line and "UTF-8" in line, line


def test_a_header_with_a_control_character_is_drafted_as_the_dash_it_was(tmp_path):
    """instrument draft wrote the header's U+0096 into instrument.yaml, which check could not read."""
    folder = likert_survey(tmp_path / "s", {"a": 0})
    answers = pd.read_csv(folder / "responses.csv")
    answers = answers.rename(columns={"a3": "How true? [I laugh \u0096 a lot]"})
    answers.to_csv(folder / "responses.csv", index=False, encoding="utf-8")
    (folder / "instrument.yaml").unlink()
    res = bt("instrument", "draft", folder / "responses.csv", "--out", folder / "instrument.yaml")
    assert res.returncode == 0, res.stderr
    assert "U+0096 → '–'" in res.stdout and res.stderr == "", res.stdout + res.stderr  # (said once: CLEAN23)
    text = (folder / "instrument.yaml").read_text(encoding="utf-8")
    assert "\u0096" not in text and "I laugh – a lot" in text and "U+0096 → '–'" in text
    assert ok_lines(bt("check", folder))[0].startswith("Survey: responses.csv — 400 respondents, 8 statements")


# ------------------------------------------------------------------ 3. planned missingness
def _solver(solutions):
    return lambda m: solutions[m]


def test_a_refitted_factor_with_one_statement_is_stepped_on_down_to_the_floor():
    """The trial's planned missingness: PA 7, two minor factors, the refitted 5-factor solution's
    F5 has one statement and was kept (no 'every factor has 3 or more' sentence). A factor of
    one statement is stepped on like an empty one, not below min(PA, MAP); 2-statement ones
    (epi, spi) are not."""
    from behaviortypes.factors import model as factor_model
    from behaviortypes.i18n import reason_text
    from behaviortypes.texts import load_texts

    solve = _solver({7: {"minor": ["F6", "F7"], "salient": [8, 7, 6, 5, 4, 2, 0]},
                     5: {"minor": ["F5"], "salient": [8, 8, 7, 7, 1]},
                     4: {"minor": [], "salient": [8, 8, 8, 8]}})
    m, text, code = factor_model._step_down(solve, start=7, floor=4)
    assert m == 4 and "(F5: 1), so 4 factors are kept" in text, text
    assert [c["code"] for c in code][-2:] == ["factor_reason_single", "factor_reason_solid"], code
    en = reason_text(code, load_texts("en"))
    assert "only one statement, or none," in en and "3 or more statements on every factor" in en, en
    assert "bara ett påstående, eller inget," in reason_text(code, load_texts("sv"))
    # below the floor too since session 23 (user trial 23: the floor min(PA, MAP) = 6 kept a
    # 1-statement F6 of BIG5; test_trial23a.py): one statement is not a dimension
    m, _, code = factor_model._step_down(solve, start=7, floor=5)
    assert m == 4 and code[-1]["code"] == "factor_reason_below_range_single"
    two = _solver({7: {"minor": ["F6", "F7"], "salient": [8, 7, 6, 5, 4, 2, 0]},
                   5: {"minor": ["F5"], "salient": [8, 8, 7, 6, 2]}})
    assert factor_model._step_down(two, start=7, floor=4)[0] == 5


def test_the_cfa_sentence_says_how_many_answered_everything_without_a_contradiction():
    from behaviortypes.report.render import Formatter, cfa_sentences, load_texts

    cfa = {"n": 518, "n_complete": 8, "missing": "ml", "cfi": 0.87, "tli": 0.86, "rmsea": 0.055,
           "note_code": "", "dropped_factors": []}
    said = cfa_sentences(cfa, load_texts("en"), Formatter("en"))["missing"]
    assert said.startswith("Of the 518 respondents in the check, 8 answered every statement; the other 510 "), said
    assert "Av de 518 svarande i kontrollen besvarade 8 alla" in cfa_sentences(cfa, load_texts("sv"), Formatter("sv"))["missing"]


def _with_missing(folder: Path, shares: dict[str, float], *, seed: int = 3, related: bool = False) -> Path:
    answers = pd.read_csv(folder / "responses.csv")
    rng = np.random.default_rng(seed)
    for col, share in shares.items():
        if related:  # the high answerers of the other theme skip it: not at random
            gone = answers["b1"].rank(pct=True, method="first") > 1 - share
        else:
            gone = pd.Series(rng.random(len(answers)) < share)
        answers[col] = answers[col].astype("Int64").mask(gone)
    answers.to_csv(folder / "responses.csv", index=False)
    return folder


def test_planned_missingness_is_one_warning_that_says_fiml_uses_the_partial_answers(tmp_path):
    """check m6 said eight warnings, each 'consider dropping the item'."""
    folder = _with_missing(likert_survey(tmp_path / "s", {"a": 0, "b": 0}), {f"a{i}": 0.4 for i in range(1, 9)})
    res = bt("check", folder)
    warned = [line for line in res.stderr.splitlines() + res.stdout.splitlines() if "not answer" in line]
    assert len(warned) == 1, warned
    assert "8 statements (a1, a2, a3, a4, a5, a6, a7, a8) were each not answered by" in warned[0]
    assert "planned-missingness" in warned[0] and "uses the answers they gave" in warned[0]
    assert "dropping" not in warned[0]


def test_missingness_that_is_not_at_random_is_one_warning_that_still_advises(tmp_path):
    folder = _with_missing(likert_survey(tmp_path / "s", {"a": 0, "b": 0}), {"a1": 0.3, "a2": 0.3},
                           related=True)
    res = bt("check", folder)
    warned = [line for line in res.stderr.splitlines() + res.stdout.splitlines() if "not answer" in line]
    assert len(warned) == 1 and "2 statements (a1, a2)" in warned[0], warned
    assert "planned" not in warned[0] and "consider dropping those items" in warned[0]


# ------------------------------------------------------------------ 6. a SurveyMonkey export
LABELS = ["Never or very rarely true", "Rarely true", "Sometimes true", "Often true", "Very often or always true"]


def surveymonkey(folder: Path, *, labels: bool = False) -> Path:
    """A SurveyMonkey export of likert_survey's answers: row 1 the questions (blank over a
    matrix's other statements), row 2 the statements or 'Response'."""
    source = likert_survey(folder / "src", {"a": 1, "b": 0})
    answers = pd.read_csv(source / "responses.csv")
    items = [c for c in answers.columns if c != "respondent_id"]
    texts = [f"I {c} often" for c in items]
    meta = ["Respondent ID", "Collector ID", "Start Date"]
    row1 = meta + ["How true is each of these statements about you?"] + [""] * (len(items) - 1) + ["Gender"]
    row2 = [""] * len(meta) + texts + ["Response"]
    rng = np.random.default_rng(0)
    body = [[str(11400000000 + i), "432198765", "12/05/2026 10:00:00 AM"]
            + [LABELS[int(v) - 1] if labels else str(int(v)) for v in answers.loc[i, items]]
            + [["Female", "Male"][int(rng.integers(2))]] for i in range(len(answers))]
    folder.mkdir(exist_ok=True)
    pd.DataFrame([row2, *body], columns=row1).to_csv(folder / "responses.csv", index=False)
    return folder


def test_a_surveymonkey_export_is_drafted_and_checked_with_its_second_header_row(tmp_path):
    """instrument draft said 'no column looks like a Likert item'; check 'respondent id is empty'
    on row 2. Now the second header row is the statements, as Qualtrics' rows are read."""
    for labels in (False, True):
        folder = surveymonkey(tmp_path / f"sm{labels}", labels=labels)
        res = bt("instrument", "draft", folder / "responses.csv", "--out", folder / "instrument.yaml")
        assert res.returncode == 0, res.stderr
        draft = yaml.safe_load((folder / "instrument.yaml").read_text(encoding="utf-8"))
        assert draft["id_column"] == "Respondent ID"
        assert [i["id"] for i in draft["items"]][:2] == ["I a1 often", "I a2 often"]
        assert len(draft["items"]) == 16 and draft["descriptors"] == [{"column": "Gender"}]
        assert "How true is each of these statements about you?" in (folder / "instrument.yaml").read_text()
        if labels:
            assert draft["scale"]["labels"] == dict(enumerate(LABELS, 1))
        lines = ok_lines(bt("check", folder))
        assert lines[0].startswith("Survey: responses.csv — 400 respondents, 16 statements (scale 1–5)"), lines


# ------------------------------------------------------------------ 8. a Google Forms export
def google_forms(folder: Path) -> Path:
    source = likert_survey(folder / "src", {"a": 1, "b": 0})
    answers = pd.read_csv(source / "responses.csv").drop(columns="respondent_id")
    stem = "How true is each of these statements about you?"
    frame = answers.apply(lambda col: col.map(lambda v: LABELS[int(v) - 1]))
    frame.columns = [f"{stem} [I {c} often]" for c in answers.columns]
    frame.insert(0, "Timestamp", [f"2026/12/05 10:{i // 60:02d}:{i % 60:02d} AM GMT+1" for i in range(len(frame))])
    frame.to_csv(folder / "responses.csv", index=False)
    return folder


def test_a_google_forms_grid_is_drafted_without_its_stem_and_with_frequency_labels(tmp_path):
    """Frequency labels ('Never or very rarely true' ...) were not recognised; the grid stem
    stayed in every id and text; id_column: Timestamp without a word."""
    folder = google_forms(tmp_path / "gf")
    res = bt("instrument", "draft", folder / "responses.csv", "--out", folder / "instrument.yaml")
    assert res.returncode == 0, res.stderr
    text = (folder / "instrument.yaml").read_text(encoding="utf-8")
    draft = yaml.safe_load(text)
    assert draft["scale"]["labels"] == dict(enumerate(LABELS, 1))
    assert [(i["id"], i["text"]) for i in draft["items"]][:1] == [("I a1 often", "I a1 often")]
    assert "[" not in "".join(i["id"] for i in draft["items"])
    assert "Question before I a1 often–I b8 often: How true is each of these statements about you?" in text
    assert draft["id_column"] == "Timestamp" and "# id_column: Timestamp holds when each answer was sent" in text
    assert ok_lines(bt("check", folder))[0].startswith("Survey: responses.csv — 400 respondents, 16 statements")
    # an instrument that names the whole header (written before) still reads
    draft["items"] = [{**i, "id": f"How true is each of these statements about you? [{i['id']}]"} for i in draft["items"]]
    (folder / "instrument.yaml").write_text(yaml.safe_dump(draft, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert ok_lines(bt("check", folder))[0].startswith("Survey: responses.csv — 400 respondents, 16 statements")


def test_frequency_labels_have_their_places():
    from behaviortypes.readers.draft import label_place

    assert [label_place(t) for t in LABELS] == [0, 1, 2, 3, 4]
    assert [label_place(t) for t in ("Aldrig", "Sällan", "Ibland", "Ofta", "Alltid")] == [0, 1, 2, 3, 4]


def test_a_kept_solution_that_still_has_a_minor_factor_says_so_in_its_reason():
    """The kept solution's '3 or more statements on every factor' sentence was simply missing
    when its refit kept a 2-statement factor; now the reason says that it still has one."""
    from behaviortypes.factors import model as factor_model
    from behaviortypes.i18n import reason_text
    from behaviortypes.texts import load_texts

    two = _solver({7: {"minor": ["F6", "F7"], "salient": [8, 7, 6, 5, 4, 2, 0]},
                   5: {"minor": ["F5"], "salient": [8, 8, 7, 6, 2]}})
    m, text, code = factor_model._step_down(two, start=7, floor=4)
    assert m == 5 and text.endswith("; the 5-factor solution still has minor factor(s) (F5: 2), kept"), text
    en = reason_text(code, load_texts("en"))
    assert "the 5-factor solution still has factor(s) with fewer than 3 statements" in en and "(F5: 2)" in en, en
    assert "har den fortfarande faktorer med färre än 3 påståenden" in reason_text(code, load_texts("sv"))


def test_a_unit_or_year_in_brackets_is_not_a_grid_statement(tmp_path):
    from behaviortypes.readers import read_table

    path = tmp_path / "t.csv"
    pd.DataFrame({"Spend [SEK]": [1, 2], "Spend [EUR]": [3, 4], "Q [I laugh a lot]": [1, 2],
                  "Q [I joke with friends]": [2, 3]}).to_csv(path, index=False)
    assert list(read_table(path).columns) == ["Spend [SEK]", "Spend [EUR]", "I laugh a lot", "I joke with friends"]
