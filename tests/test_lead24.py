"""The final read of session 24 (a reviewer's findings on the session's changes): a weak pull of
a theme's reversed statements towards its forward ones — what strong acquiescers give — is
neither left out of the acquiescence decision nor answered with "remove reverse: true"; level
bands with thousands separators in number order; a repeated header in a pandas "string" column
found without a traceback; the styles' midpoint in the language's decimals."""
from __future__ import annotations

import pandas as pd

from clirun import bt, ok_lines
from test_fix24a import AGAINST, THEMES, acquiescent, survey


def _instrument():
    from behaviortypes.instrument import Instrument

    items = [{"id": i, "text": i, "reverse": i in AGAINST, "theme": t} for t, ids in THEMES.items() for i in ids]
    return Instrument.model_validate({"id_column": "respondent_id", "scale": {"min": 1, "max": 5}, "items": items})


def test_strong_acquiescers_keep_their_themes_in_the_acquiescence_decision():
    """Before: every theme pulled at r >= 0.10 was left out, so the survey the correction is for
    read "fewer than two themes have both kinds"."""
    from behaviortypes.quality import decide_style_correction

    decision = decide_style_correction(acquiescent().set_index("respondent_id"), _instrument())
    assert decision.evidence.loc["n_balanced_themes", "value"] == 3, decision.evidence


def test_a_weak_pull_names_acquiescence_and_does_not_say_to_remove_the_keys(tmp_path):
    folder = survey(tmp_path / "s", acquiescent())
    for lang, word in (("en", "acquiescence"), ("sv", "ja-sägande")):
        lines = [x for x in ok_lines(bt("check", folder, "--lang", lang)) if "reverse: true" in x and "'warm'" in x]
        assert len(lines) == 1 and word in lines[0], lines
        assert "Hint: remove reverse: true from" not in lines[0] and "Tips: ta bort reverse: true från" not in lines[0]


def test_bands_with_thousands_separators_in_number_order():
    from behaviortypes.describe.banner import level_sort_key

    sv = ["5 000 kr eller mer", "under 500 kr", "2 000–4 999 kr", "500–1 999 kr"]
    assert sorted(sv, key=level_sort_key) == ["under 500 kr", "500–1 999 kr", "2 000–4 999 kr", "5 000 kr eller mer"]
    en = ["$10,000+", "$500-$999", "under $500", "$1,000-$9,999"]
    assert sorted(en, key=level_sort_key) == ["under $500", "$500-$999", "$1,000-$9,999", "$10,000+"]
    assert sorted(["10", "2,5", "1.5", "9"], key=level_sort_key) == ["1.5", "2,5", "9", "10"]


def test_a_repeated_header_in_a_string_column_with_missing_cells():
    from behaviortypes.readers.tables import repeated_header_rows

    frame = pd.DataFrame({"a": pd.array(["x", None, "a"], dtype="string"), "b": ["y", "b", "b"]})
    assert repeated_header_rows(frame, ["a", "b"]) == [2]


def test_the_styles_midpoint_in_swedish_decimals():
    from behaviortypes.quality import ScreeningResult

    result = ScreeningResult(table=pd.DataFrame(), flags=pd.DataFrame(), settings=None,
                             styles_scale=(1.0, 4.0), declared_scale=(1.0, 7.0))
    assert "(mittpunkt 2,5)" in result.styles_scale_note("sv")
    assert "(midpoint 2.5)" in result.styles_scale_note("en")
