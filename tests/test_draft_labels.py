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
