"""Tests for behaviortypes.readers: formats, validation messages, drafting, customer bases."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from behaviortypes.errors import InputError, SurveyQualityWarning
from behaviortypes.files import sha256_file
from behaviortypes.instrument import instrument_from_dict
from behaviortypes.readers import (
    Survey,
    check_responses,
    draft_instrument,
    find_responses_file,
    is_qualtrics,
    iter_customer_batches,
    keyed_items,
    load_survey,
    read_customers,
    read_responses,
    read_table,
    validate_responses,
    write_instrument_draft,
)

ITEMS = [f"s{j:02d}" for j in range(1, 7)]
TEXTS = {"s01": "Jag handlar gärna på nätet", "s02": "Priset är viktigast för mig",
         "s03": "Jag läser recensioner först", "s04": "Märket spelar ingen roll",
         "s05": "Jag köper ofta på impuls", "s06": "Jag jämför alltid butiker"}


def make_responses(n=60, seed=0):
    """Correlated 1-5 answers (one factor; s04 reverse-keyed), Swedish text columns."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    cols = {}
    for j, item in enumerate(ITEMS):
        sign = -1 if item == "s04" else 1
        y = sign * 0.8 * f + 0.6 * rng.normal(size=n)
        cols[item] = np.clip(np.round(3 + 1.2 * y), 1, 5).astype(int)
    frame = pd.DataFrame({"Respondent": [f"{i:04d}" for i in range(1, n + 1)],
                          "Stad": rng.choice(["Göteborg", "Malmö", "Västerås", "Umeå"], n),
                          **cols,
                          "Tid": rng.uniform(200, 900, n).round(1),
                          "Vikt": rng.uniform(0.5, 2.0, n).round(3)})
    return frame


def instrument_dict(**extra):
    spec = {"id_column": "Respondent", "scale": {"min": 1, "max": 5},
            "items": [{"id": i, "text": TEXTS[i], "reverse": i == "s04"} for i in ITEMS]}
    spec.update(extra)
    return spec


def make_survey(folder: Path, frame: pd.DataFrame | None = None, *, name="responses.csv",
                writer=None, **inst) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "instrument.yaml").write_text(
        yaml.safe_dump(instrument_dict(**inst), allow_unicode=True), encoding="utf-8")
    frame = make_responses() if frame is None else frame
    (writer or (lambda f, p: f.to_csv(p, index=False)))(frame, folder / name)
    return folder


def swedish_csv(frame, path):
    """What Swedish Excel writes for 'CSV (semikolonavgränsad)': ; separators, decimal
    commas, cp1252."""
    frame.to_csv(path, sep=";", decimal=",", index=False, encoding="cp1252")


# ------------------------------------------------------------------ formats
def test_swedish_excel_csv_works_unchanged(tmp_path):
    frame = make_responses()
    folder = make_survey(tmp_path / "sv", frame, writer=swedish_csv,
                         weight_column="Vikt", duration_column="Tid")
    raw = (folder / "responses.csv").read_bytes()
    assert b";" in raw and "Malmö".encode("cp1252") in raw and b"," in raw
    survey = load_survey(folder)
    assert isinstance(survey, Survey)
    r = survey.responses
    assert r.index.name == "respondent_id" and r.index[0] == "0001"  # leading zeros kept
    assert list(r.index) == list(frame["Respondent"])
    assert set(frame["Stad"]) == set(r["Stad"])  # å/ä/ö survive
    assert_allclose(r["Vikt"], frame["Vikt"])
    assert_allclose(r["Tid"], frame["Tid"])
    assert all(r[i].dtype == float for i in ITEMS)
    assert_allclose(survey.items.to_numpy(), frame[ITEMS].to_numpy())
    assert_allclose(survey.keyed["s04"], 6 - frame["s04"].to_numpy())
    assert_allclose(survey.weights, frame["Vikt"])
    assert survey.checksum == sha256_file(folder / "responses.csv")
    assert (folder / "responses.csv").read_bytes() == raw  # input untouched
    assert survey.responses_file.name == "responses.csv"
    facts = survey.to_dict()
    assert facts["n_respondents"] == 60 and facts["n_items"] == len(ITEMS)
    missing = survey.items.isna().to_numpy().mean()
    assert facts["missing_share"] == pytest.approx(missing)
    assert survey.summary().splitlines()[0] == (
        f"responses.csv: 60 respondents, {len(ITEMS)} statements, {missing:.1%} of answers missing")


@pytest.mark.parametrize("encoding,sep", [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"),
                                          ("latin-1", "|"), ("cp1252", "\t")])
def test_csv_encodings_and_delimiters(tmp_path, encoding, sep):
    frame = make_responses()
    path = tmp_path / "responses.csv"
    frame.to_csv(path, sep=sep, index=False, encoding=encoding)
    table = read_table(path)
    assert table.attrs["delimiter"] == sep
    assert list(table.columns) == list(frame.columns)  # BOM not in the first name
    assert list(table["Stad"]) == list(frame["Stad"])
    assert_allclose(table[ITEMS].to_numpy(), frame[ITEMS].to_numpy())


def test_dutch_decimal_comma_and_missing_tokens(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id;score;tekst\n1;3,5;één\n2;NA;twee\n3;-1,25;drie\n4;;vier\n",
                    encoding="cp1252")
    table = read_table(path)
    assert_allclose(table["score"], [3.5, np.nan, -1.25, np.nan])
    assert list(table["tekst"]) == ["één", "twee", "drie", "vier"]
    assert table["id"].dtype == np.int64


column_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöéü_ ", min_size=1,
                       max_size=10).map(str.strip).filter(lambda s: s != "")
cell_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöÅÄÖéü ,;\"'", min_size=1,
                    max_size=12).filter(lambda s: s.strip() and not s.strip().lower() in {
                        "na", "nan", "null", "none"} and s == s.strip())


@st.composite
def csv_tables(draw):
    n_rows = draw(st.integers(1, 15))
    names = draw(st.lists(column_names, min_size=1, max_size=6, unique_by=str.lower))
    data = {}
    for pos, name in enumerate(names):
        # the first column never empty: a one-column row with no value is a blank line
        kind = "int" if pos == 0 else draw(st.sampled_from(["int", "float", "text"]))
        if kind == "int":
            data[name] = draw(st.lists(st.integers(-1000, 1000), min_size=n_rows,
                                       max_size=n_rows))
        elif kind == "float":
            values = draw(st.lists(st.one_of(st.none(), st.floats(-1e4, 1e4, allow_nan=False).map(
                lambda v: round(v, 3))), min_size=n_rows, max_size=n_rows))
            data[name] = pd.Series(values, dtype=float)
        else:
            data[name] = draw(st.lists(cell_text, min_size=n_rows, max_size=n_rows))
    frame = pd.DataFrame(data)
    sep = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    decimal = "," if sep != "," and draw(st.booleans()) else "."
    return frame, sep, encoding, decimal


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(csv_tables())
def test_read_table_round_trips_generated_csv(tmp_path, spec):
    frame, sep, encoding, decimal = spec
    path = tmp_path / "gen.csv"
    frame.to_csv(path, sep=sep, decimal=decimal, index=False, encoding=encoding)
    table = read_table(path)
    assert list(table.columns) == list(frame.columns)
    assert len(table) == len(frame)
    for col in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[col]):
            assert_allclose(table[col].astype(float), frame[col].astype(float), rtol=1e-12)
            assert pd.api.types.is_numeric_dtype(table[col])
        else:
            assert table[col].tolist() == frame[col].tolist()


def test_excel_round_trip(tmp_path):
    frame = make_responses()
    folder = make_survey(tmp_path / "x", frame, name="responses.xlsx",
                         writer=lambda f, p: f.to_excel(p, index=False, sheet_name="Svar"))
    survey = load_survey(folder)
    assert list(survey.responses.index) == list(frame["Respondent"])
    assert_allclose(survey.items.to_numpy(), frame[ITEMS].to_numpy())
    assert list(survey.responses["Stad"]) == list(frame["Stad"])


