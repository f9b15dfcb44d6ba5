"""``instrument draft`` on a survey whose answers are text labels (user trial, session 10)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from behaviortypes.errors import InputError
from behaviortypes.instrument import load_instrument
from behaviortypes.readers import read_responses
from behaviortypes.readers.draft import draft_instrument, write_instrument_draft

EN = ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]
SV = ["Instämmer inte alls", "Instämmer inte", "Varken eller", "Instämmer delvis", "Instämmer helt"]


def _label_csv(folder, labels, n=120, items=6, seed=3):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, len(labels), size=(n, items))
    frame = pd.DataFrame({f"q{j + 1}": [labels[c] for c in codes[:, j]] for j in range(items)})
    frame.insert(0, "respondent_id", [f"R{i:03d}" for i in range(n)])
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "responses.csv", index=False)
    return folder / "responses.csv", codes + 1


@pytest.mark.parametrize("labels", [EN, SV, [s.upper() for s in reversed(EN)]])
def test_draft_of_text_labels_lists_them_in_a_guessed_order(tmp_path, labels):
    csv, codes = _label_csv(tmp_path / "study", labels)
    draft = draft_instrument(csv)
    ordered = labels[::-1] if labels[0].isupper() else labels  # the file's order is no clue
    assert draft["scale"]["min"] == 1 and draft["scale"]["max"] == len(labels)
    assert draft["scale"]["labels"] == {i + 1: t for i, t in enumerate(ordered)}
    assert [i["id"] for i in draft["items"]] == [f"q{j}" for j in range(1, 7)]
    out = write_instrument_draft(csv)
    text = out.read_text(encoding="utf-8")
    assert "# A GUESS: the answers are text labels" in text  # said as a guess to check
    assert " < ".join(ordered) in text
    assert yaml.safe_load(text)["scale"]["labels"][1] == ordered[0]
    # the draft reads the file (check/discover): codes in the guessed order
    answers = read_responses(csv, load_instrument(out))
    want = codes if labels[0] != "STRONGLY AGREE" else len(labels) + 1 - codes
    assert np.array_equal(answers[[f"q{j}" for j in range(1, 7)]].to_numpy(dtype=float), want)


def test_unknown_text_labels_get_the_hint_to_list_them(tmp_path):
    csv, _ = _label_csv(tmp_path / "study", ["Never", "Seldom", "Often", "Always", "Meh"])
    with pytest.raises(InputError) as err:
        draft_instrument(csv)
    assert "text labels" in str(err.value) and "scale: labels" in str(err.value)
    assert "Never" in str(err.value)


def test_draft_out_says_the_label_guess_on_the_terminal_and_check_reads_the_file(tmp_path, capsys):
    from behaviortypes.cli import main

    csv, _ = _label_csv(tmp_path / "study", EN)
    assert main(["instrument", "draft", str(csv), "--out", str(tmp_path / "study" / "instrument.yaml")]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "The answers are text labels: their codes under scale: labels are a guess" in printed
    assert main(["check", str(tmp_path / "study")]) == 0  # the draft as it is: check accepts it
    # a numeric survey says nothing of labels
    frame = pd.DataFrame({f"q{j}": np.random.default_rng(j).integers(1, 6, 80) for j in range(1, 5)})
    frame.insert(0, "respondent_id", [f"R{i}" for i in range(80)])
    frame.to_csv(tmp_path / "n.csv", index=False)
    capsys.readouterr()
    assert main(["instrument", "draft", str(tmp_path / "n.csv"), "--out", str(tmp_path / "n.yaml")]) == 0
    assert "text labels" not in capsys.readouterr().out + (tmp_path / "n.yaml").read_text(encoding="utf-8")


# ---------------------------------------------------------------- user trial 5: don't know
DONT_KNOW = {"en": ["Don't know", "No answer"], "sv": ["Vet ej", "Ingen åsikt"]}


def _sav_with_dont_know(path, labels, extra, n=200, seed=0):
    """A 1-4 agree scale with non-answers coded right after it (5, 6): SPSS value labels."""
    import pyreadstat

    rng = np.random.default_rng(seed)
    g = rng.normal(size=n)
    items = {}
    for j in range(6):
        x = np.clip(np.rint(2.5 + g + rng.normal(size=n)), 1, 4)
        x[rng.random(n) < 0.08] = 5
        x[rng.random(n) < 0.04] = 6
        items[f"q{j + 1}"] = x
    frame = pd.DataFrame(items)
    frame.insert(0, "respondent_id", np.arange(1, n + 1))
    value_labels = {**{i + 1: t for i, t in enumerate(labels)}, 5: extra[0], 6: extra[1]}
    pyreadstat.write_sav(frame, path, variable_value_labels={c: value_labels for c in items})
    return path


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_dont_know_in_spss_labels_is_a_missing_code_not_a_scale_point(tmp_path, lang):
    """Trial 5: "Don't know"/"Vet ej" coded 5 after a 1-4 scale was drafted as scale point 5."""
    labels = EN if lang == "en" else ["Instämmer inte alls", "Instämmer inte", "Instämmer", "Instämmer helt"]
    (tmp_path / "study").mkdir()
    sav = _sav_with_dont_know(tmp_path / "study" / "s.sav", labels, DONT_KNOW[lang])
    draft = draft_instrument(sav)
    assert (draft["scale"]["min"], draft["scale"]["max"]) == (1, 4)
    assert draft["scale"]["missing_codes"] == [5, 6]
    assert draft["scale"]["labels"] == {1: labels[0], 2: labels[1], 3: labels[2], 4: labels[3],
                                        5: DONT_KNOW[lang][0], 6: DONT_KNOW[lang][1]}
    text = write_instrument_draft(sav).read_text(encoding="utf-8")
    assert (f"# Not answers on the scale: 5 = {DONT_KNOW[lang][0]}, 6 = {DONT_KNOW[lang][1]}; "
            "drafted under missing_codes") in text


@pytest.mark.filterwarnings("ignore:.*did not answer this item")  # a fifth answered "Don't know"
@pytest.mark.parametrize("lang", ["en", "sv"])
def test_dont_know_among_text_labels_is_read_as_missing(tmp_path, lang):
    """Text answers with "Don't know" (PISA: "Don’t know what it is") were refused as unknown
    labels; they are drafted as a missing code with their label, and check reads them as missing."""
    labels = EN if lang == "en" else SV
    dk = {"en": "Don’t know what it is", "sv": "Vet ej"}[lang]
    csv, codes = _label_csv(tmp_path / "study", [*labels, dk])
    draft = draft_instrument(csv)
    n = len(labels)
    assert (draft["scale"]["min"], draft["scale"]["max"]) == (1, n)
    code = draft["scale"]["missing_codes"]
    assert len(code) == 1 and code[0] > n and draft["scale"]["labels"][code[0]] == dk
    out = write_instrument_draft(csv)
    assert f"= {dk}; drafted under missing_codes" in out.read_text(encoding="utf-8")
    answers = read_responses(csv, load_instrument(out))[[f"q{j}" for j in range(1, 7)]].to_numpy(dtype=float)
    assert np.array_equal(np.isnan(answers), codes == n + 1)
    assert np.array_equal(answers[codes <= n], codes[codes <= n])


def test_a_csv_whose_columns_are_swedish_statements_gets_a_swedish_draft(tmp_path):
    """User trial 9: the statements of a CSV are its column names; the draft guessed no language
    from them (it read only labels), so its comments came out in English for a Swedish survey."""
    from behaviortypes.readers.draft import instrument_draft_yaml

    rng = np.random.default_rng(0)
    cols = ["Jag jämför alltid priser innan jag köper", "Jag letar efter det lägsta priset",
            "Det ska gå snabbt att handla", "Jag vill ha leverans nästa dag"]
    frame = pd.DataFrame(rng.integers(1, 6, size=(80, 4)), columns=cols)
    frame.insert(0, "svarsid", [f"S{i:03d}" for i in range(80)])
    frame.to_csv(tmp_path / "svar.csv", sep=";", index=False)
    text = instrument_draft_yaml(tmp_path / "svar.csv")
    assert yaml.safe_load(text)["language"] == "sv"
    assert text.startswith("# Utkast")


# ------------------------------------------------- user trial 11: a labelled "Not sure" midpoint
MIDPOINT = {"en": ["Definitely not true", "Probably not true", "Not sure / cannot decide", "Probably true",
                   "Definitely true"],
            "sv": ["Absolut inte sant", "Troligen inte sant", "Vet ej / kan inte avgöra", "Troligen sant",
                   "Absolut sant"]}


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_labelled_not_sure_midpoint_is_a_scale_point_not_a_non_answer(tmp_path, lang):
    """Trial 11 (GCBS): the midpoint 3 "Not sure / cannot decide" was taken as a non-answer, the
    scale broke into 1-2 and 4-5 and `instrument draft` found no Likert item at all. A labelled
    code inside the run of scale codes is a scale point; only 9 (outside it) is a non-answer."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import pyreadstat

    rng = np.random.default_rng(11)
    g = rng.normal(size=200)
    items = {f"GCBS{j}": np.clip(np.rint(3 + g + rng.normal(size=200)), 1, 5) for j in range(1, 7)}
    frame = pd.DataFrame(items)
    frame.iloc[::37, 2] = 9
    frame.insert(0, "respondent_id", np.arange(1, 201))
    labels = {**{i + 1: t for i, t in enumerate(MIDPOINT[lang])}, 9: "Prefer not to say"}
    (tmp_path / "study").mkdir()
    sav = tmp_path / "study" / "responses.sav"
    pyreadstat.write_sav(frame, sav, variable_value_labels={c: labels for c in items})
    out = tmp_path / "study" / "instrument.yaml"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    run = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "instrument", "draft", str(sav),
                          "--out", str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr + run.stdout
    draft = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert (draft["scale"]["min"], draft["scale"]["max"]) == (1, 5)
    assert draft["scale"]["labels"][3] == MIDPOINT[lang][2]
    assert draft["scale"]["missing_codes"] == [9]
    assert [i["id"] for i in draft["items"]] == list(items)


