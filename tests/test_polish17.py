"""Leftovers users hit (session 17): a Mac CR-only CSV, a hive-partitioned Parquet folder,
the ``--id-column`` hint, Swedish numbers in warnings, Swedish screening reasons and YAML errors.

CLI behaviour runs ``behaviortypes`` in a subprocess (``clirun``), as a user does.
"""

from __future__ import annotations

import codecs
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from clirun import bt, error_line, ok_lines  # noqa: E402
from swedish import study as swedish  # noqa: E402


# --------------------------------------------------------------------------- 1. CR-only CSV
def _mac_csv(path: Path, *, bom: bool = False, directive: bool = False) -> Path:
    """Rewrite a CSV as old Excel for Mac's "CSV (Macintosh)": lines end in ``\\r`` alone."""
    raw = path.read_bytes().replace(b"\r\n", b"\n")
    if directive:
        raw = b"sep=;\n" + raw
    if bom:
        raw = codecs.BOM_UTF8 + raw.decode("cp1252").encode("utf-8")
    path.write_bytes(raw.replace(b"\n", b"\r"))
    assert b"\n" not in path.read_bytes()
    return path


@pytest.fixture(scope="module")
def crlf_check(tmp_path_factory):
    """The Swedish study as written (CRLF/LF lines) and what ``check`` prints for it."""
    folder = swedish.write_csv_study(tmp_path_factory.mktemp("crlf") / "kundstudie")
    return folder, ok_lines(bt("check", folder))


@pytest.mark.parametrize("bom, directive", [(False, False), (True, False), (True, True)],
                         ids=["cp1252", "utf8-bom", "utf8-bom-sep-line"])
def test_check_reads_a_mac_cr_only_csv_as_the_same_survey(crlf_check, tmp_path, bom, directive):
    """Session 16: "rad 1: inte en läsbar CSV-fil (new-line character seen in unquoted field ...)"
    for a file the streaming scorer reads."""
    original, lines = crlf_check
    folder = tmp_path / "kundstudie"
    shutil.copytree(original, folder)
    _mac_csv(folder / "responses.csv", bom=bom, directive=directive)
    assert ok_lines(bt("check", folder)) == lines


def test_a_mac_csv_streams_and_reads_whole_alike(tmp_path):
    """The streaming reader (typing-tool --score) and the whole-file reader give the same cells,
    and a short row of a CR-only file is refused on its own line."""
    from behaviortypes.errors import InputError
    from behaviortypes.readers import open_text_table
    from behaviortypes.readers.tables import read_raw

    frame, _ = swedish.responses(50)
    path = tmp_path / "svar.csv"
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    _mac_csv(path)
    whole = read_raw(path)
    table = open_text_table(path)
    assert table.delimiter == ";" and table.columns_in_file == list(frame.columns)
    table.check_short_rows()
    streamed = pd.concat(list(table.chunks(7)))
    pd.testing.assert_frame_equal(streamed, whole, check_like=False, check_index_type=False)
    assert len(whole) == 50 and whole["s01"].tolist() == frame["s01"].astype(str).tolist()
    path.write_bytes(path.read_bytes().replace(b"\rR0004;", b"\rR0004\r", 1))
    with pytest.raises(InputError, match="line 5"):
        read_raw(path)


def test_a_mac_customer_csv_is_sniffed_as_semicolon_and_decimal_comma(tmp_path):
    from behaviortypes.readers import read_customers
    from behaviortypes.readers.customers import sniff_csv_dialect

    path = tmp_path / "kunder.csv"
    path.write_bytes(b"kundnr;belopp\r001;12,5\r002;7,25\r003;1,0\r")
    assert sniff_csv_dialect(path) == {"encoding": "utf-8", "delimiter": ";", "decimal": ","}
    frame = read_customers(path, id_column="kundnr")
    assert frame["kundnr"].tolist() == ["001", "002", "003"]
    assert frame["belopp"].tolist() == [12.5, 7.25, 1.0]


def test_the_scorers_csv_block_is_as_small_for_a_mac_csv(tmp_path):
    """The scorer sizes its CSV blocks from the line length: a CR-only file is not one 256 MB line."""
    from behaviortypes.scoring._sources import csv_block_size

    rows = "".join(f"{i};{i % 7},5;Nord\n" for i in range(200_000))
    unix, mac = tmp_path / "unix.csv", tmp_path / "mac.csv"
    unix.write_text("kundnr;belopp;region\n" + rows)
    mac.write_text(("kundnr;belopp;region\n" + rows).replace("\n", "\r"), newline="")
    assert csv_block_size(mac, 100_000) == csv_block_size(unix, 100_000) < 1 << 22


