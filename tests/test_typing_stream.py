"""`typing-tool --score` streams: a CSV is read, checked, typed and written a chunk of rows
at a time, with the output and the refusals of reading the file whole.

Session 15: `score_answers_file` read the whole answers file and built the typed frame of
everyone (435 MiB at 140,000 rows, growing with the rows). Now peak memory stays flat;
these tests force small chunks (``chunk_rows``) so that every check meets rows across
chunks.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from behaviortypes.deliver import TypedFile, load_typing_spec, score_answers_file
from behaviortypes.errors import InputError
from test_typing_deliverables import _make_study

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """A Swedish study, scale 1-7 with labels and the missing code 9 (three types)."""
    root = tmp_path_factory.mktemp("stream")
    return _make_study(root / "sv", k=3, lo=1, hi=7, n_items=10, n=400, seed=3, language="sv",
                       names=["=Planeraren", "Jämföraren", "Spontanköparen"], taglines=["a", "b", "c"],
                       texts=["Jag jämför priser.", "Jag köper direkt.", "Jag gör listor."],
                       labels={1: "Instämmer inte alls", 7: "Instämmer helt"}, missing_codes=[9])


def _answers(study: Path, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` respondents: missing answers, rows with too few answers, label texts, the
    missing code, decimal-comma whole numbers, ids with spaces around them."""
    spec = load_typing_spec(study)
    rng = np.random.default_rng(seed)
    data = rng.integers(1, 8, size=(n, len(spec.items))).astype(object)
    data[rng.random(data.shape) < 0.15] = ""
    data[rng.random(n) < 0.1, : len(spec.items) - 2] = ""  # too few answers: not typed
    data[rng.random(data.shape) < 0.02] = 9  # the missing code
    data[rng.random(data.shape) < 0.02] = "Instämmer helt"
    data[rng.random(data.shape) < 0.02] = "3,0"
    frame = pd.DataFrame(data, columns=spec.items)
    frame.insert(0, "resp", [f" S{i:05d} " if i % 7 == 0 else f"S{i:05d}" for i in range(n)])
    frame.insert(1, "kommentar", "fri text")
    return frame


def _write(frame: pd.DataFrame, path: Path, **kw) -> Path:
    frame.to_csv(path, index=False, **kw)
    return path


