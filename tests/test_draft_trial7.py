"""instrument draft on Big-Five-like answers (user trial 7): a rare 0 ("missed") is a
missing code, not the bottom of the scale; a scale's keying note names all its statements."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from behaviortypes.readers import instrument_draft_yaml
from behaviortypes.readers.draft import draft_instrument

DATA = Path(__file__).parent / "data" / "real"
#: the IPIP Big-Five markers worded against their trait (the published codebook's keying)
REVERSED = "E2 E4 E6 E8 E10 N2 N4 A1 A3 A5 A7 C2 C4 C6 C8 O2 O4 O6".split()


def _big5_answers(tmp_path, *, zero_rows: int, n: int = 2000, cuts=(-1.3, -0.5, 0.3, 1.1), start=1):
    """Five-point answers with the real statements' correlations (as worded), ``zero_rows``
    respondents who 'missed' every statement (0)."""
    R = pd.read_csv(DATA / "big5_ipip_corr.csv", index_col=0)
    s = np.array([-1.0 if c in REVERSED else 1.0 for c in R.columns])
    z = np.random.default_rng(0).multivariate_normal(np.zeros(len(s)), R.to_numpy() * np.outer(s, s), size=n)
    x = start + np.sum(z[:, :, None] > np.array(cuts)[None, None], axis=2)
    frame = pd.DataFrame(x, columns=R.columns)
    for i in range(zero_rows):
        frame.loc[len(frame)] = 0
    frame.insert(0, "id", [f"r{i}" for i in range(len(frame))])
    path = tmp_path / "big5.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_rare_zero_is_a_missing_code_not_the_bottom_of_the_scale(tmp_path):
    draft = draft_instrument(_big5_answers(tmp_path, zero_rows=1))
    assert (draft["scale"]["min"], draft["scale"]["max"]) == (1, 5)
    assert draft["scale"]["missing_codes"] == [0]
    text = instrument_draft_yaml(tmp_path / "big5.csv")
    assert "0 was answered only 50 times" in text and "set scale: min: 0" in text
    assert "0 förekommer bara 50 gånger" in instrument_draft_yaml(tmp_path / "big5.csv", lang="sv")


def test_a_zero_that_people_answer_is_a_point_of_the_scale(tmp_path):
    draft = draft_instrument(_big5_answers(tmp_path, zero_rows=0, cuts=(-1.3, -0.5, 0.3, 1.1), start=0))
    assert (draft["scale"]["min"], draft["scale"]["max"]) == (0, 4)
    assert "missing_codes" not in draft["scale"]


def test_every_keying_note_names_all_statements_of_its_scale(tmp_path):
    path = _big5_answers(tmp_path, zero_rows=1)
    draft = draft_instrument(path)
    marked = {i["id"] for i in draft["items"] if i["reverse"]}
    text = instrument_draft_yaml(path)
    notes = [block for block in text.split("# CHECK THE KEYING: ")[1:]]
    for trait in "ACNO":  # E is split half against half: its note is 'A GUESS'
        note = next(b for b in notes if b.startswith(f"statements {trait}1 ... {trait}10"))
        assert note.startswith(f"statements {trait}1 ... {trait}10 (10 statements)"), note[:80]
        theirs = sorted(c for c in marked if c[0] == trait)
        assert f"from the answers,\n# {', '.join(theirs)} go against" in note, (theirs, note[:200])
    assert marked == set(REVERSED)


# ---------------------------------------------------------------- session 14: labels as text
AGREE = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]


def _as_labels(path: Path, out: Path, codes: dict) -> pd.DataFrame:
    """The Big-Five-like answers of ``path`` with every answer written as ``codes[answer]``."""
    frame = pd.read_csv(path)
    for c in frame.columns[1:]:
        frame[c] = frame[c].map(codes)
    frame.to_csv(out, index=False)
    return frame


def test_a_rare_zero_among_text_labels_is_a_missing_code(tmp_path):
    """Answers written as their labels with a rare "0" (missed) among them: the draft was
    refused ("the answers are text labels (0, Agree, ...)"); now the labels are the scale 1-5,
    the 0 a missing code, and the survey reads with the draft (0 as missing)."""
    from behaviortypes.instrument import instrument_from_dict
    from behaviortypes.readers import read_responses

    numbers = pd.read_csv(_big5_answers(tmp_path, zero_rows=1))
    path = tmp_path / "labels.csv"
    _as_labels(tmp_path / "big5.csv", path, {0: "0", **{i + 1: t for i, t in enumerate(AGREE)}})
    draft = draft_instrument(path)
    assert (draft["scale"]["min"], draft["scale"]["max"]) == (1, 5)
    assert draft["scale"]["labels"] == {i + 1: t for i, t in enumerate(AGREE)}
    assert draft["scale"]["missing_codes"] == [0]
    # (a number among the labels is a code beside them, as an unlabelled code in a .sav file)
    assert "missing_codes:\n  - 0\n" in instrument_draft_yaml(path)
    answers = read_responses(path, instrument_from_dict(draft))
    items = [i["id"] for i in draft["items"]]
    assert answers[items].isna().to_numpy().sum() == 50  # the one 'missed' respondent
    assert np.array_equal(answers[items].to_numpy(dtype=float)[:-1], numbers[items].to_numpy()[:-1])


def test_a_number_among_text_labels_that_could_be_a_point_still_asks_for_the_labels(tmp_path):
    """A "3" among "Agree" ... could be a scale point written as its number or a code: the
    draft does not guess, it says to list the labels (as before)."""
    path = tmp_path / "labels.csv"
    frame = _as_labels(_big5_answers(tmp_path, zero_rows=0), path, {i + 1: t for i, t in enumerate(AGREE)})
    frame.loc[5, "E1"] = "3"
    frame.to_csv(path, index=False)
    draft = draft_instrument(path)  # E1 is left out; the other statements are drafted
    assert "E1" not in [i["id"] for i in draft["items"]] and len(draft["items"]) == 49
    assert "missing_codes" not in draft["scale"]


def test_spss_text_codes_with_value_labels_are_read_as_their_labels(tmp_path):
    """A .sav whose statements are text variables coded "SD" ... "SA" with value labels
    crashed every reader (float('SD')); the codes are read as their labels."""
    import pyreadstat

    from behaviortypes.instrument import instrument_from_dict
    from behaviortypes.readers import read_responses

    numbers = pd.read_csv(_big5_answers(tmp_path, zero_rows=0, n=600))
    short = ["SD", "D", "N", "A", "SA"]
    frame = numbers.copy()
    for c in frame.columns[1:]:
        frame[c] = frame[c].map(lambda v: short[v - 1])
    frame.loc[3, "E1"] = "X"  # a code without a label stays as written
    path = tmp_path / "big5.sav"
    pyreadstat.write_sav(frame, path, variable_value_labels={c: dict(zip(short, AGREE)) for c in frame.columns[1:]})
    draft = draft_instrument(path)
    assert (draft["scale"]["min"], draft["scale"]["max"]) == (1, 5) and len(draft["items"]) == 49
    assert draft["scale"]["labels"] == {i + 1: t for i, t in enumerate(AGREE)}
    items = [i["id"] for i in draft["items"]]
    answers = read_responses(path, instrument_from_dict(draft))
    assert np.array_equal(answers[items].to_numpy(dtype=float), numbers[items].to_numpy())