def _write_sav(frame, path, missing=True):
    import pyreadstat

    labels = {1: "Instämmer inte alls", 2: "Instämmer inte", 3: "Neutral", 4: "Instämmer",
              5: "Instämmer helt", 99: "Vet ej"}
    df = frame.drop(columns=["Respondent"]).assign(Respondent=frame["Respondent"])
    pyreadstat.write_sav(
        df, str(path), column_labels={i: TEXTS[i] for i in ITEMS},
        variable_value_labels={i: labels for i in ITEMS},
        missing_ranges={i: [99] for i in ITEMS} if missing else None)
    return labels


def test_sav_round_trip_keeps_value_labels(tmp_path):
    frame = make_responses(n=80)
    frame.loc[[2, 5], "s03"] = 99  # "Vet ej", declared user-missing in SPSS
    folder = tmp_path / "spss"
    folder.mkdir()
    (folder / "instrument.yaml").write_text(yaml.safe_dump(instrument_dict()), encoding="utf-8")
    labels = _write_sav(frame, folder / "responses.sav")
    survey = load_survey(folder)
    assert survey.value_labels["s01"] == {float(k): v for k, v in labels.items()}
    assert np.isnan(survey.responses.loc[["0003", "0006"], "s03"]).all()
    ok = frame.index.difference([2, 5])
    assert_allclose(survey.items["s03"].to_numpy()[ok], frame["s03"].to_numpy()[ok])
    assert list(survey.responses.index[:2]) == ["0001", "0002"]


def test_sav_missing_code_from_instrument(tmp_path):
    frame = make_responses(n=80)
    frame.loc[[0, 9], "s02"] = 99
    folder = tmp_path / "spss2"
    folder.mkdir()
    (folder / "instrument.yaml").write_text(yaml.safe_dump(
        instrument_dict(scale={"min": 1, "max": 5, "missing_codes": [99]})), encoding="utf-8")
    _write_sav(frame, folder / "responses.sav", missing=False)
    survey = load_survey(folder)
    assert survey.items["s02"].isna().sum() == 2


def test_draft_instrument_from_sav(tmp_path):
    frame = make_responses(n=200, seed=3)
    frame.loc[[4], "s05"] = 99
    _write_sav(frame, tmp_path / "data.sav")
    draft = draft_instrument(tmp_path / "data.sav")
    assert draft["id_column"] == "Respondent"
    assert draft["scale"]["min"] == 1 and draft["scale"]["max"] == 5
    assert draft["scale"]["labels"][5] == "Instämmer helt"
    assert draft["scale"]["missing_codes"] == [99]
    assert [i["id"] for i in draft["items"]] == ITEMS
    assert [i["text"] for i in draft["items"]] == [TEXTS[i] for i in ITEMS]
    assert [i["reverse"] for i in draft["items"]] == [i == "s04" for i in ITEMS]
    out = write_instrument_draft(tmp_path / "data.sav")
    assert out == tmp_path / "instrument.yaml"
    assert instrument_from_dict(yaml.safe_load(out.read_text(encoding="utf-8"))).item_ids == ITEMS
    with pytest.raises(InputError, match="already exists"):
        write_instrument_draft(tmp_path / "data.sav")


def qualtrics_csv(frame, path, *, rename=None):
    """A Qualtrics 'numeric values' CSV export: field names, question texts, ImportIds."""
    rename = rename or {}
    meta = pd.DataFrame({"StartDate": "2026-01-05 10:00:00", "Status": 0,
                         "Duration (in seconds)": frame["Tid"].round().astype(int),
                         "Finished": 1, "ResponseId": "R_" + frame["Respondent"]})
    qcols = {f"Q1_{j}": frame[i] for j, i in enumerate(ITEMS, 1)}
    body = pd.concat([meta, pd.DataFrame(qcols)], axis=1).rename(columns=rename)
    texts = ["Start Date", "Response Status", "Duration (in seconds)", "Finished",
             "Response ID"] + [f"Hur väl stämmer detta? - {TEXTS[i]}" for i in ITEMS]
    imports = [{"ImportId": "startDate", "timeZone": "Europe/Stockholm"}, {"ImportId": "status"},
               {"ImportId": "duration"}, {"ImportId": "finished"}, {"ImportId": "_recordId"}] + [
        {"ImportId": f"QID7_{j}"} for j in range(1, len(ITEMS) + 1)]
    header = pd.DataFrame([texts, [json.dumps(x) for x in imports]], columns=body.columns)
    pd.concat([header, body.astype(object)]).to_csv(path, index=False, encoding="utf-8-sig")


def test_qualtrics_export_mapped_by_import_id(tmp_path):
    frame = make_responses(n=50)
    folder = tmp_path / "q"
    folder.mkdir()
    # the strategist renamed the fields in Qualtrics; the instrument uses stable ImportIds
    qualtrics_csv(frame, folder / "Kundstudie_5 januari 2026_10.15.csv",
                  rename={f"Q1_{j}": f"byte_{j}" for j in range(1, 7)})
    spec = instrument_dict(duration_column="Duration (in seconds)")
    spec["id_column"] = "ResponseId"
    spec["items"] = [{"id": f"QID7_{j}", "text": TEXTS[i]} for j, i in enumerate(ITEMS, 1)]
    (folder / "instrument.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True),
                                            encoding="utf-8")
    assert is_qualtrics(folder / "Kundstudie_5 januari 2026_10.15.csv")
    survey = load_survey(folder)
    assert len(survey.responses) == 50  # the two header rows are not respondents
    assert survey.responses.index[0] == "R_0001"
    assert_allclose(survey.items.to_numpy(), frame[ITEMS].to_numpy())
    assert_allclose(survey.responses["Duration (in seconds)"], frame["Tid"].round())


def test_draft_instrument_from_qualtrics(tmp_path):
    frame = make_responses(n=100, seed=5)
    path = tmp_path / "export.csv"
    qualtrics_csv(frame, path)
    table = read_table(path)
    assert table.attrs["format"] == "qualtrics-csv"
    assert table.attrs["import_ids"]["Q1_1"] == "QID7_1"
    draft = draft_instrument(path)
    assert draft["id_column"] == "ResponseId"
    assert draft["duration_column"] == "Duration (in seconds)"
    assert [i["id"] for i in draft["items"]] == [f"Q1_{j}" for j in range(1, 7)]
    # the question stem is taken off every statement (kept once, as a comment of the YAML)
    assert [i["text"] for i in draft["items"]] == [TEXTS[i] for i in ITEMS]
    assert draft["items"][3]["reverse"] is True
    assert (draft["scale"]["min"], draft["scale"]["max"]) == (1, 5)


def test_text_answers_mapped_by_scale_labels(tmp_path):
    frame = make_responses().astype({i: object for i in ITEMS})
    names = {1: "Strongly disagree", 2: "Disagree", 3: "Neutral", 4: "Agree", 5: "Strongly agree"}
    frame["s01"] = frame["s01"].map(names)
    folder = make_survey(tmp_path / "lab", frame, scale={"min": 1, "max": 5, "labels": names})
    assert_allclose(load_survey(folder).items["s01"], make_responses()["s01"])


# ------------------------------------------------------------------ errors
def _error(folder) -> str:
    with pytest.raises(InputError) as info:
        load_survey(folder)
    return str(info.value)


def test_missing_id_column(tmp_path):
    frame = make_responses().rename(columns={"Respondent": "Respondnet"})
    with pytest.raises(InputError, match=r"column 'Respondent': id column is missing.*"
                                         r"did you mean 'Respondnet'"):
        load_survey(make_survey(tmp_path / "a", frame))


