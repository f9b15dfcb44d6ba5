"""Session 22's last review: the readers' and the descriptions' leftovers (CLEAN23)."""

from __future__ import annotations

import pandas as pd


def test_one_windows_1252_table_says_each_byte_and_nothing_for_the_five_it_does_not_define():
    from behaviortypes.files import cp1252_meant
    from behaviortypes.readers.tables import header_name

    assert [cp1252_meant(c) for c in "\x96\x80\x92\x9f"] == ["–", "€", "’", "Ÿ"]
    assert [cp1252_meant(chr(b)) for b in (0x81, 0x8D, 0x8F, 0x90, 0x9D)] == [""] * 5
    assert cp1252_meant("é") == "é" and cp1252_meant("\u2013") == ""  # a byte 0xE9; past U+00FF: no byte
    assert header_name(" I laugh \x96 a lot\x81 ") == "I laugh – a lot"


def test_version_reads_the_package_metadata_once(monkeypatch):
    import importlib.metadata as metadata

    import behaviortypes

    monkeypatch.delitem(vars(behaviortypes), "__version__", raising=False)
    calls, real = [], metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: calls.append(name) or real(name))
    first = behaviortypes.__version__
    assert behaviortypes.__version__ == first and behaviortypes.__version__ == first
    assert calls == ["behaviortypes"]


def test_the_draft_summary_says_the_timestamp_id_and_the_control_characters(tmp_path):
    """Session 22's comments (draft_time_id, draft_c1) were written at the top of the draft
    but not said again after "Wrote …" (the other comments that need the user are)."""
    from test_trial22a import google_forms

    from behaviortypes.readers import draft_summary, instrument_draft_yaml
    from behaviortypes.texts import load_texts

    folder = google_forms(tmp_path / "gf")
    frame = pd.read_csv(folder / "responses.csv")
    frame.columns = [c.replace("I a3 often", "I a3 \x96 often") for c in frame.columns]
    frame.to_csv(folder / "responses.csv", index=False, encoding="utf-8")
    lang, lines = draft_summary(instrument_draft_yaml(folder / "responses.csv"))
    assert lang == "en"
    t = load_texts("en")
    assert lines[1:-1] == [t["cli_draft_keyed"], t["cli_draft_labels"]]  # (as before)
    assert lines[-1].startswith("The column names held control characters (U+0096 → '–'): Windows-1252 characters")
    assert lines[0].startswith("id_column: Timestamp holds when each answer was sent: no other column has one different "
                               "value per row, so it is drafted as the respondent id. Two answers")
    assert lines[-1].endswith("a character Windows-1252 does not define is dropped.")
    sv_lang, sv_lines = draft_summary(instrument_draft_yaml(folder / "responses.csv", lang="sv"))
    assert sv_lang == "sv" and len(sv_lines) == 4 and sv_lines[0].startswith("id_column: Timestamp anger när")


def test_the_protected_level_hint_of_a_customer_column_says_where_to_declare_it_missing():
    """A descriptor from the customer base (profile --customers) was told to put "its code under
    missing_codes: for Gender in instrument.yaml's descriptors:": its label, not its column, and
    no word that a column of the base is declared there too (it is: profile blanks it)."""
    from behaviortypes.describe.profile import protected_level_lines
    from behaviortypes.texts import load_texts

    meta = {"min_cell": 10, "protected_levels": {"kon": {"small": "Annat", "hidden": "Man"},
                                                 "region": {"small": "Väst", "hidden": "Öst"}},
            "customer_columns": ["kon"], "customers_file": "kunder.csv"}
    base, survey = protected_level_lines(meta, load_texts("en"), {"kon": "Gender", "region": "Region"})
    assert base.startswith("Gender: 'Annat' has fewer than 10 respondents, so 'Man' is hidden")
    assert "merge 'Annat' into another level in kunder.csv, or declare it missing: list kon under descriptors: " \
           "in instrument.yaml with its value as kunder.csv writes it under missing_codes:" in base
    assert survey == load_texts("en")["banner_protected_level"].format(
        column="Region", small="Väst", hidden="Öst", min=10)  # a column of the responses: as before
    assert protected_level_lines(meta, load_texts("sv"), only="region") == [load_texts("sv")["banner_protected_level"].format(
        column="region", small="Väst", hidden="Öst", min=10)]
    assert "lista kon under descriptors: i instrument.yaml" in protected_level_lines(meta, load_texts("sv"), only="kon")[0]


def test_instrument_draft_out_says_the_new_comments_once_on_the_terminal(tmp_path):
    """`instrument draft --out` said "Wrote …" and the older comments, not the Timestamp id's
    (session 22); the control characters were said by a warning beside the comment (two
    channels): now every comment that needs the user is said once, after "Wrote …"."""
    from clirun import bt, ok_lines
    from test_trial22a import google_forms

    folder = google_forms(tmp_path / "gf")
    frame = pd.read_csv(folder / "responses.csv")
    frame.columns = [c.replace("I a3 often", "I a3 \x96 often") for c in frame.columns]
    frame.to_csv(folder / "responses.csv", index=False, encoding="utf-8")
    res = bt("instrument", "draft", folder / "responses.csv", "--out", folder / "instrument.yaml")
    lines = ok_lines(res)
    assert res.stderr == "", res.stderr  # (was "warning: the column names hold control characters …")
    assert lines[0] == f"Wrote {folder / 'instrument.yaml'}; review the scale, reverse keying and themes before use."
    assert lines[1].startswith("id_column: Timestamp holds when each answer was sent")
    assert lines[-1].startswith("The column names held control characters (U+0096 → '–')")
    assert sum("control characters" in line for line in lines) == 1
