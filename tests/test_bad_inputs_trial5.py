"""Bad inputs of user trial 5 (PISA 2009 reading attitudes, R likert::pisaitems): each
error echoes the user's value as written in their file."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from behaviortypes.deliver import TypingSpec, read_answers
from behaviortypes.errors import InputError
from behaviortypes.readers import load_survey

ITEMS = ["s1", "s2", "s3", "s4"]


def _semicolon_survey(folder: Path, cell: str) -> Path:
    """A 1-4 survey saved as Swedish Excel does (``;`` between cells, decimal comma);
    respondent R7's answer to s3 is ``cell``."""
    rows = [";".join(["respondent_id", *ITEMS])]
    for i in range(1, 41):
        answers = [str(1 + (i + i // (j + 2)) % 4) for j in range(len(ITEMS))]
        if i == 7:
            answers[2] = cell
        rows.append(";".join([f"R{i}", *answers]))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "responses.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    inst = {"id_column": "respondent_id", "scale": {"min": 1, "max": 4},
            "items": [{"id": i, "text": f"Statement {i}"} for i in ITEMS]}
    (folder / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize(("cell", "message"), [
    ("3,5", "answer 3,5 is not a point of the scale 1–4"),
    ("3.5", "answer 3.5 is not a point of the scale 1–4"),
    ("7,0", "value 7,0 is outside the scale 1–4"),
])
def test_survey_answer_is_echoed_as_written(tmp_path, cell, message):
    """Trial 5: "3,5" in a semicolon file was echoed as "answer 3.5"."""
    with pytest.raises(InputError) as err:
        load_survey(_semicolon_survey(tmp_path / "s", cell))
    assert f"responses.csv, column 's3', row 8 (respondent R7): {message}." in str(err.value)


def _spec() -> TypingSpec:
    tool = SimpleNamespace(items_=["q1", "q2"], type_ids_=[1, 2])
    return TypingSpec(tool=tool, names={1: "A", 2: "B"}, taglines={}, scale_min=1, scale_max=6)


@pytest.mark.parametrize(("cell", "message"), [
    ("3,5", "answer 3,5 is not a point of the scale 1–6"),
    ("7,0", "answer outside the scale 1–6 (value '7,0')"),
])
def test_typing_tool_answer_is_echoed_as_written(tmp_path, cell, message):
    """Trial 5: typing-tool --score on answers with a decimal comma said "answer 3.5"."""
    path = tmp_path / "answers.csv"
    path.write_text(f"respondent_id;q1;q2\na;1;2\nb;{cell};5\nc;2;2\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_answers(path, _spec())
    assert f"answers.csv, column 'q1', row 3 (respondent b): {message}" in str(err.value)