@pytest.mark.parametrize("dialect", ["excel", "excel-sv", "plain"])
def test_chunks_write_the_bytes_of_one_chunk(study, tmp_path, dialect):
    """Typed a few rows at a time, the file is byte for byte the one typed in one go, and
    the same as from the same answers in Excel (read whole, one chunk)."""
    answers = _answers(study, 95)
    src = _write(answers, tmp_path / "svar.csv", sep=";")  # a Swedish Excel "CSV"
    whole = score_answers_file(study, src, tmp_path / "whole.csv", csv_dialect=dialect, keep_frame=True)
    small = score_answers_file(study, src, tmp_path / "small.csv", csv_dialect=dialect, chunk_rows=7)
    assert isinstance(small, TypedFile) and small.frame is None
    assert (tmp_path / "small.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    answers.to_excel(tmp_path / "svar.xlsx", index=False)
    score_answers_file(study, tmp_path / "svar.xlsx", tmp_path / "xlsx.csv", csv_dialect=dialect, chunk_rows=7)
    assert (tmp_path / "xlsx.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    # the summary's figures are the file's
    frame = whole.frame
    assert small.n_rows == len(frame) == 95 and small.id_column == "resp"
    assert small.n_typed == int(frame["type_id"].notna().sum()) and 0 < small.n_not_typed < 95
    assert small.type_counts == {k: int((frame["type_id"] == k).sum()) for k in (1, 2, 3)}
    assert small.to_dict()["n_not_typed"] == small.n_not_typed and "not typed" in small.summary("en")
    # a Swedish study's summary is Swedish, as its progress lines (the figures are theirs)
    assert small.lang == "sv" and " inte typade " in small.summary() and small.shown["seconds"] in small.summary()


def test_ids_read_as_the_whole_column_reads_them(study, tmp_path):
    """An id column that is all numbers is read as numbers (007 is 7), but one text id in a
    later chunk makes the whole column text: the first chunk's 007 stays 007."""
    answers = _answers(study, 40)
    answers["resp"] = [f"{i:03d}" for i in range(1, 41)]
    numeric = score_answers_file(study, _write(answers, tmp_path / "n.csv"), tmp_path / "n_typed.csv",
                                 csv_dialect="plain", chunk_rows=7, keep_frame=True)
    assert numeric.frame["resp"].tolist()[:2] == ["1", "2"]
    answers.loc[35, "resp"] = "X36"
    text = score_answers_file(study, _write(answers, tmp_path / "t.csv"), tmp_path / "t_typed.csv",
                              csv_dialect="plain", chunk_rows=7, keep_frame=True)
    assert text.frame["resp"].tolist()[:2] == ["001", "002"] and text.frame["resp"][35] == "X36"
    # 7 and 007 are one id when the column is numbers (read whole, it is refused the same way)
    answers.loc[35, "resp"] = "7"
    with pytest.raises(InputError, match=r"n2\.csv, column 'resp', rows 8, 37: respondent ids must be unique") as caught:
        score_answers_file(study, _write(answers, tmp_path / "n2.csv"), tmp_path / "x.csv", chunk_rows=7)
    assert caught.value.value == "7"


def _spoil(frame: pd.DataFrame, cells: dict[tuple[int, str], object]) -> pd.DataFrame:
    frame = frame.copy()
    for (row, col), value in cells.items():
        frame.loc[row, col] = value
    return frame


CASES = {
    # a bad answer in the sixth chunk: its row in the whole file (the header is row 1)
    "late": ({(40, 0): "ofta"}, r"column '{q0}', row 42 \(respondent S00040\): .*\(value 'ofta'\)"),
    # the first statement's problem wins over a later statement's, whichever chunk holds it
    "order": ({(3, 1): "ofta", (50, 0): 12},
              r"column '{q0}', row 52 \(respondent S00050\): .*1–7 \(value 12\)"),
    # not a number before off the scale, in one statement, across chunks: all its rows
    "kind": ({(2, 0): 12, (30, 0): "x", (60, 0): "y"},
             r"column '{q0}', rows 32, 62 \(first respondent S00030\): .*\(value 'x'\)"),
    # off the scale as written by the user (decimal comma)
    "written": ({(70, 2): "8,0"}, r"column '{q2}', row 72 \(respondent S00070\): .*\(value '8,0'\)"),
    "blank id": ({(55, "resp"): ""}, r"column 'resp', row 57: "),
    "repeated id": ({(60, "resp"): "S00003"}, r"column 'resp', rows 5, 62: respondent ids must be unique"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_refusal_in_any_chunk_names_the_files_row_and_writes_nothing(study, tmp_path, case):
    spec = load_typing_spec(study)
    cells, pattern = CASES[case]
    cells = {(r, spec.items[c] if isinstance(c, int) else c): v for (r, c), v in cells.items()}
    src = _write(_spoil(_answers(study, 80), cells), tmp_path / "svar.csv")
    out = tmp_path / "typade.csv"
    score_answers_file(study, _write(_answers(study, 5), tmp_path / "ok.csv"), out)  # a typed file of ours
    before = out.read_bytes()
    pattern = r"svar\.csv, " + pattern.format(q0=spec.items[0], q2=spec.items[2])
    with pytest.raises(InputError, match=pattern) as caught:
        score_answers_file(study, src, out, chunk_rows=7)
    assert "\n" not in str(caught.value)
    assert out.read_bytes() == before  # left as it was, and no temporary file beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.csv", "svar.csv", "typade.csv"]
    # read whole (Excel), the refusal is the same
    _spoil(_answers(study, 80), cells).to_excel(tmp_path / "svar.xlsx", index=False)
    with pytest.raises(InputError, match=pattern.replace(r"svar\.csv", r"svar\.xlsx").split(": ")[0]):
        score_answers_file(study, tmp_path / "svar.xlsx", out, chunk_rows=7)


def test_a_qualtrics_export_numbers_rows_below_its_three_header_rows(study, tmp_path):
    spec = load_typing_spec(study)
    answers = _spoil(_answers(study, 30), {(20, spec.items[0]): "ofta"})
    meta = pd.DataFrame([{c: f"Fråga {c}" for c in answers.columns},
                         {c: json.dumps({"ImportId": c}) for c in answers.columns}])
    src = _write(pd.concat([meta, answers.astype(object)], ignore_index=True), tmp_path / "qualtrics.csv")
    with pytest.raises(InputError, match=rf"column '{spec.items[0]}', row 24 \(respondent S00020\)"):
        score_answers_file(study, src, tmp_path / "typed.csv", chunk_rows=7)
    src = _write(pd.concat([meta, _answers(study, 30).astype(object)], ignore_index=True), tmp_path / "q2.csv")
    done = score_answers_file(study, src, tmp_path / "typed.csv", chunk_rows=7, keep_frame=True)
    assert done.n_rows == 30 and done.frame["resp"].iloc[1] == "S00001"


# the child's own high-water mark (ru_maxrss would count the parent's memory at fork)
_PEAK = """
import re, sys
from pathlib import Path
from behaviortypes.deliver import score_answers_file
score_answers_file(sys.argv[1], sys.argv[2], sys.argv[3], chunk_rows=2000)
print(int(re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text()).group(1)) / 1024)
"""


def test_memory_does_not_grow_with_the_rows(study, tmp_path):
    """Six times the rows, about the same peak: 10,000 and 60,000 respondents, 2,000 at a
    time (the whole-file code took ~1.2 MiB more per 1,000 rows: ~60 MiB here)."""
    base = _answers(study, 10_000, seed=1)
    peaks = []
    for n in (10_000, 60_000):
        frame = pd.concat([base] * (n // len(base)), ignore_index=True)
        frame["resp"] = [f"S{i:06d}" for i in range(n)]
        src = _write(frame, tmp_path / f"a{n}.csv")
        del frame
        run = subprocess.run([sys.executable, "-c", _PEAK, str(study), str(src), str(tmp_path / f"t{n}.csv")],
                             capture_output=True, text=True, timeout=600, check=False,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert run.returncode == 0, run.stderr
        peaks.append(float(run.stdout.strip().splitlines()[-1]))
    assert peaks[1] - peaks[0] < 15, peaks
    lines = (tmp_path / "t60000.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 60_001 and re.match(r"resp;type_id;type_name;probability;p_1;p_2;p_3;not_typed", lines[0])


def test_summary_groups_the_count_and_says_one_respondent():
    """Session 15 review: "Skrev out.csv: 25000 svarande typade" beside the progress line's
    "Typade 25 000 rader", and "1 respondents typed"."""
    from behaviortypes.deliver import TypedFile

    def summary(n, lang):
        shown = {"rows": str(n), "seconds": "1.0", "rate": str(n)}
        typed = TypedFile(out=Path("out.csv"), answers=Path("a.csv"), id_column="resp", n_rows=n, n_typed=n,
                          min_answered=3, n_items=6, type_counts={1: n}, type_names={1: "A"}, seconds=1.0,
                          rows_per_s=float(n), shown=shown, lang=lang)
        return typed.summary().splitlines()[0]

    assert summary(25000, "sv") == "Skrev out.csv: 25\u00a0000 svarande typade"
    assert summary(25000, "en") == "Wrote out.csv: 25,000 respondents typed"
    assert summary(1, "en") == "Wrote out.csv: 1 respondent typed"
    assert summary(1, "sv") == "Skrev out.csv: 1 svarande typad"


def test_columns_headed_with_the_statements_texts_are_named_by_their_ids(study, tmp_path):
    """An export that heads each column with the statement's text, not its id (trial 23): the
    refusal names the first such column, the statement it is, and says to name it by its id
    (was: "the answers lack the statements …", with no word that the texts were there)."""
    spec = load_typing_spec(study)
    frame = _answers(study, 20)
    texts = {i: t for i, t in spec.tool.texts_.items() if t}
    assert texts  # the study's statements have texts
    frame = frame.rename(columns={i: f" {t} " for i, t in texts.items()})  # spaces around, as exports write
    first = next(i for i in spec.items if i in texts)
    with pytest.raises(InputError) as caught:
        score_answers_file(study, _write(frame, tmp_path / "svar.csv"), tmp_path / "typade.csv")
    said = str(caught.value)
    assert said.startswith(f"svar.csv, column '{texts[first]}': it is the text of statement {first}, not its id"), said
    assert f"Hint: name the column {first}, and every statement's column by its id" in said, said
    assert "\n" not in said and not (tmp_path / "typade.csv").exists()
    frame.to_excel(tmp_path / "svar.xlsx", index=False)  # read whole: the same refusal
    with pytest.raises(InputError, match=f"column '{re.escape(texts[first])}': it is the text of statement {first}"):
        score_answers_file(study, tmp_path / "svar.xlsx", tmp_path / "typade.csv")