def _pisa_like_survey(folder, rename=None):
    """An instrument of ST24Q01..ST24Q11 and ST25Q01..ST25Q05; the responses lack ST24Q04
    (or hold it as ``rename``)."""
    items = [f"ST24Q{j:02d}" for j in range(1, 12)] + [f"ST25Q{j:02d}" for j in range(1, 6)]
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"Respondent": [f"{i:04d}" for i in range(1, 81)],
                          **{i: rng.integers(1, 5, 80) for i in items}})
    frame = frame.drop(columns="ST24Q04") if rename is None else frame.rename(columns={"ST24Q04": rename})
    return make_survey(folder, frame, scale={"min": 1, "max": 4},
                       items=[{"id": i, "text": f"statement {i}"} for i in items])


def test_missing_statement_never_suggests_another_statement_of_the_instrument(tmp_path):
    """ST24Q04 missing: 'did you mean ST25Q04?' would have the user rename another question of
    the same questionnaire and analyse the wrong data (user trial s10); a real typo of the
    name is still suggested."""
    err = _error(_pisa_like_survey(tmp_path / "gone"))
    assert "ST24Q04" in err and "ST25Q04" not in err and "did you mean" not in err, err
    for typo in ("ST24Q4", "st24q04 "):
        err = _error(_pisa_like_survey(tmp_path / typo.strip(), rename=typo))
        assert f"did you mean '{typo.strip()}'" in err, err  # the reader strips header spaces


def test_duplicate_ids(tmp_path):
    frame = make_responses()
    frame.loc[[4, 9], "Respondent"] = "0002"
    with pytest.raises(InputError, match=r"column 'Respondent', rows 3, 6, 11: duplicate "
                                         r"respondent ids.*'0002'.*measured twice.*wave"):
        load_survey(make_survey(tmp_path / "a", frame))


def test_empty_ids(tmp_path):
    frame = make_responses()
    frame.loc[6, "Respondent"] = ""
    with pytest.raises(InputError, match=r"row 8: respondent id is empty"):
        load_survey(make_survey(tmp_path / "a", frame))


def test_items_missing_from_data(tmp_path):
    frame = make_responses().drop(columns=["s05", "s06"])
    with pytest.raises(InputError, match=r"2 item\(s\) of the instrument are missing from the "
                                         r"data: s05, s06"):
        load_survey(make_survey(tmp_path / "a", frame))


def test_unknown_reverse_setting(tmp_path):
    folder = make_survey(tmp_path / "a")
    spec = instrument_dict()
    spec["items"][2]["reverse"] = "maybe"
    (folder / "instrument.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    # said by the statement's id and line, not the 0-based items.2 (user trial 21)
    with pytest.raises(InputError, match=r"statement '[^']+' \(line \d+\), 'reverse': reverse must be true or false"):
        load_survey(folder)


def test_unknown_scale_setting(tmp_path):
    folder = make_survey(tmp_path / "a", scale={"min": 1, "max": 5, "step": 1})
    with pytest.raises(InputError, match=r"unknown key 'scale\.step'"):
        load_survey(folder)
    folder = make_survey(tmp_path / "b", scale={"min": 5, "max": 1})
    with pytest.raises(InputError, match=r"scale max \(1\) must be greater than min \(5\)"):
        load_survey(folder)


def test_non_numeric_answers(tmp_path):
    frame = make_responses().astype({"s03": object})
    frame.loc[[13, 20], "s03"] = "vet ej"
    # rows as in Excel (the header is row 1) and the respondent's id
    rid = frame.loc[13, "Respondent"]
    with pytest.raises(InputError, match=rf"responses\.csv, column 's03', rows 15, 22 \(first respondent {rid}\): "
                                         r"non-numeric answer, the scale is 1–5 \(value 'vet ej'\)"):
        load_survey(make_survey(tmp_path / "a", frame))


def test_value_outside_scale(tmp_path):
    frame = make_responses()
    frame = pd.concat([frame, make_responses(n=240, seed=9).iloc[60:]], ignore_index=True)
    frame.loc[213, "s03"] = 7
    with pytest.raises(InputError, match=rf"responses\.csv, column 's03', row 215 \(respondent {frame.loc[213, 'Respondent']}\): value 7 is "
                                         r"outside the scale 1–5.*missing_codes"):
        load_survey(make_survey(tmp_path / "a", frame))


def test_missing_codes_become_missing(tmp_path):
    frame = make_responses()
    frame.loc[[3, 4], "s02"] = 99
    folder = make_survey(tmp_path / "a", frame,
                         scale={"min": 1, "max": 5, "missing_codes": [99, 98]})
    items = load_survey(folder).items
    assert items["s02"].isna().sum() == 2 and items.notna().sum().sum() == 60 * 6 - 2


def test_zero_variance_item(tmp_path):
    frame = make_responses()
    frame["s05"] = 4
    with pytest.raises(InputError, match=r"column 's05': item has the same answer \(4\) from "
                                         r"every respondent: zero variance"):
        load_survey(make_survey(tmp_path / "a", frame))


def test_too_few_respondents(tmp_path):
    with pytest.raises(InputError, match=r"too few respondents: 15 for 6 items \(need at least 20\)"):
        load_survey(make_survey(tmp_path / "a", make_responses(n=15)))


def test_empty_file(tmp_path):
    folder = make_survey(tmp_path / "a")
    (folder / "responses.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"responses\.csv: the file is empty"):
        load_survey(folder)
    (folder / "responses.csv").write_text("Respondent,s01,s02,s03,s04,s05,s06\n")
    with pytest.raises(InputError, match=r"header but no respondents"):
        load_survey(folder)


def test_binary_file(tmp_path):
    folder = make_survey(tmp_path / "a")
    (folder / "responses.csv").write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError, match=r"looks like a binary file.*Hint: export"):
        load_survey(folder)
    make_responses().to_excel(folder / "responses.csv", index=False)
    with pytest.raises(InputError, match=r"Excel \(zip\) file.*rename it to \.xlsx"):
        load_survey(folder)


def test_malformed_yaml(tmp_path):
    folder = make_survey(tmp_path / "a")
    (folder / "instrument.yaml").write_text("id_column: Respondent\nscale: {min: 1, max: 5\n"
                                            "items:\n  - id: s01\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"instrument\.yaml.*malformed YAML"):
        load_survey(folder)


def test_ragged_rows(tmp_path):
    folder = make_survey(tmp_path / "a")
    with open(folder / "responses.csv", "a", encoding="utf-8") as fh:
        fh.write("9999,Umeå,1,2,3,4,5,1,300,1,EXTRA,MORE\n")
    with pytest.raises(InputError, match=r"different numbers of columns: line 62 has 12 fields, the header has 10"):
        load_survey(folder)


def test_bad_weights_and_durations(tmp_path):
    frame = make_responses().astype({"Vikt": object})
    frame.loc[3, "Vikt"] = 0
    frame.loc[8, "Vikt"] = -2
    frame.loc[11, "Vikt"] = "hög"
    frame.loc[5, "Tid"] = -10
    message = _error(make_survey(tmp_path / "a", frame, weight_column="Vikt",
                                 duration_column="Tid"))
    assert f"column 'Vikt', row 13 (respondent {frame.loc[11, 'Respondent']}): weight is not a number (value 'hög')" in message
    assert "column 'Vikt', rows 5, 10 (first respondent" in message
    assert "column 'Tid', row 7 (respondent" in message


def test_named_columns_missing(tmp_path):
    folder = make_survey(tmp_path / "a", weight_column="weight", duration_column="Tid",
                         attention_checks=[{"id": "att1", "expect": 2}])
    with pytest.raises(InputError, match=r"column 'att1': attention check column is missing.*"
                                         r"; \(2\) .*column 'weight': weight_column column"):
        load_survey(folder)


def test_all_problems_at_once(tmp_path):
    frame = make_responses().astype({"s01": object})
    frame.loc[1, "Respondent"] = "0001"
    frame.loc[2, "s01"] = "x"
    frame.loc[3, "s02"] = 0
    frame = frame.drop(columns=["s06"])
    with pytest.raises(InputError) as info:
        load_survey(make_survey(tmp_path / "a", frame))
    assert len(info.value.problems) == 4
    assert str(info.value).startswith("4 problems: (1) ")
    assert [p.column for p in info.value.problems] == ["s06", "Respondent", "s01", "s02"]


def test_no_or_several_responses_files(tmp_path):
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "instrument.yaml").write_text(yaml.safe_dump(instrument_dict()), encoding="utf-8")
    with pytest.raises(InputError, match=r"no responses file in the survey folder"):
        load_survey(folder)
    make_responses().to_csv(folder / "responses.csv", index=False)
    qualtrics_csv(make_responses(), folder / "export.csv")
    make_responses().to_csv(folder / "notes.csv", index=False)  # ordinary CSVs are ignored
    with pytest.raises(InputError, match=r"several responses files: responses\.csv, export\.csv"):
        find_responses_file(folder)
    with pytest.raises(InputError, match=r"survey folder not found"):
        load_survey(tmp_path / "nowhere")


def test_unknown_file_type(tmp_path):
    (tmp_path / "r.json").write_text("{}")
    with pytest.raises(InputError, match=r"unknown file type '\.json'"):
        read_table(tmp_path / "r.json")
    with pytest.raises(InputError, match=r"file not found"):
        read_table(tmp_path / "missing.csv")


# ------------------------------------------------------------------ warnings, API
def test_warnings_high_missingness_and_low_variance(tmp_path):
    frame = make_responses(n=100)
    frame.loc[:29, "s02"] = np.nan
    frame["s05"] = 3
    frame.loc[[0, 1, 2, 3], "s05"] = 4
    folder = make_survey(tmp_path / "a", frame)
    with pytest.warns(SurveyQualityWarning) as record:
        survey = load_survey(folder)
    messages = [str(w.message) for w in record]
    assert any("column 's02': 30% of respondents did not answer" in m for m in messages)
    assert any("column 's05': low variance: 96% of respondents gave the same answer" in m
               for m in messages)
    assert any("few respondents: 100 for 6 items" not in m for m in messages)
    assert len(survey.warnings) == len(messages)


def test_validate_and_check_responses_without_raising(tmp_path):
    frame = make_responses(n=25)
    path = tmp_path / "responses.csv"
    frame.to_csv(path, index=False)
    inst = instrument_from_dict(instrument_dict())
    table = read_table(path)
    assert validate_responses(table, inst, file=path) == []
    errors, warns = check_responses(table, inst)
    assert errors == [] and len(warns) == 1 and "few respondents: 25 for 6 items" in str(warns[0])
    bad = table.drop(columns=["s01"])
    problems = validate_responses(bad, inst, file=path)
    assert len(problems) == 1 and problems[0].column == "s01" and problems[0].file == str(path)


def test_read_responses_and_keyed_items(tmp_path):
    frame = make_responses()
    path = tmp_path / "responses.csv"
    frame.to_csv(path, index=False)
    inst = instrument_from_dict(instrument_dict())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        responses = read_responses(path, inst)
    assert "Respondent" not in responses.columns
    assert list(responses.columns) == ["Stad", *ITEMS, "Tid", "Vikt"]
    keyed = keyed_items(responses, inst)
    assert list(keyed.columns) == ITEMS
    assert_allclose(keyed["s04"], 6 - responses["s04"])
    assert_allclose(keyed["s01"], responses["s01"])
    # keyed items correlate positively (the planted factor)
    assert (keyed.corr().to_numpy() > 0).all()


# ------------------------------------------------------------------ customers
def _customers(n=2500, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"kund_id": [f"{i:07d}" for i in range(n)],
                         "ålder": rng.integers(18, 90, n),
                         "köp_12m": rng.gamma(2.0, 150.0, n).round(2),
                         "region": rng.choice(["Skåne", "Norrland", "Västra Götaland"], n)})


