"""Session 20, the lead: ``--k`` beside a one group whose every fit of two or more types was
set aside (LEFT20 found it measuring the typing tool on R psych's ``ability``: a traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from clirun import bt, ok_lines

REAL = Path(__file__).parent / "data" / "real"


def _ability(folder: Path) -> Path:
    """R psych's ``ability`` (16 right/wrong items) as a survey, every column a statement."""
    answers = pd.read_csv(REAL / "ability.csv.gz")
    answers.columns = [c.replace(".", "_") for c in answers.columns]
    answers.insert(0, "respondent_id", [f"R{i:05d}" for i in range(1, len(answers) + 1)])
    folder.mkdir(parents=True)
    answers.to_csv(folder / "responses.csv", index=False)
    inst = {"name": "ability", "id_column": "respondent_id",
            "scale": {"min": float(np.nanmin(answers.iloc[:, 1:])), "max": float(np.nanmax(answers.iloc[:, 1:]))},
            "items": [{"id": c, "text": c, "reverse": False} for c in answers.columns[1:]]}
    (folder / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False))
    return folder


def test_k_set_beside_one_group_without_a_valid_fit_is_typed_and_says_why(tmp_path):
    """Every first fit of 2+ types collapses on the 0/1 lattice, so the evidence alone is one
    group with no BIC of types to quote; ``--k 2`` must still type, and say so (was a
    ValueError traceback in ``_user_reason``)."""
    survey = _ability(tmp_path / "survey")
    res = bt("discover", survey, "--out", tmp_path / "out", "--seed", 19, "--k", 2, "--no-map", "--resamples", 10)
    lines = ok_lines(res)
    assert "Traceback" not in res.stderr
    types_line = next(line for line in lines if line.startswith("Types: k = 2"))
    assert "set with --k" in types_line and "one group" in types_line
    sol = json.loads((tmp_path / "out" / "solution.json").read_text())
    assert sol["k"] == 2
    codes = [c["code"] for c in sol["k_reason_code"]] if "k_reason_code" in sol else []
    assert not codes or codes[0] == "k_reason_user"
