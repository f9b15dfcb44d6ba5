"""User trial 24 (openpsychometrics' Humor Styles Questionnaire, 1,071 people, Martin et al.
2003's four scales and reverse key): answers already reverse-scored in the file with
reverse: true declared on them ran silently with every theme's meaning turned round; a scale
declared 1-7 on 1-5 answers had screening count respondents as disacquiescent against a
midpoint (4) the answers never used; the draft marked a theme's fewer statements reverse
even when the others were the negated ones."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from clirun import bt, error_line, ok_lines

REAL = Path(__file__).parent / "data" / "real"
THEMES = {"warm": ["W1", "W2", "W3", "W4", "W5"], "bold": ["B1", "B2", "B3", "B4", "B5"],
          "calm": ["C1", "C2", "C3", "C4", "C5"]}
#: the statements worded against their theme (reverse-keyed)
AGAINST = {"W2", "W4", "B3", "C1", "C5"}


def answers(n: int = 400, seed: int = 24, top: int = 5) -> pd.DataFrame:
    """Raw 1..top answers: three themes, the statements in ``AGAINST`` worded against theirs."""
    rng = np.random.default_rng(seed)
    out = {"respondent_id": [f"R{i:04d}" for i in range(n)]}
    for items in THEMES.values():
        trait = rng.normal(size=n)
        for item in items:
            sign = -1 if item in AGAINST else 1
            latent = 0.8 * sign * trait + 0.6 * rng.normal(size=n)
            out[item] = np.clip(np.round(3 + 1.1 * latent), 1, 5).astype(int)
    return pd.DataFrame(out)


def survey(folder: Path, data: pd.DataFrame, *, reverse=AGAINST, themes=THEMES, scale=(1, 5)) -> Path:
    folder.mkdir(parents=True)
    items = [{"id": i, "text": f"Statement {i}", "reverse": i in reverse, "theme": t}
             for t, ids in themes.items() for i in ids]
    inst = {"id_column": "respondent_id", "scale": {"min": scale[0], "max": scale[1]}, "items": items}
    (folder / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False))
    data.to_csv(folder / "responses.csv", index=False)
    return folder


def reversed_in_file(data: pd.DataFrame, items=AGAINST) -> pd.DataFrame:
    out = data.copy()
    for i in items:
        out[i] = 6 - out[i]
    return out


# ------------------------------------------------------------------ 1. answers reversed already
def test_check_refuses_answers_reverse_scored_already_naming_the_themes_statements_and_fix(tmp_path):
    """The trial's double_reverse: exit 0 and a factor named after a theme meaning its opposite."""
    folder = survey(tmp_path / "s", reversed_in_file(answers()))
    line = error_line(bt("check", folder))
    assert line == ("error: responses.csv: the answers look reverse-scored already: in every theme with "
                    "reverse: true statements ('warm', 'bold', 'calm'), those statements are answered with the "
                    "theme's other statements, so reversing them again would turn each theme's meaning round. "
                    "Hint: remove reverse: true from W2, W4, B3, C1, C5 in instrument.yaml, or give the raw "
                    "answers (as the respondents gave them) in the responses file"), line
    sv = error_line(bt("check", folder, "--lang", "sv"))
    assert sv.startswith("fel: responses.csv: svaren ser redan omvända ut: i varje tema") and \
        "ta bort reverse: true från W2, W4, B3, C1, C5 i instrument.yaml" in sv, sv


def test_discover_refuses_answers_reverse_scored_already_before_analysing(tmp_path):
    folder = survey(tmp_path / "s", reversed_in_file(answers()))
    out = tmp_path / "out"
    line = error_line(bt("discover", folder, "--out", out, "--no-map", "--resamples", "10"))
    assert "the answers look reverse-scored already" in line and "W2, W4, B3, C1, C5" in line, line
    assert not (out / "solution.json").exists()


def test_the_raw_answers_keyed_right_are_not_said_to_be_reversed(tmp_path):
    lines = ok_lines(bt("check", survey(tmp_path / "s", answers())))
    assert not [x for x in lines if "reverse-scored" in x or "keyed the wrong way" in x], lines


def test_one_theme_answered_reversed_is_one_warning_with_one_fix_not_mixed_advice(tmp_path):
    """Only 'warm' reversed in the file (the others raw): a warning naming its statements and
    saying the file may be reversed already, and no per-statement advice for that theme (the
    trial had 'set reverse on Q5/13/21' beside 'remove it on Q16/22')."""
    folder = survey(tmp_path / "s", reversed_in_file(answers(), items={"W2", "W4"}))
    lines = ok_lines(bt("check", folder))
    said = [x for x in lines if x.startswith("warning:") and "'warm'" in x]
    assert said == ["warning: the reverse: true statements of theme 'warm' (W2, W4) are answered with its "
                    "other statements (r = 0.79 before reversing), so reversed they run against them: the "
                    "answers may be reverse-scored already in the file, or those statements are not worded "
                    "against the theme. Hint: remove reverse: true from W2, W4 in instrument.yaml, or give "
                    "the raw answers (as the respondents gave them)"], lines
    sv = ok_lines(bt("check", folder, "--lang", "sv"))
    assert [x for x in sv if x.startswith("varning:") and "'warm'" in x] == [
        "varning: påståendena med reverse: true i temat 'warm' (W2, W4) besvaras i samma riktning som dess "
        "övriga påståenden (r = 0,79 före vändningen), så vända går de emot dem: svaren kan redan vara omvända "
        "i filen, eller så är de påståendena inte formulerade mot temat. Tips: ta bort reverse: true från W2, W4 "
        "i instrument.yaml, eller lämna de obearbetade svaren (så som de svarande gav dem)"], sv