@pytest.fixture()
def customer_files(tmp_path):
    import duckdb

    frame = _customers()
    frame.to_csv(tmp_path / "kunder.csv", sep=";", decimal=",", index=False, encoding="cp1252")
    frame.to_parquet(tmp_path / "kunder.parquet", index=False)
    con = duckdb.connect(str(tmp_path / "kunder.duckdb"))
    con.register("f", frame)
    con.execute("CREATE TABLE kunder AS SELECT * FROM f")
    con.execute("CREATE TABLE annat AS SELECT 1 AS x")
    con.close()
    return tmp_path, frame


@pytest.mark.parametrize("name,kw", [("kunder.csv", {}), ("kunder.parquet", {}),
                                     ("kunder.duckdb", {"table": "kunder"})])
def test_read_customers_formats(customer_files, name, kw):
    folder, frame = customer_files
    got = read_customers(folder / name, id_column="kund_id", **kw)
    assert list(got.columns) == list(frame.columns)
    assert list(got["kund_id"]) == list(frame["kund_id"])  # leading zeros kept
    assert_allclose(got["köp_12m"], frame["köp_12m"])
    assert list(got["region"]) == list(frame["region"])
    cols = read_customers(folder / name, columns=["köp_12m", "kund_id"], **kw)
    assert list(cols.columns) == ["köp_12m", "kund_id"]


def test_read_customers_query(customer_files):
    folder, frame = customer_files
    expected = int((frame["region"] == "Skåne").sum())
    for name in ("kunder.csv", "kunder.parquet"):
        got = read_customers(folder / name,
                             query="SELECT * FROM customers WHERE region = 'Skåne'")
        assert len(got) == expected
    got = read_customers(folder / "kunder.duckdb",
                         query="SELECT kund_id FROM kunder WHERE region = 'Skåne'")
    assert len(got) == expected


@pytest.mark.parametrize("name,kw", [("kunder.csv", {}), ("kunder.parquet", {}),
                                     ("kunder.duckdb", {"table": "kunder"}),
                                     ("kunder.csv", {"query": "SELECT * FROM customers"})])
def test_iter_customer_batches(customer_files, name, kw):
    folder, frame = customer_files
    batches = list(iter_customer_batches(folder / name, batch_size=1000, id_column="kund_id",
                                         columns=["kund_id", "köp_12m"], **kw))
    assert [len(b) for b in batches] == [1000, 1000, 500]
    joined = pd.concat(batches, ignore_index=True)
    assert list(joined.columns) == ["kund_id", "köp_12m"]
    assert list(joined["kund_id"]) == list(frame["kund_id"])
    assert_allclose(joined["köp_12m"], frame["köp_12m"])


def test_customer_errors(customer_files):
    folder, _ = customer_files
    with pytest.raises(InputError, match=r"no table 'clients'.*tables: kunder, annat|"
                                         r"no table 'clients'.*tables: annat, kunder"):
        read_customers(folder / "kunder.duckdb", table="clients")
    with pytest.raises(InputError, match=r"name the table of customers"):
        read_customers(folder / "kunder.duckdb")
    with pytest.raises(InputError, match=r"column\(s\) not in the customer base: alder.*"
                                         r"did you mean 'ålder'"):
        read_customers(folder / "kunder.parquet", columns=["alder"])
    with pytest.raises(InputError, match=r"column\(s\) not in the customer base: x"):
        list(iter_customer_batches(folder / "kunder.csv", columns=["x"]))
    with pytest.raises(InputError, match=r"the query failed"):
        read_customers(folder / "kunder.csv", query="SELECT nope FROM customers")
    with pytest.raises(InputError, match=r"customer file not found"):
        read_customers(folder / "none.parquet")


