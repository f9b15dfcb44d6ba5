"""R poLCA's ``election`` (real, public; 1,785 respondents, 12 four-point ratings) through
``discover``: the session-7 user trial found its types to be the answer combinations of the
two statements of a minor factor. ``discover`` must say so (one warning line).

Data: ``tests/data/real/election.csv.gz`` (``make_election.R``). The ratings are coded as
the ANES does (1 = "Extremely well" ... 4 = "Not well at all"); here they are recoded so that
a higher number means the trait describes the candidate better (README: a higher number
must mean more of the statement), and "dishonest" is reverse-keyed.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
import yaml

DATA = Path(__file__).parent / "data" / "real" / "election.csv.gz"
TRAITS = {"MORAL": "is moral", "CARES": "really cares about people like you", "KNOW": "is knowledgeable",
          "LEAD": "provides strong leadership", "DISHON": "is dishonest", "INTEL": "is intelligent"}


def election_survey(folder: Path) -> Path:
    codes = pd.read_csv(DATA)
    answers = 5 - codes  # 4 = describes him extremely well
    answers.insert(0, "respondent_id", range(1, len(answers) + 1))
    folder.mkdir(parents=True)
    answers.to_csv(folder / "responses.csv", index=False, na_rep="")
    items = [{"id": f"{t}{c}", "text": f"{who} {words} — how well does that describe him?",
              "reverse": t == "DISHON", "theme": who.split()[-1]}
             for c, who in (("G", "Al Gore"), ("B", "George W. Bush")) for t, words in TRAITS.items()]
    inst = {"name": "ANES 2000 candidate traits", "id_column": "respondent_id",
            "scale": {"min": 1, "max": 4, "labels": {1: "Not well at all", 4: "Extremely well"}},
            "items": items}
    (folder / "instrument.yaml").write_text(yaml.safe_dump(inst, sort_keys=False, allow_unicode=True))
    return folder


@pytest.mark.slow
def test_types_are_no_longer_two_statements_answer_combinations(tmp_path):
    """Session 7's finding (five types = the answer combinations of KNOWG and INTELG, the two
    statements of a minor factor; the typing tool typed 95 % from them alone) is fixed since
    session 11: fits with a type on single answer points of that factor are set aside and,
    as they reach the number of types chosen, the types are fitted to the dequantized
    scores. The types now need more than those two statements, and the few-statements
    warning (tested below) stays quiet."""
    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.pipeline import discover

    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", SurveyQualityWarning)
        result = discover(election_survey(tmp_path / "election"), tmp_path / "out", seed=1,
                          n_resamples=10, make_map=False)
    tool = result.typing_tool.tool
    finder = result.type_finder
    texts = [str(w.message) for w in said if issubclass(w.category, SurveyQualityWarning)]
    few = [t for t in texts if "statements alone" in t or "statement alone" in t]
    assert (result.solution["k"] >= 3 and len(tool.items_) <= 2) == bool(few), (result.solution["k"], tool.items_, texts)
    assert finder.lattice_ and finder.dequantized_
    assert result.solution["k"] >= 2 and len(tool.items_) > 2 and not few, (tool.items_, texts)
    assert result.solution["k_reason_code"][-1]["code"] == "k_reason_dequantized"


def test_types_told_apart_by_two_statements_are_warned_about():
    """The warning itself: three or more types reproduced by two statements or fewer."""
    from types import SimpleNamespace

    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.stages import warn_few_statements

    tool = SimpleNamespace(items_=["KNOWG", "INTELG"], agreement_=0.95, target_=0.9)
    with pytest.warns(SurveyQualityWarning, match="KNOWG, INTELG type 95% of respondents"):
        assert warn_few_statements(tool, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not warn_few_statements(tool, 2)  # two types from two answers: fine
        assert not warn_few_statements(SimpleNamespace(items_=["a", "b", "c"], agreement_=0.95,
                                                       target_=0.9), 5)
        assert not warn_few_statements(SimpleNamespace(items_=["a"], agreement_=0.8,
                                                       target_=0.9), 5)  # below target