def _labelled_sav(path, items, labels):
    import pyreadstat

    frame = pd.DataFrame(items)
    frame.insert(0, "respondent_id", np.arange(1, len(frame) + 1))
    pyreadstat.write_sav(frame, path, variable_value_labels={c: labels for c in items})
    return path


def test_dont_know_after_the_scale_stays_a_non_answer_beside_an_unrecognised_label(tmp_path):
    """Review, session 16: a non-answer code anywhere between the lowest and the highest other
    label counted as a scale point, so "Don't know" = 6 beside 9 = "Missing" (a label the
    non-answer words do not know) made a 1-6 scale with "Don't know" as its top point.
    Only a code between two labelled scale points ("Not sure" = 3 of 1-5) is one."""
    rng = np.random.default_rng(11)
    g = rng.normal(size=200)
    items = {f"Q{j}": np.clip(np.rint(3 + g + rng.normal(size=200)), 1, 5) for j in range(1, 7)}
    items["Q2"][::23], items["Q3"][::37] = 6, 9
    labels = {1: "Strongly disagree", 2: "Disagree", 3: "Neither", 4: "Agree", 5: "Strongly agree",
              6: "Don't know", 9: "Missing"}
    scale = draft_instrument(_labelled_sav(tmp_path / "responses.sav", items, labels))["scale"]
    assert (scale["min"], scale["max"]) == (1, 5), scale
    assert scale["missing_codes"] == [6, 9], scale


def test_zero_to_ten_scale_with_a_labelled_not_sure_middle_is_still_drafted(tmp_path):
    """Review, session 16: 0-10 labelled only at its ends and 5 = "Not sure" drafted no item
    ("no column looks like a Likert item"): the midpoint made three labelled codes, 0, 5, 10,
    whose longest run is one code. Before, it was drafted 0-10."""
    rng = np.random.default_rng(11)
    g = rng.normal(size=200)
    items = {f"Q{j}": np.clip(np.rint(5 + 2 * g + 2 * rng.normal(size=200)), 0, 10) for j in range(1, 7)}
    labels = {0: "Not at all likely", 5: "Not sure", 10: "Extremely likely"}
    draft = draft_instrument(_labelled_sav(tmp_path / "responses.sav", items, labels))
    assert (draft["scale"]["min"], draft["scale"]["max"]) == (0, 10), draft["scale"]
    assert [i["id"] for i in draft["items"]] == list(items)