def test_qualtrics_excel_export(tmp_path):
    frame = make_responses(n=40)
    qualtrics_csv(frame, tmp_path / "q.csv")
    raw = pd.read_csv(tmp_path / "q.csv", dtype=str, keep_default_na=False)
    raw.to_excel(tmp_path / "export.xlsx", index=False)
    assert is_qualtrics(tmp_path / "export.xlsx")
    table = read_table(tmp_path / "export.xlsx")
    assert table.attrs["format"] == "qualtrics-xlsx" and len(table) == 40
    assert_allclose(table[[f"Q1_{j}" for j in range(1, 7)]].to_numpy(), frame[ITEMS].to_numpy())


def test_excel_sep_directive_and_text_customer_ids(tmp_path):
    frame = make_responses().assign(kund=[f"{i:06d}" for i in range(60)])
    folder = tmp_path / "d"
    make_survey(folder, frame, customer_id_column="kund",
                writer=lambda f, p: p.write_bytes(
                    b"sep=;\r\n" + f.to_csv(sep=";", decimal=",", index=False).encode("cp1252")))
    survey = load_survey(folder)
    assert list(survey.responses["kund"][:2]) == ["000000", "000001"]
    assert_allclose(survey.items.to_numpy(), frame[ITEMS].to_numpy())


def test_draft_suggests_reverse_items_and_attention_checks(tmp_path):
    rng = np.random.default_rng(11)
    n, per = 500, 5
    f = rng.normal(size=(n, 3))
    reverse = {"a2", "a5", "b3", "c1", "c4"}
    cols = {}
    for k, block in enumerate("abc"):
        for j in range(1, per + 1):
            name = f"{block}{j}"
            sign = -1 if name in reverse else 1
            y = sign * 0.75 * f[:, k] + 0.65 * rng.normal(size=n)
            cols[name] = np.clip(np.round(3 + 1.1 * y), 1, 5).astype(int)
    frame = pd.DataFrame({"id": np.arange(1, n + 1), **cols})
    frame.insert(6, "attn_1", np.where(rng.random(n) < 0.95, 4, rng.integers(1, 6, n)))
    frame.to_csv(tmp_path / "plain.csv", index=False)
    draft = draft_instrument(tmp_path / "plain.csv")
    assert draft["id_column"] == "id"
    assert draft["attention_checks"] == [{"id": "attn_1", "expect": 4}]
    assert [i["id"] for i in draft["items"]] == list(cols)
    assert {i["id"] for i in draft["items"] if i["reverse"]} == reverse
    assert "labels" not in draft["scale"] and "missing_codes" not in draft["scale"]


def _worded_both_ways(path, n_present: int, n_absent: int, seed: int = 0, n: int = 500):
    """A STAI-like survey: one anxiety trait (loading 0.7), statements of anxiety present
    (``p*``) and absent (``a*``, reverse-keyed), each wording with a factor of its own
    (loading 0.4: the two wordings form two clusters of statements)."""
    rng = np.random.default_rng(seed)
    trait, wording = rng.normal(size=n), rng.normal(size=(n, 2))
    cols = {}
    for j in range(n_present + n_absent):
        absent = j >= n_present
        y = (-0.7 if absent else 0.7) * trait + 0.4 * wording[:, int(absent)] + 0.6 * rng.normal(size=n)
        cols[f"{'a' if absent else 'p'}{j + 1:02d}"] = np.clip(np.rint(2.5 + 0.9 * y), 1, 4).astype(int)
    pd.DataFrame({"respondent_id": np.arange(1, n + 1), **cols}).to_csv(path, index=False)
    return [c for c in cols if c.startswith("p")], [c for c in cols if c.startswith("a")]


@pytest.mark.parametrize("n_present, n_absent, seed", [(12, 8, 0), (8, 12, 1), (14, 6, 2)])
def test_draft_reverses_the_cluster_that_runs_against_the_majority(tmp_path, n_present, n_absent, seed):
    """Code review: each cluster of statements was keyed on its own, so two clusters worded
    both ways (STAI's anxiety present / absent) got no reverse suggestion at all. The
    cluster that runs against the other is joined to it, and the minority is reverse."""
    from behaviortypes.readers import instrument_draft_yaml

    present, absent = _worded_both_ways(tmp_path / "r.csv", n_present, n_absent, seed)
    draft = draft_instrument(tmp_path / "r.csv")
    assert [i["id"] for i in draft["items"]] == present + absent
    assert {i["id"] for i in draft["items"] if i["reverse"]} == set(min(present, absent, key=len))
    assert "GUESS" not in instrument_draft_yaml(tmp_path / "r.csv")


def test_draft_says_a_keying_from_the_answers_must_be_checked_on_the_wording(tmp_path, capsys):
    """User trial 6 (the Humor Styles Questionnaire): a scale of 5 negatively and 3
    positively worded statements was drafted with the 3 positive ones reverse — the whole
    scale keyed backwards — and only half-against-half splits were called a guess. The
    answers say which statements go against the others, not which way is high: every
    scale worded both ways gets a comment naming the statements marked reverse and the
    ones that then define the high end, and ``--out`` says so on the terminal."""
    from behaviortypes.cli import main
    from behaviortypes.readers import instrument_draft_yaml

    present, absent = _worded_both_ways(tmp_path / "r.csv", 5, 3, seed=4)
    draft = draft_instrument(tmp_path / "r.csv")
    assert {i["id"] for i in draft["items"] if i["reverse"]} == set(absent)
    text = instrument_draft_yaml(tmp_path / "r.csv")
    head = " ".join(text[: text.index("\nname:")].replace("#", " ").split())
    assert "CHECK THE KEYING: statements p01 ... a08 (8 statements) are worded both ways" in head
    assert f"{', '.join(absent)} go against the others and were drafted as reverse: true" in head
    assert f"check that {', '.join(present)} say what a high score should mean" in head
    assert yaml.safe_load(text) == draft
    assert main(["instrument", "draft", str(tmp_path / "r.csv"), "--out", str(tmp_path / "i.yaml")]) == 0
    assert "worded both ways" in " ".join(capsys.readouterr().out.split())
    # one-way scales and half-against-half guesses keep their own words
    assert "CHECK THE KEYING" not in instrument_draft_yaml(_worded_both_ways(tmp_path / "b.csv", 10, 10, seed=3)
                                                          and tmp_path / "b.csv")


def test_draft_says_which_half_of_a_balanced_scale_is_reverse_is_a_guess(tmp_path):
    """Ten statements against ten: the answers cannot tell which half is reverse-keyed. One
    half is drafted reverse (the half without the first statement) and a comment at the
    top of the draft says it is a guess the user must check."""
    from behaviortypes.readers import instrument_draft_yaml

    present, absent = _worded_both_ways(tmp_path / "r.csv", 10, 10, seed=3)
    draft = draft_instrument(tmp_path / "r.csv")
    assert {i["id"] for i in draft["items"] if i["reverse"]} == set(absent)
    text = instrument_draft_yaml(tmp_path / "r.csv")
    head = text[: text.index("\nname:")]
    assert "# A GUESS: statements p01 ... a20 (20 statements) split half against half (10 and 10)" in head
    assert f"Drafted as reverse: true: {', '.join(absent)}." in head
    assert "Check their wording" in head
    assert yaml.safe_load(text) == draft


def test_draft_out_says_the_guess_on_the_terminal(tmp_path, capsys):
    """``instrument draft --out`` said only the missing-id note; the half-against-half guess
    is said on the terminal too (the user may never open the top of the file)."""
    from behaviortypes.cli import main

    _worded_both_ways(tmp_path / "r.csv", 10, 10, seed=3)
    assert main(["instrument", "draft", str(tmp_path / "r.csv"), "--out", str(tmp_path / "i.yaml")]) == 0
    printed = " ".join(capsys.readouterr().out.split())
    assert "which half is reverse-keyed is a guess" in printed
    assert "named like a time" not in printed