# --------------------------------------------------------------------------- 2. hive-partitioned Parquet
@pytest.fixture(scope="module")
def hive_base(tmp_path_factory):
    """A customer base as one Parquet file and as a hive-partitioned folder (``region=…/``, three
    partitions, Spark's ``_SUCCESS`` marker and a hidden checksum beside them), and a saved
    lookalike model that uses ``region``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from behaviortypes.files import write_yaml
    from behaviortypes.lookalike import LookalikeModel, save_model
    from test_scoring import make_base

    root = tmp_path_factory.mktemp("hive")
    frame, truth = make_base(1200, seed=5)
    rng = np.random.default_rng(5)
    frame["region"] = np.where(rng.random(len(truth)) < 0.7, np.array(["north", "south", "west"])[truth - 1],
                               rng.choice(["north", "south", "west"], len(truth)))
    frame = frame.drop(columns="other")
    features = frame.set_index("customer_id")
    model = LookalikeModel(models=("logistic",), cv=3, random_state=0).fit(features, pd.Series(truth, index=features.index))
    save_model(model, root / "model" / "lookalike.skops")
    write_yaml(root / "model" / "types.yaml", {"types": [{"type_id": t, "name": n} for t, n in
                                                         enumerate(["Loyalists", "Bargain hunters", "Explorers"], 1)]})
    frame.to_parquet(root / "base.parquet", index=False)
    pq.write_to_dataset(pa.Table.from_pandas(frame, preserve_index=False), root / "base", partition_cols=["region"],
                        row_group_size=150)
    (root / "base" / "_SUCCESS").write_text("")
    (root / "base" / "region=north" / ".part-0.parquet.crc").write_bytes(b"\x00crc")
    assert len([p for p in (root / "base").iterdir() if p.is_dir()]) == 3
    return root, frame


def test_score_reads_a_hive_partitioned_folder_as_the_same_base(hive_base, tmp_path):
    """Session 16: "base: folder holds no .parquet files" for a folder Spark wrote."""
    root, frame = hive_base
    ok_lines(bt("score", root / "model", "--customers", root / "base", "--out", tmp_path / "hive.parquet"))
    ok_lines(bt("score", root / "model", "--customers", root / "base.parquet", "--out", tmp_path / "one.parquet"))
    hive = pd.read_parquet(tmp_path / "hive.parquet").sort_values("customer_id").reset_index(drop=True)
    one = pd.read_parquet(tmp_path / "one.parquet").sort_values("customer_id").reset_index(drop=True)
    assert len(hive) == len(frame)
    pd.testing.assert_frame_equal(hive, one)
    assert hive["type_id"].nunique() == 3  # region is used: the scores are not all one type's


def test_a_hive_folder_streams_in_bounded_batches_with_its_partition_column(hive_base):
    from behaviortypes.readers import iter_customer_batches, read_customers

    root, frame = hive_base
    batches = list(iter_customer_batches(root / "base", batch_size=100, id_column="customer_id"))
    assert {len(b) for b in batches[:-1]} == {100} and len(batches[-1]) <= 100
    streamed = pd.concat(batches, ignore_index=True)
    assert sorted(streamed.columns) == sorted(frame.columns)
    want = frame.set_index("customer_id")["region"]
    assert streamed.set_index("customer_id")["region"].sort_index().equals(want.sort_index())
    whole = read_customers(root / "base", columns=["customer_id", "region"], id_column="customer_id")
    assert whole.set_index("customer_id")["region"].sort_index().equals(want.sort_index())


def test_a_folder_of_only_markers_is_still_refused_in_one_line(hive_base, tmp_path):
    root, _ = hive_base
    (tmp_path / "base" / "region=north").mkdir(parents=True)
    (tmp_path / "base" / "_SUCCESS").write_text("")
    (tmp_path / "base" / "region=north" / "notes.txt").write_text("x")
    res = bt("score", root / "model", "--customers", tmp_path / "base", "--out", tmp_path / "o.parquet")
    assert error_line(res).startswith("error: base: folder holds no .parquet files")


# --------------------------------------------------------------------------- 3. the --id-column hint
_FIRST = ["Anna", "Lars", "Karin", "Erik", "Maria", "Johan", "Sara", "Anders", "Emma", "Nils"]
_LAST = ["Svensson", "Johansson", "Lindberg", "Karlsson", "Nilsson", "Berg", "Smith", "Larsson"]


def _names(n: int) -> list[str]:
    return [f"{_FIRST[i % len(_FIRST)]} {_LAST[(i // len(_FIRST)) % len(_LAST)]}" for i in range(n)]


def test_lookalike_hint_names_the_id_like_column_not_the_customers_names(tmp_path):
    """``customer_id`` renamed ``client_no`` in a CRM export that also has ``customer_name`` and
    ``email``: difflib's nearest name was ``customer_name`` (0.73 against 0.62), personal data."""
    from test_lookalike import _discovery

    out, customers, _ = _discovery(tmp_path, n_base=1_500, n_resp=300)
    base = pd.read_parquet(customers).rename(columns={"customer_id": "client_no"})
    base.insert(1, "customer_name", _names(len(base)))
    base.insert(2, "email", [f"kund{i}@example.se" for i in range(len(base))])
    base.to_csv(tmp_path / "crm.csv", index=False)
    line = error_line(bt("lookalike", out, "--customers", tmp_path / "crm.csv"))
    assert "pass --id-column client_no" in line and "'customer_name' is" not in line, line