def test_psychs_bfi_with_psychs_key_is_not_said_reversed_and_reversed_in_the_file_is():
    """Real data: R psych's bfi (2,800 people), its seven reverse-worded statements keyed as
    psych keys them: no theme; the same answers reverse-scored in the file: all four themes
    that have reverse statements (A, C, E, O)."""
    from behaviortypes.quality import reversed_already

    data = pd.read_csv(REAL / "bfi.csv.gz")
    themes = {c: c[0] for c in data.columns}
    reverse = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
    assert reversed_already(data, themes, reverse) == ([], 4)
    turned = data.copy()
    turned[reverse] = 7 - turned[reverse]
    found, mixed = reversed_already(turned, themes, reverse)
    assert [f["theme"] for f in found] == ["A", "C", "E", "O"] and mixed == 4
    assert all(f["r"] > 0.3 for f in found)


# ------------------------------------------------------------------ 2. the scale's midpoint
def style_lines(lines: list[str]) -> list[str]:
    return [x for x in lines if "acquiescent_kept" in x or "extreme_kept" in x]


def test_screening_measures_response_styles_on_the_scale_the_answers_used(tmp_path):
    """The trial's scale_1_7: 1-5 answers declared 1-7 counted 142 respondents (13.3 %) as
    disagreeing with both poles against the midpoint 4; measured on 1-5 the counts are those
    of the scale declared right, and check says which scale they were measured on."""
    data = answers()
    right = ok_lines(bt("check", survey(tmp_path / "five", data)))
    wrong = ok_lines(bt("check", survey(tmp_path / "seven", data, scale=(1, 7))))
    assert any("answers fit the scale 1–5" in x for x in wrong), wrong
    assert style_lines(wrong) == style_lines(right), (wrong, right)
    assert "  - response styles: measured on the scale the answers used, 1–5 (midpoint 3), not on the " \
           "declared 1–7, part of which no one used (see the warning about the scale)" in wrong, wrong
    assert not [x for x in right if "response styles: measured" in x], right
    sv = ok_lines(bt("check", tmp_path / "seven", "--lang", "sv"))
    assert "  - svarsstilar: mätta på den skala svaren använde, 1–5 (mittpunkt 3), inte på den angivna 1–7, " \
           "som ingen använde fullt ut (se varningen om skalan)" in sv, sv


def test_response_styles_take_the_scale_they_are_measured_on():
    from behaviortypes.instrument import Instrument
    from behaviortypes.quality import response_styles

    inst = Instrument.model_validate({"id_column": "id", "scale": {"min": 1, "max": 7},
                                     "items": [{"id": "a", "text": "a"}, {"id": "b", "text": "b"}]})
    items = pd.DataFrame({"a": [1.0, 5.0], "b": [2.0, 5.0]})
    declared = response_styles(items, inst)
    used = response_styles(items, inst, scale=(1, 5))
    assert list(declared["dars"]) == [2.5, 0.0] and list(used["dars"]) == [1.5, 0.0]
    assert list(used["ers"]) == [0.5, 1.0] and list(declared["ers"]) == [0.5, 0.0]


# ------------------------------------------------------------------ 3. the draft reads negations
def sav_survey(folder: Path, texts: dict[str, str], seed: int = 3, n: int = 300) -> Path:
    """A 1-5 survey as SPSS with the statements' texts as variable labels: theme A's negated
    statements (A1, A2, A3) run against its plain ones (A4, A5); theme B all plain."""
    import pyreadstat

    rng = np.random.default_rng(seed)
    data = {"respondent_id": np.arange(1, n + 1)}
    for theme in ("A", "B"):
        trait = rng.normal(size=n)
        for j in range(1, 6):
            sign = -1 if theme == "A" and j <= 3 else 1
            data[f"{theme}{j}"] = np.clip(np.round(3 + 1.1 * (0.8 * sign * trait + 0.6 * rng.normal(size=n))), 1, 5)
    frame = pd.DataFrame(data)
    folder.mkdir(parents=True)
    pyreadstat.write_sav(frame, str(folder / "responses.sav"),
                         column_labels=["Respondent"] + [texts.get(c, f"I like {c}") for c in frame.columns[1:]])
    return folder / "responses.sav"