def test_draft_leaves_times_dates_waves_and_ids_out_of_the_statements(tmp_path):
    """User trial: a column named ``time`` (small whole numbers, on the statements' 1-5
    scale) was drafted as a statement. Columns whose names say what they are (time,
    date, wave, start, an id; English and Swedish) go to the other columns (descriptors,
    here, with five values each), and the draft says so. A name that only begins or ends
    with such a word (``save_time``: "I want to save time") stays a statement when its
    answers go with the statements', with a comment; ``timely_delivery`` is a statement."""
    from behaviortypes.readers import instrument_draft_yaml

    rng = np.random.default_rng(4)
    n = 300
    trait = rng.normal(size=n)
    frame = pd.DataFrame({"respondent_id": np.arange(1, n + 1)})
    statements = [f"s{j}" for j in range(1, 6)] + ["save_time", "timely_delivery"]
    named = ["time", "Datum", "wave", "StartTid", "butik_id", "Omgång"]
    for col in statements[:3] + named[:3] + statements[3:] + named[3:]:
        if col in statements:
            frame[col] = np.clip(np.rint(3 + trait + 0.8 * rng.normal(size=n)), 1, 5).astype(int)
        else:
            frame[col] = rng.integers(1, 6, n)
    frame.to_csv(tmp_path / "responses.csv", index=False)
    draft = draft_instrument(tmp_path / "responses.csv")
    assert [i["id"] for i in draft["items"]] == statements
    assert draft["descriptors"] == [{"column": c} for c in named]
    assert "duration_column" not in draft
    text = instrument_draft_yaml(tmp_path / "responses.csv")
    assert ("# time, Datum, wave, StartTid, butik_id, Omgång: named like a time, date, wave or id, "
            "so not drafted as statements") in text
    assert "# save_time: named like a time, date, wave or id, but its answers go with" in text
    assert "timely_delivery:" not in text