def test_score_hint_names_the_id_like_column_not_an_email_column(hive_base, tmp_path):
    root, frame = hive_base
    crm = frame.rename(columns={"customer_id": "account_no"})
    crm.insert(0, "contact", [f"kund{i}@example.se" for i in range(len(crm))])  # e-mails, by their values
    crm.insert(0, "customer_name", _names(len(crm)))
    crm.to_csv(tmp_path / "crm.csv", index=False)
    line = error_line(bt("score", root / "model", "--customers", tmp_path / "crm.csv", "--out", tmp_path / "o.parquet"))
    assert "if 'account_no' is the customer id, pass --id-column account_no" in line, line


def test_check_suggests_the_respondent_number_not_the_respondents_names(tmp_path):
    folder = swedish.write_csv_study(tmp_path / "kundstudie")
    frame = pd.read_csv(folder / "responses.csv", sep=";", encoding="cp1252")
    frame = frame.rename(columns={"respondent": "svarande_nr"})
    frame.insert(1, "respondentnamn", _names(len(frame)))
    frame.to_csv(folder / "responses.csv", sep=";", index=False, encoding="cp1252")
    line = error_line(bt("check", folder))
    assert "menade du 'svarande_nr'?" in line and "respondentnamn'?" not in line, line


def test_suggest_id_column_never_names_personal_data():
    from behaviortypes.readers import suggest_id_column

    sample = pd.DataFrame({"customer_name": _names(40), "e_post": [f"a{i}@b.se" for i in range(40)],
                           "telefon": [f"070-{i:07d}" for i in range(40)], "personnummer": ["19800101-1234"] * 40,
                           "region": ["Nord", "Syd"] * 20})
    assert suggest_id_column("customer_id", list(sample.columns), sample) is None
    assert suggest_id_column("customer_id", ["CustomerID", "customer_name"]) == "CustomerID"
    sample["medlemsnr"] = range(40)
    assert suggest_id_column("kundnummer", list(sample.columns), sample) == "medlemsnr"
    sample["kund_nr"] = [1] * 40  # id-like name, but repeats: not an id
    assert suggest_id_column("kundnummer", list(sample.columns), sample) == "medlemsnr"


# --------------------------------------------------------------------------- 4. Swedish numbers
_ENGLISH_PERCENT = r"\d\.\d+ ?%"