NEGATED = {"A1": "I usually don’t laugh with other people", "A2": "I never tell jokes",
           "A3": "I do not enjoy a funny story", "A4": "I make people laugh", "A5": "I enjoy a good joke"}


def test_the_draft_marks_the_negated_statements_reverse_though_they_are_the_more(tmp_path):
    """The trial's draft marked HSQ's minority Q5/13/21 reverse and so turned 'affiliative'
    round against Martin's key: the negated statements are the reverse-keyed ones (by the
    wording, the draft matches the published key on all 32 HSQ statements)."""
    import yaml as _yaml

    path = sav_survey(tmp_path / "s", NEGATED)
    out = tmp_path / "s" / "instrument.yaml"
    lines = ok_lines(bt("instrument", "draft", path, "--out", out))
    text = out.read_text()
    reverse = sorted(i["id"] for i in _yaml.safe_load(text)["items"] if i["reverse"])
    assert reverse == ["A1", "A2", "A3"], text
    assert "# CHECK THE KEYING: statements A1, A2, A3, A4, A5 are worded both ways, and the wording chose the " \
           "reverse-keyed:\n# from the answers, A1, A2, A3 (3 of 5) go against the others and were drafted as " \
           "reverse: true because most of them\n# are worded with a negation" in text, text
    assert "the draft marked reverse: true on the statements worded with a negation (not, don't, never …), " \
           "which the answers cannot confirm; check the wording (see 'CHECK THE KEYING' at the top of the " \
           "draft)." in lines[-1], lines


def test_without_negations_the_draft_still_marks_the_fewer():
    from behaviortypes.readers.draft import keying_by_wording

    reverse = {"A1": False, "A2": False, "A3": False, "A4": True, "A5": True}
    plain = {c: f"I like {c}" for c in reverse}
    assert keying_by_wording(dict(reverse), [list(reverse)], plain) == []
    swedish = {**plain, "A1": "Jag skämtar inte", "A2": "Jag skrattar aldrig", "A3": "Jag gillar inte skämt"}
    turned = dict(reverse)
    assert keying_by_wording(turned, [list(reverse)], swedish) == [list(reverse)]
    assert [c for c, r in turned.items() if r] == ["A1", "A2", "A3"]


def test_a_keying_error_does_not_read_as_acquiescence():
    """The trial's double_reverse had a correction for 11.7 % acquiescence that was the keying
    error: the themes answered reversed already are left out of the evidence."""
    from behaviortypes.instrument import Instrument
    from behaviortypes.quality import decide_style_correction

    items = [{"id": i, "text": i, "reverse": i in AGAINST, "theme": t} for t, ids in THEMES.items() for i in ids]
    inst = Instrument.model_validate({"id_column": "respondent_id", "scale": {"min": 1, "max": 5}, "items": items})
    data = reversed_in_file(answers()).set_index("respondent_id")
    decision = decide_style_correction(data, inst)
    assert not decision.use and decision.evidence.loc["n_balanced_themes", "value"] == 0, decision.evidence
    right = decide_style_correction(answers().set_index("respondent_id"), inst)
    assert right.evidence.loc["n_balanced_themes", "value"] == 3


def acquiescent(n: int = 1500, seed: int = 7) -> pd.DataFrame:
    """Raw answers keyed as ``AGAINST`` says, in a population whose agreeing with every
    statement (acquiescence) is as strong as what the themes measure: each theme's reversed
    statements then correlate weakly *positively* with its forward ones, without any
    reversal in the file."""
    rng = np.random.default_rng(seed)
    agree = rng.normal(size=n)
    out = {"respondent_id": [f"R{i:04d}" for i in range(n)]}
    for items in THEMES.values():
        trait = rng.normal(size=n)
        for item in items:
            sign = -1 if item in AGAINST else 1
            latent = 0.45 * sign * trait + 0.6 * agree + 0.6 * rng.normal(size=n)
            out[item] = np.clip(np.round(3 + 1.1 * latent), 1, 5).astype(int)
    return pd.DataFrame(out)


def test_a_weak_positive_pull_of_acquiescence_is_warned_about_not_refused(tmp_path):
    """The lead's bound (REFUSE_REVERSED_R): a population of strong acquiescers pulls every
    theme's reversed statements weakly with the forward ones (r 0.10-0.30); that is not proof
    of a file reversed already, so each theme is warned about and `check` goes on."""
    from behaviortypes.quality import REFUSE_REVERSED_R, reversed_already

    data = acquiescent()
    themes = {i: t for t, ids in THEMES.items() for i in ids}
    found, mixed = reversed_already(data.drop(columns="respondent_id").astype(float), themes, sorted(AGAINST))
    assert mixed == 3 and len(found) == 3, found
    assert all(0.10 <= f["r"] < REFUSE_REVERSED_R for f in found), [f["r"] for f in found]
    lines = ok_lines(bt("check", survey(tmp_path / "s", data)))
    assert len([x for x in lines if x.startswith("warning: the reverse: true statements of theme")]) == 3, lines
