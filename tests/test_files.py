import pandas as pd
import pytest

from behaviortypes.errors import InputError, Problem
from behaviortypes.files import atomic_path, read_json, sha256_file, staged_dir, write_csv, write_json


def test_atomic_path_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("boom")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_staged_dir_moves_only_on_success(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(ValueError):
        with staged_dir(out) as stage:
            write_csv(stage / "a.csv", pd.DataFrame({"x": [1]}))
            raise ValueError("fail")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []
    with staged_dir(out) as stage:
        write_json(stage / "b.json", {"k": 1})
    assert read_json(out / "b.json") == {"k": 1}


def test_json_converts_numpy(tmp_path):
    import numpy as np

    write_json(tmp_path / "x.json", {"a": np.int64(3), "b": np.float32(0.5), "c": np.nan, "d": np.arange(2)})
    assert read_json(tmp_path / "x.json") == {"a": 3, "b": 0.5, "c": None, "d": [0, 1]}


def test_sha256(tmp_path):
    p = tmp_path / "f"
    p.write_bytes(b"abc")
    assert sha256_file(p) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_error_message_is_one_line_with_location():
    err = InputError("7 is outside the scale 1–5", file="/x/responses.csv", column="s03",
                     rows=[214, 300, 301, 302, 303, 304, 305], value=7, hint="fix or declare a missing code")
    text = str(err)
    assert "\n" not in text
    assert text.startswith("responses.csv, column 's03', rows 214, 300, 301, 302, 303 and 2 more: 7 is outside")
    assert text.endswith("Hint: fix or declare a missing code")
    many = InputError(problems=[Problem("a", column="x"), Problem("b", column="y")])
    assert str(many) == "2 problems: (1) column 'x': a; (2) column 'y': b"


def test_written_files_get_normal_permissions(tmp_path):
    import os
    import stat

    path = write_csv(tmp_path / "x.csv", pd.DataFrame({"a": [1]}))
    mode = stat.S_IMODE(os.stat(path).st_mode)
    mask = os.umask(0)
    os.umask(mask)
    assert mode == 0o666 & ~mask


def test_staged_dir_removes_stale_files_it_did_not_write(tmp_path):
    out = tmp_path / "out"
    with staged_dir(out, stale=("old_model.bin", "map.csv")) as stage:  # our folder
        for name in ("old_model.bin", "map.csv"):
            (stage / name).write_text("old")
    (out / "kept.csv").write_text("old")
    with staged_dir(out, stale=("old_model.bin", "map.csv")) as stage:
        (stage / "map.csv").write_text("new")
    assert not (out / "old_model.bin").exists()
    assert (out / "map.csv").read_text() == "new"
    assert (out / "kept.csv").read_text() == "old"


def test_atomic_path_long_names_and_too_long_names(tmp_path):
    name = "é" * 120 + ".csv"  # 244 bytes: fits, though the temporary name would not
    write_csv(tmp_path / name, pd.DataFrame({"a": [1]}))
    assert [p.name for p in tmp_path.iterdir()] == [name]
    with pytest.raises(InputError, match=r"output name is too long \(304 bytes"):
        write_csv(tmp_path / ("x" * 300 + ".csv"), pd.DataFrame({"a": [1]}))
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_error_values_are_cut_short():
    text = str(Problem("bad value", value="z" * 10_000))
    assert len(text) < 120 and text.endswith("…)")


def test_write_csv_for_spreadsheets(tmp_path):
    frame = pd.DataFrame({"id": ["=1+1", "-7", "ok"], "n": [-1.5, 2.0, 3.0]})
    write_csv(tmp_path / "machine.csv", frame)
    write_csv(tmp_path / "people.csv", frame, spreadsheet=True)
    assert pd.read_csv(tmp_path / "machine.csv", dtype={"id": str})["id"].tolist() == ["=1+1", "-7", "ok"]
    people = pd.read_csv(tmp_path / "people.csv", dtype={"id": str})
    assert people["id"].tolist() == ["'=1+1", "-7", "ok"] and people["n"].tolist() == [-1.5, 2.0, 3.0]


def test_the_same_problem_in_many_columns_is_said_once():
    """The election trial: text answers in all 12 statements made a 2,345-character line."""
    same = [Problem("non-numeric answer, the scale is 1–4", file="/x/responses.csv", column=c,
                    rows=[2, 3, 4, 5, 6, 7], value=f"{i} Quite well", hint="recode", respondent="1")
            for i, c in enumerate(["A", "B", "C", "D", "E"], 1)]
    other = Problem("value 7 is outside the scale 1–4", file="/x/responses.csv", column="F", rows=[9], value=7)
    text = str(InputError(problems=[same[0], other, *same[1:]]))
    assert text == ("6 problems: (1) responses.csv, 5 columns ('A', 'B', 'C' and 2 more): non-numeric answer, "
                    "the scale is 1–4; first in column 'A', rows 2, 3, 4 and 3 more (first respondent 1) "
                    "(value '1 Quite well'). Hint: recode; (2) responses.csv, column 'F', row 9: value 7 is "
                    "outside the scale 1–4")
    assert len(InputError(problems=same).problems) == 5  # every problem is still there to read


def test_csv_header_names_reads_excel_and_plain_headers(tmp_path):
    """One reading of a CSV's header line for the checks of which outputs are ours (the
    scored base's ``customer_id, type_id ...``, the typed-respondents file): a UTF-8 BOM,
    ``;`` (Swedish Excel) or ``,``, quoted names, only the first line."""
    from behaviortypes.files import csv_header_names

    path = tmp_path / "a.csv"
    path.write_bytes(b'\xef\xbb\xbf"customer_id";type_id; "type_name" ;probability\r\n1;2;3;4\r\n')
    assert csv_header_names(path) == ["customer_id", "type_id", "type_name", "probability"]
    path.write_text('respondent_id,"type_id",p_T1\n"x,y",1,0.5\n', encoding="utf-8")
    assert csv_header_names(path) == ["respondent_id", "type_id", "p_T1"]
    path.write_bytes(b"kund\xe5,type_id\n")  # not UTF-8: read, never refused
    assert csv_header_names(path) == ["kund\ufffd", "type_id"]
    path.write_bytes(b"")
    assert csv_header_names(path) == [""]


def test_atomic_write_that_is_refused_names_the_target_not_the_temporary_file(tmp_path, monkeypatch):
    """A permission error on the temporary file of an atomic write (a read-only file on
    Windows, a locked workbook) names the file the user asked for, with a hint, not
    ``.name.xlsx.1pfoa6jy.xlsx`` (user trial s10)."""
    import os

    from behaviortypes.errors import InputError
    from behaviortypes.files import write_text

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", str(src))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError) as err:
        write_text(tmp_path / "banner.xlsx", "x")
    text = str(err.value)
    assert "banner.xlsx" in text and "Hint:" in text and ".banner.xlsx." not in text, text
    assert list(tmp_path.iterdir()) == []  # the temporary file is gone


def test_check_output_file_refuses_a_folder_it_may_not_write_in(tmp_path, monkeypatch):
    """The early check of an output file (``profile --xlsx``) refuses a folder that takes no
    new file (read-only; simulated, as chmod does not stop root) naming the file, and
    leaves nothing behind when the folder is writable."""
    import tempfile

    from behaviortypes.files import check_output_file

    assert check_output_file(tmp_path / "new" / "b.xlsx") == tmp_path / "new" / "b.xlsx"
    assert list(tmp_path.iterdir()) == []  # the probe is removed, no folder made

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".b.xlsx.probe1234"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(InputError) as err:
        check_output_file(tmp_path / "b.xlsx")
    text = str(err.value)
    assert "b.xlsx" in text and "permission denied" in text and "probe" not in text and "Hint:" in text