def test_more_user_errors(tmp_path):
    (tmp_path / "notes.csv").write_text("name,comment\nAnna,bra\nOla,dålig\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no column looks like a Likert item"):
        draft_instrument(tmp_path / "notes.csv")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"old Excel \.xls files are not supported.*save as \.xlsx"):
        read_table(tmp_path / "old.xls")
    (tmp_path / "broken.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(InputError, match=r"cannot open as an Excel workbook"):
        read_table(tmp_path / "broken.xlsx")
    (tmp_path / "broken.sav").write_bytes(b"not spss")
    with pytest.raises(InputError, match=r"cannot read as an SPSS file"):
        read_table(tmp_path / "broken.sav")
    _customers(10).to_parquet(tmp_path / "c.parquet")
    with pytest.raises(InputError, match=r"batch_size must be at least 1"):
        list(iter_customer_batches(tmp_path / "c.parquet", batch_size=0))
    with pytest.raises(InputError, match=r"table= is for DuckDB databases"):
        read_customers(tmp_path / "c.parquet", table="x")
    with pytest.raises(InputError, match=r"customer base cannot be read from a \.json file.*save it as CSV"):
        (tmp_path / "c.json").write_text("{}")
        read_customers(tmp_path / "c.json")


def test_few_respondents_warning(tmp_path):
    folder = make_survey(tmp_path / "a", make_responses(n=25))
    with pytest.warns(SurveyQualityWarning, match=r"few respondents: 25 for 6 items; factors and "
                                                  r"types may be unstable below 30"):
        survey = load_survey(folder)
    assert len(survey.responses) == 25


@pytest.mark.parametrize("name", ["responses.csv", "responses.xlsx"])
def test_duplicate_column_names(tmp_path, name):
    frame = make_responses()
    frame.columns = [*frame.columns[:-1], "s02"]  # "Vikt" renamed to a second s02
    writer = (lambda f, p: f.to_excel(p, index=False)) if name.endswith("xlsx") else None
    with pytest.raises(InputError, match=r"column 's02': the column appears more than once in "
                                         r"the header"):
        load_survey(make_survey(tmp_path / "a", frame, name=name, writer=writer))


def _sheet_writer(rows_above, blank_inside=None):
    """Write the frame to an .xlsx with ``rows_above`` (lists; [] = a blank row) above the
    header and, with ``blank_inside=i``, a blank sheet row before data row ``i``."""
    import openpyxl

    def write(frame, path):
        book = openpyxl.Workbook()
        sheet = book.active
        for r in rows_above:
            sheet.append(r)
        sheet.append(list(frame.columns))
        for i, row in enumerate(frame.itertuples(index=False)):
            if blank_inside is not None and i == blank_inside:
                sheet.append([])
            sheet.append(list(row))
        book.save(path)
    return write


def test_excel_rows_are_named_as_excel_numbers_them_when_rows_are_blank(tmp_path):
    """User trial 6: an Excel export with a title row, a blank row, then the header was told
    "the header seems to be on row 2" (it is on row 3): blank sheet rows were dropped before
    counting. Rows are the sheet's own numbers, in the header message and in every error."""
    frame = make_responses()
    title = _sheet_writer([["Survey export 2026-11-30"], []])
    with pytest.raises(InputError, match=r"the header seems to be on row 3, not row 1 .*"
                                         r"delete the 2 rows above the column names"):
        load_survey(make_survey(tmp_path / "a", frame, name="responses.xlsx", writer=title))
    bad = frame.astype(object).copy()
    bad.loc[10, "s01"] = "banana"  # data row 11: sheet row 12, 13 with a blank row above it
    gap = _sheet_writer([], blank_inside=5)
    with pytest.raises(InputError, match=r"row 13\b"):
        load_survey(make_survey(tmp_path / "b", bad, name="responses.xlsx", writer=gap))


def test_customer_file_that_is_not_parquet(tmp_path):
    from behaviortypes.readers import iter_customer_batches, read_customers

    bad = tmp_path / "customers.parquet"
    bad.write_bytes(b"this is not parquet at all")
    with pytest.raises(InputError, match="cannot read the Parquet file"):
        list(iter_customer_batches(bad))
    with pytest.raises(InputError, match="cannot read the Parquet file"):
        read_customers(bad)


def test_short_rows_are_an_error_not_silently_padded(tmp_path):
    from behaviortypes.readers import read_table

    path = tmp_path / "responses.csv"
    path.write_text("respondent_id,s01,s02,s03\nR1,1,2,3\nR2,4\nR3,1,2,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3 has 2 fields, the header has 4"):
        read_table(path)


# --------------------------------------------------------------------------- a Swedish study
from swedish import study as sw  # noqa: E402


def test_swedish_excel_csv_study_reads(tmp_path):
    folder = sw.write_csv_study(tmp_path / "kundstudie", n=120)
    survey = load_survey(folder)
    assert survey.responses.shape[0] == 120
    assert survey.instrument.language == "sv"
    frame, _ = sw.responses(n=120)
    assert_allclose(survey.items.to_numpy(), frame[sw.ITEMS].to_numpy())
    assert survey.responses["kommentar"].str.contains("Åh").any()  # cp1252 read as such


def test_qualtrics_previews_left_out_with_a_note(tmp_path):
    path = sw.write_qualtrics(tmp_path / "q" / "export.csv", n=120, n_preview=2, n_test=1)
    draft = draft_instrument(path)
    (path.parent / "instrument.yaml").write_text(yaml.safe_dump(draft, allow_unicode=True), encoding="utf-8")
    with pytest.warns(SurveyQualityWarning, match=r"rows 4, 5, 6: left out 3 Qualtrics survey preview/test"):
        survey = load_survey(path.parent)
    assert len(survey.responses) == 117
    assert not survey.responses.index.isin([f"R_{i:05d}abcdEFGH" for i in range(3)]).any()
    assert "left out 3" in survey.warnings[0]
    # a problem in a later row is still named by its row in the file
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw.loc[2 + 10, "Q1_4"] = "9"  # file row 14: three header rows, then previews and tests
    raw.to_csv(path, index=False, encoding="utf-8-sig")
    with pytest.raises(InputError, match=r"column 'Q1_4', row 14 \(respondent R_\w+\): value 9 is outside the scale 1–7"):
        load_survey(path.parent)


def test_status_codes_of_a_numeric_qualtrics_export(tmp_path):
    path = sw.write_qualtrics(tmp_path / "q" / "export.csv", n=100, n_preview=0, n_test=0)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw.loc[2:, "Status"] = "0"
    raw.loc[2:, "DistributionChannel"] = "anonymous"
    raw.loc[3, "Status"] = "1"   # Survey Preview
    raw.loc[5, "Status"] = "2"   # Survey Test
    raw.loc[7, "DistributionChannel"] = "preview"
    raw.to_csv(path, index=False, encoding="utf-8-sig")
    draft = draft_instrument(path)
    (path.parent / "instrument.yaml").write_text(yaml.safe_dump(draft, allow_unicode=True), encoding="utf-8")
    with pytest.warns(SurveyQualityWarning, match=r"rows 5, 7, 9: left out 3"):
        survey = load_survey(path.parent)
    assert len(survey.responses) == 97


def test_qualtrics_draft_takes_the_stem_off_the_statements(tmp_path):
    from behaviortypes.readers import instrument_draft_yaml

    path = sw.write_qualtrics(tmp_path / "kundstudie" / "Kundstudie_5 januari 2026.csv", n=200)
    draft = draft_instrument(path)
    assert [i["text"] for i in draft["items"]] == [t for t, _, _ in sw.STATEMENTS]
    assert [i["reverse"] for i in draft["items"]] == [r for _, _, r in sw.STATEMENTS]
    assert draft["name"] == "kundstudie" and draft["language"] == "sv"
    assert draft["id_column"] == "ResponseId" and draft["customer_id_column"] == "kundnummer"
    assert (draft["scale"]["min"], draft["scale"]["max"]) == (1, 7)
    text = instrument_draft_yaml(path)
    assert text.count(sw.STEM) == 1  # the battery's question, once
    # the comments in the statements' language (session 12); English when asked for
    assert f"# Frågan före Q1_1–Q1_18: {sw.STEM}\nitems:" in text
    assert f"# Question before Q1_1–Q1_18: {sw.STEM}\nitems:" in instrument_draft_yaml(path, lang="en")


@pytest.mark.parametrize("names, expect", [
    ({"id": "respondent", "customer": "kundnummer", "duration": "tid_sek"}, None),
    ({"id": "Deltagare", "customer": "kundnr", "duration": "Tid"}, None),
    ({"id": "deelnemer", "customer": "klantnummer", "duration": "duur"}, None),
    ({"id": "ResponseId", "customer": "Customer ID", "duration": "seconds"}, None),
])
def test_draft_recognises_common_column_names(tmp_path, names, expect):
    frame, _ = sw.responses(n=80)
    frame = frame.rename(columns={"respondent": names["id"], "kundnummer": names["customer"],
                                  "tid_sek": names["duration"]})
    folder = tmp_path / "vår studie"
    folder.mkdir()
    frame.to_csv(folder / "responses.csv", sep=";", index=False, encoding="cp1252")
    draft = draft_instrument(folder / "responses.csv")
    assert draft["name"] == "vår studie"
    assert draft["id_column"] == names["id"]
    assert draft["customer_id_column"] == names["customer"]
    assert draft["duration_column"] == names["duration"]
    assert [i["id"] for i in draft["items"]] == sw.ITEMS


def test_draft_on_stdout_is_never_wrapped_and_loads(tmp_path, capsys, monkeypatch):
    from behaviortypes.cli import main
    from behaviortypes.instrument import load_instrument

    path = sw.write_qualtrics(tmp_path / "studie" / "export.csv", n=120)
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    long = "Jag jämför alltid priser, erbjudanden och leveransvillkor i flera butiker innan jag bestämmer mig för var jag ska köpa något dyrare"
    raw.loc[0, "Q1_1"] = f"{sw.STEM} - {long}"
    raw.to_csv(path, index=False, encoding="utf-8-sig")
    monkeypatch.setenv("COLUMNS", "60")
    assert main(["instrument", "draft", str(path)]) == 0
    printed = capsys.readouterr().out
    assert f"text: {long}\n" in printed  # one line however narrow the terminal
    (path.parent / "instrument.yaml").write_text(printed, encoding="utf-8")
    inst = load_instrument(path.parent / "instrument.yaml")
    assert inst.items[0].text == long
    with pytest.warns(SurveyQualityWarning, match="left out 3"):
        survey = load_survey(path.parent)
    assert len(survey.responses) == 117


def test_wrong_scale_is_one_line_with_the_fix(tmp_path):
    folder = sw.write_csv_study(tmp_path / "s", n=120, scale_max=5)
    with pytest.raises(InputError) as err:
        load_survey(folder)
    message = str(err.value)
    assert message == ("responses.csv: answers go up to 7 in all 18 statements, outside the scale 1–5 of "
                       "instrument.yaml. Hint: is the scale 1–7? set `scale: {min: 1, max: 7}` in instrument.yaml")
    # a real missing code beyond the longer scale is still named on its own
    frame, _ = sw.responses(n=120)
    frame.loc[4, "s03"] = 99
    frame.to_csv(folder / "responses.csv", sep=";", index=False, encoding="cp1252")
    with pytest.raises(InputError, match=r"2 problems: \(1\) .*answers go up to 7 in all 18.*\(2\) "
                                         r"responses.csv, column 's03', row 6 \(respondent \w+\): value 99 is outside"):
        load_survey(folder)


def test_answers_that_start_at_zero(tmp_path):
    folder = sw.write_csv_study(tmp_path / "s", n=120)
    frame, _ = sw.responses(n=120)
    frame[sw.ITEMS] -= 1
    frame.to_csv(folder / "responses.csv", sep=";", index=False, encoding="cp1252")
    with pytest.raises(InputError, match=r"^responses.csv: answers go down to 0 in all 18 statements.*"
                                         r"is the scale 0–6\? set `scale: \{min: 0, max: 6\}`"):
        load_survey(folder)


def test_a_few_values_above_the_scale_are_not_a_wrong_scale(tmp_path):
    folder = sw.write_csv_study(tmp_path / "s", n=120)
    frame, _ = sw.responses(n=120)
    frame.loc[3, "s02"] = 8
    frame.to_csv(folder / "responses.csv", sep=";", index=False, encoding="cp1252")
    with pytest.raises(InputError, match=r"^responses.csv, column 's02', row 5 \(respondent \w+\): value 8 is outside the scale 1–7"):
        load_survey(folder)


@pytest.mark.parametrize("title", ["Kundundersökning hösten 2026\r\n", "Kundundersökning hösten 2026" + ";" * 21 + "\r\n"])
def test_title_row_above_the_header(tmp_path, title):
    folder = sw.write_csv_study(tmp_path / "s", n=120)
    body = (folder / "responses.csv").read_bytes()
    (folder / "responses.csv").write_bytes(title.encode("cp1252") + body)
    with pytest.raises(InputError) as err:
        load_survey(folder)
    assert str(err.value) == ("responses.csv: the header seems to be on row 2, not row 1 (row 1 holds "
                              "'Kundundersökning hösten 2026'). Hint: delete the row above the column "
                              "names and save the file again")


def test_title_rows_above_the_header_in_excel(tmp_path):
    folder = sw.write_csv_study(tmp_path / "s", n=120)
    frame, _ = sw.responses(n=120)
    (folder / "responses.csv").unlink()
    rows = [["Kundundersökning"], ["Export 2026-01-05"], list(frame.columns)] + frame.astype(object).values.tolist()
    pd.DataFrame(rows).to_excel(folder / "responses.xlsx", header=False, index=False)
    with pytest.raises(InputError, match=r"^responses.xlsx: the header seems to be on row 3, not row 1 "
                                         r"\(row 1 holds 'Kundundersökning'\)\. Hint: delete the 2 rows above"):
        load_survey(folder)


def test_second_header_row_of_question_texts(tmp_path):
    folder = sw.write_csv_study(tmp_path / "s", n=120)
    frame, _ = sw.responses(n=120)
    texts = {c: c for c in frame.columns}
    texts.update({i: t for i, (t, _, _) in zip(sw.ITEMS, sw.STATEMENTS)})
    pd.concat([pd.DataFrame([texts]), frame.astype(object)]).to_csv(
        folder / "responses.csv", sep=";", index=False, encoding="cp1252")
    with pytest.raises(InputError) as err:
        load_survey(folder)
    assert "problems" not in str(err.value)
    assert str(err.value).startswith(
        "responses.csv: the header seems to take two rows: row 2 holds question texts (such as "
        "'Jag jämför alltid priser innan jag köpe…'), the answers start on row 3. Hint: delete row 2")


def test_a_descriptor_too_fine_to_tabulate_is_refused_when_the_survey_is_read(tmp_path):
    """``descriptors: [{column: age}]`` with age in years passed check and discover and failed
    only at ``profile``, blaming responses.csv: it is instrument.yaml's entry that needs a fix."""
    frame = make_responses()
    frame["Ålder"] = np.arange(18, 18 + len(frame))  # 60 different ages
    frame["Kön"] = np.where(np.arange(len(frame)) % 2, "K", "M")
    folder = make_survey(tmp_path / "a", frame, descriptors=[{"column": "Kön"}, {"column": "Ålder"}])
    with pytest.raises(InputError, match=r"^instrument.yaml, column 'Ålder': descriptors: 'Ålder' has 60 "
                                         r"different values in responses.csv, too many to tabulate.*outcomes"):
        load_survey(folder)
    folder = make_survey(tmp_path / "b", frame, descriptors=[{"column": "Kön"}, {"column": "Region"}],
                         outcomes=[{"column": "Ålder"}])  # outcomes, and columns of the customer base: fine
    assert len(load_survey(folder).responses) == len(frame)


def test_draft_leaves_background_questions_out_of_the_statements(tmp_path):
    """R psych's bfi: education (1-5) beside six-point statements was drafted as a statement.
    A background question is named like one, or misses an end of the scale and goes with
    no statement (|r| < 0.2 with every one); it is drafted as a descriptor."""
    from pathlib import Path

    data = pd.read_csv(Path(__file__).parent / "data" / "real" / "bfi.csv.gz").iloc[:600]
    rng = np.random.default_rng(0)
    data.insert(0, "respondent_id", np.arange(1, len(data) + 1))
    data["education"] = rng.integers(1, 6, len(data))
    data["q99"] = rng.integers(2, 6, len(data))  # a code 2-5, not named, unrelated to the statements
    data["Q_extra"] = np.clip(data["E4"] + rng.integers(-1, 1, len(data)), 2, 6)  # no 1s, but a statement
    data.to_csv(tmp_path / "responses.csv", index=False)
    draft = draft_instrument(tmp_path / "responses.csv")
    items = [i["id"] for i in draft["items"]]
    assert "education" not in items and "q99" not in items and "Q_extra" in items
    assert [c for c in items if c != "Q_extra"] == [c for c in data.columns if len(c) == 2 and c[1].isdigit()]
    assert draft["descriptors"] == [{"column": "education"}, {"column": "q99"}]


def test_draft_lists_the_other_background_columns_as_descriptors(tmp_path):
    """poLCA's election (the session-7 trial): four-point ratings beside education and party
    (1-7), gender (1-2) and age in years; the draft listed none of them. Columns with 2-12
    different answers are drafted as descriptors; age in years is named in a comment."""
    import re

    from behaviortypes.readers import instrument_draft_yaml

    rng = np.random.default_rng(1)
    n = 300
    trait = rng.normal(size=n)
    frame = pd.DataFrame({"respondent_id": np.arange(1, n + 1)})
    for j in range(6):
        frame[f"T{j}"] = np.clip(np.round(2.5 + trait + rng.normal(scale=0.8, size=n)), 1, 4).astype(int)
    frame["EDUC"] = rng.integers(1, 8, n)
    frame["PARTY"] = rng.integers(1, 8, n)
    frame["GENDER"] = rng.integers(1, 3, n)
    frame["AGE"] = rng.integers(18, 91, n)
    frame["region"] = rng.choice(["North", "South", "East"], n)
    frame.to_csv(tmp_path / "responses.csv", index=False)
    draft = draft_instrument(tmp_path / "responses.csv")
    assert [i["id"] for i in draft["items"]] == [f"T{j}" for j in range(6)]
    assert draft["descriptors"] == [{"column": c} for c in ("EDUC", "PARTY", "GENDER", "region")]
    text = instrument_draft_yaml(tmp_path / "responses.csv")
    ages = frame["AGE"].nunique()
    assert re.search(rf"^# Left out .*\n# .*: AGE \({ages} values\)$", text, re.MULTILINE)


def test_answers_with_their_code_first_get_a_hint_that_says_so(tmp_path):
    """R's write.csv of a labelled factor writes "3 Not too well": the error says the code
    comes first (kept once for all the statements that have it), and the texts read when
    listed under scale: labels."""
    frame = make_responses()
    words = {1: "Strongly disagree", 2: "Disagree", 3: "Neutral", 4: "Agree", 5: "Strongly agree"}
    texts = frame.copy()
    for item in ITEMS:
        texts[item] = texts[item].map(lambda v: f"{v} {words[v]}")
    with pytest.raises(InputError) as info:
        load_survey(make_survey(tmp_path / "a", texts))
    line = str(info.value)
    assert len(info.value.problems) == len(ITEMS) and len(line) < 500, line
    assert f"{len(ITEMS)} columns ('{ITEMS[0]}'" in line and "carry their code first" in line
    labelled = load_survey(make_survey(tmp_path / "b", texts,
                                       scale={"min": 1, "max": 5, "labels": {v: f"{v} {w}" for v, w in words.items()}}))
    assert labelled.items.astype(int).equals(frame.set_index("Respondent")[ITEMS].set_axis(labelled.items.index))


def test_instrument_slips_are_warned(tmp_path):
    """Two statements with one text, and a theme whose statements are all marked reverse,
    are warned about (one line each, naming the ids or the theme) but not refused (user
    trial 4: GERAS gives V46 and V51 the same English text; a 'Calm' theme of calm
    statements all marked reverse named the calmest type 'calm-indifferent')."""
    from behaviortypes.instrument import Instrument
    from behaviortypes.readers.validate import instrument_warnings

    inst = Instrument(id_column="id", scale={"min": 1, "max": 4}, items=[
        {"id": "a", "text": "I feel calm", "theme": "Calm", "reverse": True},
        {"id": "b", "text": "I feel  Calm ", "theme": "Calm", "reverse": True},
        {"id": "c", "text": "I feel tense", "theme": "Tension"},
        {"id": "d", "text": "I am worried", "theme": "Tension", "reverse": True}])
    said = [str(p) for p in instrument_warnings(inst, "instrument.yaml")]
    assert len(said) == 2
    assert "'a' and 'b' have the same text" in said[0]
    assert "theme 'Calm' is marked reverse" in said[1] and "Tension" not in said[1]
    ok = Instrument(id_column="id", scale={"min": 1, "max": 4}, items=[
        {"id": "a", "text": "I feel calm", "theme": "Calm"},
        {"id": "c", "text": "I feel tense", "theme": "Calm", "reverse": True}])
    assert instrument_warnings(ok) == []


def test_a_responses_file_given_for_the_survey_folder_is_named(tmp_path):
    """User trial 5: `discover surveys/pisa/responses.csv` said "survey folder not found"."""
    f = tmp_path / "responses.csv"
    f.write_text("respondent_id,q1\n1,3\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"is a file, not a survey folder.*instrument.yaml"):
        load_survey(f)