def test_a_swedish_run_writes_no_english_percentages(tmp_path):
    """User trial 11 (GCBS): "rak linje: 191 svarande (15.7%) sorteras bort ..." — the share was
    formatted in English before the Swedish sentence got it. A Swedish study without reverse-worded
    statements, with straightliners and a statement a fifth left unanswered: every warning of
    ``check`` and ``discover`` writes its shares "15,8 %"."""
    import re

    import yaml

    folder = swedish.write_csv_study(tmp_path / "kundstudie")
    doc = yaml.safe_load((folder / "instrument.yaml").read_text(encoding="utf-8"))
    doc["items"] = [i for i in doc["items"] if not i["reverse"]]
    (folder / "instrument.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    frame = pd.read_csv(folder / "responses.csv", sep=";", encoding="cp1252")
    frame.loc[300:356, [i["id"] for i in doc["items"]]] = 4
    frame.loc[:80, "s01"] = None
    frame.to_csv(folder / "responses.csv", sep=";", index=False, encoding="cp1252")
    check = bt("check", folder)
    discover = bt("discover", folder, "--out", tmp_path / "ut", "--no-map", "--resamples", 10)
    for res in (check, discover):
        text = (res.stdout + res.stderr).replace("\u00a0", " ")
        assert res.returncode == 0, text
        assert "rak linje: 57 svarande (15,8 %)" in text and "22,5 % av de svarande" in text, text
        assert not re.search(_ENGLISH_PERCENT, text), re.search(_ENGLISH_PERCENT, text)
    # 5. screening.csv: the reasons in the study's language, the screens that flagged as codes
    screening = pd.read_csv(tmp_path / "ut" / "screening.csv", dtype={"screens": str}, keep_default_na=False)
    dropped = screening[~screening["kept"]]
    assert len(dropped) == 57 and set(dropped["screens"]) == {"straightlining"}
    assert dropped["reasons"].iloc[0] == (
        "rak linje: samma svar på 100\u00a0% av påståendena i följd (longstring 1,00 >= 0,80)")
    assert (screening.loc[screening["kept"], ["reasons", "screens"]] == "").all().all()


def test_a_coded_warning_said_in_swedish_writes_its_share_the_swedish_way():
    from behaviortypes.errors import CodedProblem

    problem = CodedProblem("15.7% of respondents did not answer this item", code="warn_item_missing",
                           values={"share": 0.157}, file="svar.csv", column="s05")
    assert "15,7\u00a0% av de svarande" in problem.said("sv")
    assert "15.7% of respondents did not answer" in str(problem)


def test_a_drafts_rare_zero_share_is_written_the_swedish_way(tmp_path):
    from behaviortypes.readers import instrument_draft_yaml
    from test_draft_trial7 import _big5_answers

    path = _big5_answers(tmp_path, zero_rows=1)
    assert "(0,05 % av svaren)" in instrument_draft_yaml(path, lang="sv")
    assert "(0.05 % of the answers)" in instrument_draft_yaml(path, lang="en")


# --------------------------------------------------------------------------- 5. Swedish reasons and YAML errors
def _screen(lang):
    from behaviortypes.instrument import Instrument
    from behaviortypes.quality import screen_responses

    frame, _ = swedish.responses(120)
    doc = {**swedish.instrument(), "language": lang}
    frame.loc[:4, swedish.ITEMS] = 4  # straightliners
    frame.loc[5, swedish.ITEMS[:10]] = float("nan")  # too many unanswered
    frame.loc[6, "tid_sek"] = 20  # a speeder
    return screen_responses(frame.set_index("respondent", drop=False), Instrument.model_validate(doc)).table


def test_screening_reasons_follow_the_study_language_and_screens_keep_the_codes():
    en, sv = _screen("en"), _screen("sv")
    assert list(en.columns[:3]) == ["kept", "reasons", "screens"]
    assert (en["screens"] == sv["screens"]).all()  # the codes are the same in every language
    assert en.loc["R0001", "screens"] == "straightlining" and en.loc["R0006", "screens"] == "missing"
    assert en.loc["R0007", "screens"] == "speeding"
    assert en.loc["R0006", "reasons"] == "missing: 56% of items unanswered (> 20%)"
    assert sv.loc["R0006", "reasons"] == "obesvarat: 56\u00a0% av påståendena obesvarade (> 20\u00a0%)"
    assert en.loc["R0007", "reasons"].startswith("speeding: 20 s, 0.0")
    assert sv.loc["R0007", "reasons"].startswith("för snabba svar: 20 s, 0,0")
    assert en.loc["R0001", "reasons"].startswith("straightlining: the same answer for 100% of items in a row")


def test_a_yaml_syntax_error_in_a_swedish_study_is_said_in_swedish(tmp_path):
    folder = swedish.write_csv_study(tmp_path / "kundstudie")
    path = folder / "instrument.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: Kundstudie\n", "name: Kundstudie\n  fel: [1\n"),
                    encoding="utf-8")
    assert error_line(bt("check", folder)) == (
        "fel: instrument.yaml, rad 2: felaktig YAML: ett kolon (nyckel: värde) står där ett värde inte får börja "
        "(radnumren räknas från 1). Tips: kontrollera indraget och att det står ett mellanslag efter kolonet i "
        "varje 'nyckel: värde'")
    assert error_line(bt("check", folder, "--lang", "en")) == (  # the English line as before
        "error: instrument.yaml, row 2: malformed YAML: mapping values are not allowed here (line numbers count "
        "from 1). Hint: check indentation and that every 'key: value' has a space after the colon")
    study = tmp_path / "studie.yaml"
    study.write_text("survey: kundstudie\nlang: sv\nseed: [1\n", encoding="utf-8")
    assert error_line(bt("run", study)).startswith(
        f"fel: {study}, rad 4: felaktig YAML: en lista [ … ] stängs inte (väntade ',' eller ']')")


def test_a_windows_1252_instrument_of_a_swedish_study_warns_in_swedish(tmp_path):
    folder = swedish.write_csv_study(tmp_path / "kundstudie")
    path = folder / "instrument.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    res = bt("check", folder)
    assert res.returncode == 0, res.stderr
    warned = [line for line in res.stderr.splitlines() + res.stdout.splitlines() if "Windows-1252" in line]
    assert len(warned) == 1 and warned[0].lower().startswith("varning: instrument.yaml, rad "), warned
    assert "är inte UTF-8, så filen lästes som Windows-1252-text" in warned[0], warned
