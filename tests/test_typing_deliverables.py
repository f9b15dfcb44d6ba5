"""Tests of behaviortypes.deliver: the typing tool's web form, workbook and --score.

The web form runs in a real headless Chromium (Debian's ``chromium`` driven by
Playwright) and the workbook is recalculated by a real LibreOffice (``soffice
--headless``); both must type every row of a test set (missing answers included)
exactly as ``behaviortypes typing-tool OUT --score`` does. Locally the two are
skipped when the programs are missing; under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from numpy.testing import assert_allclose

from behaviortypes.cli import main
from behaviortypes.deliver import (
    DEFAULT_ROWS,
    load_typing_spec,
    read_answers,
    render_typing_html,
    score_answers_file,
    statements_needed_for,
    write_typing_html,
    write_typing_xlsx,
)
from behaviortypes.errors import BehaviortypesWarning, InputError
from behaviortypes.files import restore_formula
from behaviortypes.instrument import load_instrument
from behaviortypes.lookalike import build_typing_tool, load_typing_tool
from behaviortypes.readers import keyed_items, read_responses

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

HOSTILE = [
    '</script><script>window.pwned = 1</script> I plan before I buy',
    '=HYPERLINK("http://evil.example","x") <img src=x onerror="window.pwned = 2"> Prices & "quality"',
    "@SUM(1) I shop on my phone",
    "Jag handlar gärna på rea </script><script>window.pwned = 4</script> – även när jag inte behöver något",
]


def _need(program: str) -> str:
    found = shutil.which(program) or (program if Path(program).is_file() else None)
    if found:
        return found
    message = f"{program} is not installed (apt-get install chromium libreoffice-calc-nogui)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


# --------------------------------------------------------------------------- a planted study
def _make_study(root: Path, *, k: int, lo: int, hi: int, n_items: int, n: int, seed: int,
                names: list[str], taglines: list[str], texts: list[str], language: str,
                labels: dict | None = None, missing_codes: list | None = None,
                max_items: int = 12, noise: float = 0.2) -> Path:
    """A survey folder and a discovery folder holding a typing tool built on planted types."""
    rng = np.random.default_rng(seed)
    survey, disc = root / "survey", root / "discovery"
    survey.mkdir(parents=True)
    disc.mkdir()
    truth = rng.choice(np.arange(1, k + 1), size=n)
    centroids = rng.uniform(lo + 0.8, hi - 0.8, size=(k, n_items))
    centroids[:, n_items // 2:] = (lo + hi) / 2  # half the statements carry no signal
    keyed = np.clip(np.rint(centroids[truth - 1] + rng.normal(0, (hi - lo) / 5, size=(n, n_items)) * noise * 5), lo, hi)
    item_ids = [f"q{j + 1:02d}" for j in range(n_items)]
    reverse = [j % 3 == 1 for j in range(n_items)]
    raw = keyed.copy()
    raw[:, reverse] = lo + hi - raw[:, reverse]
    frame = pd.DataFrame(raw, columns=item_ids).astype("Int64").astype(object)
    frame = frame.mask(rng.random(frame.shape) < 0.02, "")
    frame.insert(0, "resp", [f"P{i:04d}" for i in range(n)])
    frame.to_csv(survey / "responses.csv", index=False)
    scale = {"min": lo, "max": hi}
    if labels:
        scale["labels"] = labels
    if missing_codes:
        scale["missing_codes"] = missing_codes
    inst_doc = {
        "name": "Planted study", "language": language, "id_column": "resp", "scale": scale,
        # (texts cycle; a repeat is numbered: two statements with one text are warned about)
        "items": [{"id": i, "text": texts[j % len(texts)] + (f" ({j + 1})" if j >= len(texts) else ""),
                   "reverse": r}
                  for j, (i, r) in enumerate(zip(item_ids, reverse))],
    }
    (survey / "instrument.yaml").write_text(yaml.safe_dump(inst_doc, allow_unicode=True), encoding="utf-8")
    instrument = load_instrument(survey / "instrument.yaml")
    responses = read_responses(survey / "responses.csv", instrument)
    labels_s = pd.Series(truth, index=responses.index, name="type_id")
    tool = build_typing_tool(keyed_items(responses, instrument), labels_s, instrument=instrument,
                             type_names=dict(enumerate(names, 1)), random_state=seed, max_items=max_items)
    tool.to_yaml(disc / "typing_tool.yaml")
    (disc / "types.yaml").write_text(yaml.safe_dump(
        {"types": [{"type_id": t, "name": names[t - 1], "tagline": taglines[t - 1]} for t in range(1, k + 1)]},
        allow_unicode=True), encoding="utf-8")
    (disc / "source.json").write_text(json.dumps(
        {"survey_dir": str(survey), "instrument": instrument.to_dict(), "seed": seed}), encoding="utf-8")
    pd.DataFrame({"respondent_id": responses.index, "type_id": truth,
                  "type_name": [names[t - 1] for t in truth], "probability": 1.0}).to_csv(
        disc / "assignments.csv", index=False)
    return disc


@pytest.fixture(scope="module")
def studies(tmp_path_factory):
    """Two studies: Swedish, k=3, scale 1–7, hostile text; English, k=2, scale 1–5 with labels."""
    root = tmp_path_factory.mktemp("typing")
    sv = _make_study(
        root / "sv", k=3, lo=1, hi=7, n_items=10, n=600, seed=5, language="sv",
        names=["=1+1", "<b>Planeraren</b></script>", "@Spontan -köparen"],
        taglines=["-2+3 och <i>mer</i>", "Jämför & väljer <script>window.pwned=3</script>", "Köper på känsla"],
        texts=HOSTILE,
    )
    en = _make_study(
        root / "en", k=2, lo=1, hi=5, n_items=8, n=400, seed=9, language="en",
        names=["The planner", "The impulse buyer"], taglines=["Thinks first.", "Buys on a whim."],
        texts=["I compare prices.", "I buy what I like at once.", "I make lists."],
        labels={1: "Strongly disagree", 2: "Disagree", 3: "Neutral", 4: "Agree", 5: "Strongly agree"},
        missing_codes=[9],
    )
    return {"sv": sv, "en": en}


def _test_set(disc: Path, seed: int) -> pd.DataFrame:
    """Answers to the golden statements: survey rows, random missing cells, an all-blank row."""
    spec = load_typing_spec(disc)
    rng = np.random.default_rng(seed)
    lo, hi = int(spec.scale_min), int(spec.scale_max)
    data = rng.integers(lo, hi + 1, size=(30, len(spec.items))).astype(float)
    data[rng.random(data.shape) < 0.2] = np.nan
    data[3, :] = np.nan              # nothing answered: every answer is the mean
    # a half answer (3.5) is refused by --score (whole scale points only; see
    # test_bad_inputs_trial3.py), so the answers here are whole points
    frame = pd.DataFrame(data, columns=spec.items)
    frame.insert(0, "respondent_id", [f"T{i:03d}" for i in range(len(frame))])
    return frame


def _fill_answers(ws, answers: pd.DataFrame) -> None:
    """Type ``answers`` into a workbook's answers sheet from row 2, as a user would: a missing
    answer is left as an empty cell."""
    for r, rec in enumerate(answers.itertuples(index=False), start=2):
        for c, v in enumerate(rec, start=1):
            if not (isinstance(v, float) and np.isnan(v)):
                ws.cell(r, c, v)


def _score_cli(disc: Path, answers: pd.DataFrame, tmp: Path, *extra: str) -> pd.DataFrame:
    src, out = tmp / "answers.csv", tmp / "typed_cli.csv"
    answers.to_csv(src, index=False)
    assert main(["typing-tool", str(disc), "--score", str(src), "--out", str(out),
                 "--csv-dialect", "plain", *extra]) == 0
    id_col = answers.columns[0]
    typed = pd.read_csv(out, dtype={id_col: str, "type_name": str, "not_typed": str},
                        keep_default_na=False, na_values=[""])
    typed["type_name"] = typed["type_name"].fillna("")
    typed["not_typed"] = typed["not_typed"].fillna("")
    # the file is for spreadsheets (formula-looking text neutralised); compare the text as given
    for col in (id_col, "type_name"):
        typed[col] = typed[col].map(restore_formula)
    return typed


# --------------------------------------------------------------------------- --score
def test_score_file_is_the_tool_scoring(studies, tmp_path):
    disc = studies["en"]
    answers = _test_set(disc, 1)
    # scale labels and the missing code 9 are read as the instrument says
    answers = answers.astype(object)
    answers.iloc[0, 1] = "Agree"
    answers.iloc[1, 2] = 9
    typed = _score_cli(disc, answers, tmp_path)
    tool = load_typing_tool(disc / "typing_tool.yaml")
    p_cols = [f"p_{t}" for t in tool.type_ids_]
    assert list(typed.columns) == ["respondent_id", "type_id", "type_name", "probability", *p_cols, "not_typed"]
    expected_in = answers.set_index("respondent_id").copy()
    expected_in.iloc[0, 0], expected_in.iloc[1, 1] = 4, np.nan
    expected_in = expected_in.astype(float)
    expected = tool.score(expected_in)
    # fewer than half the statements answered: not typed, and the file says why
    n_items = len(tool.items_)
    answered = expected_in.notna().sum(axis=1).to_numpy()
    few = answered < -(-n_items // 2)
    assert few[3] and few.sum() >= 2 and (~few).sum() >= 20  # the all-blank row, and others
    assert typed["respondent_id"].tolist() == answers["respondent_id"].tolist()
    assert typed["type_id"].isna().tolist() == few.tolist()
    assert (typed.loc[few, "type_name"] == "").all() and typed.loc[few, ["probability", *p_cols]].isna().all().all()
    assert typed.loc[few, "not_typed"].tolist() == [
        f"{a} of {n_items} statements answered; a type needs at least {-(-n_items // 2)}" for a in answered[few]]
    assert (typed.loc[~few, "not_typed"] == "").all()
    ok = typed[~few]
    assert ok["type_id"].astype(int).tolist() == expected["type_id"][~few].tolist()
    assert_allclose(ok[p_cols].to_numpy(), expected[p_cols][~few].to_numpy(), rtol=0, atol=1e-15)
    assert_allclose(ok["probability"], ok[p_cols].max(axis=1), rtol=0, atol=0)
    names = {1: "The planner", 2: "The impulse buyer"}
    assert ok["type_name"].tolist() == [names[t] for t in ok["type_id"]]
    # an English study's default dialect is excel: a byte-order mark, ',' and decimal points
    score_answers_file(disc, tmp_path / "answers.csv", tmp_path / "typed_excel.csv")
    data = (tmp_path / "typed_excel.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrespondent_id,type_id,type_name,probability,p_1,p_2,not_typed\n")
    # --min-answered 1 types every row with an answer; the all-blank row never
    every = _score_cli(disc, answers, tmp_path, "--min-answered", "1")
    assert every["type_id"].isna().tolist() == (answered == 0).tolist()
    some = (answered > 0)
    assert every["type_id"][some].astype(int).tolist() == expected["type_id"][some].tolist()


def test_score_reads_excel_and_uses_edited_names(studies, tmp_path):
    disc = studies["sv"]
    answers = _test_set(disc, 2)
    answers.to_excel(tmp_path / "answers.xlsx", index=False)
    typed = score_answers_file(disc, tmp_path / "answers.xlsx", tmp_path / "typed.csv", keep_frame=True).frame
    csv = _score_cli(disc, answers, tmp_path)
    assert typed["type_id"].fillna(-1).tolist() == csv["type_id"].fillna(-1).tolist()
    assert set(typed["type_name"]) <= {"=1+1", "<b>Planeraren</b></script>", "@Spontan -köparen", ""}
    # the file on disk is for Excel in Swedish (the study's language): BOM, ';' and decimal comma
    data = (tmp_path / "typed.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbfrespondent_id;type_id;type_name;probability;p_1;")
    raw = pd.read_csv(tmp_path / "typed.csv", dtype=str, keep_default_na=False, sep=";", encoding="utf-8-sig")
    ok = typed["type_id"].notna()
    assert_allclose(raw["p_1"][ok].str.replace(",", ".").astype(float), typed["p_1"][ok], atol=5e-7, rtol=0)
    assert raw["p_1"][ok].str.contains(",").all() and (raw["type_id"][ok] == typed["type_id"][ok].astype(str)).all()
    # names that would run as formulas are neutralised
    risky = [n for n in typed["type_name"] if n[:1] in ("=", "@")]
    assert risky and sorted(n for n in raw["type_name"] if n.startswith("'")) == sorted("'" + n for n in risky)
    assert raw["type_name"].map(restore_formula).tolist() == typed["type_name"].tolist()
    pyreadstat = pytest.importorskip("pyreadstat")
    pyreadstat.write_sav(answers, str(tmp_path / "answers.sav"))
    sav = score_answers_file(disc, tmp_path / "answers.sav", tmp_path / "typed_sav.csv", keep_frame=True).frame
    pd.testing.assert_frame_equal(sav, typed)


@pytest.mark.parametrize(
    ("cell", "value", "match"),
    [
        # rows as a spreadsheet shows them (the header is row 1), and the respondent's id
        ((2, 1), "often", r"answers\.csv, column 'q\d\d', row 4 \(respondent T002\): answers must be numbers "
                          r"on the scale \(value 'often'\)"),
        ((0, 2), 8, r"answers\.csv, column 'q\d\d', row 2 \(respondent T000\): answer outside the scale 1–7 "
                    r"\(value 8\)"),
        ((4, 0), "", r"answers\.csv, column 'respondent_id', row 6: a respondent has no id"),
        ((5, 0), "T000", r"answers\.csv, column 'respondent_id', rows 2, 7: respondent ids must be unique"),
    ],
)
def test_score_bad_answers_name_file_column_row_value(studies, tmp_path, capsys, cell, value, match):
    disc = studies["sv"]
    answers = _test_set(disc, 3).astype(object)
    answers.iloc[cell] = value
    answers.to_csv(tmp_path / "answers.csv", index=False)
    with pytest.raises(InputError, match=match):
        score_answers_file(disc, tmp_path / "answers.csv", tmp_path / "typed.csv")
    rc = main(["typing-tool", str(disc), "--score", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "t.csv")])
    err = capsys.readouterr().err.strip()
    assert rc == 2 and err.startswith("fel: ") and "\n" not in err  # a Swedish study: its line in Swedish
    assert not (tmp_path / "t.csv").exists() and not (tmp_path / "typed.csv").exists()


def test_score_missing_column_and_id(studies, tmp_path):
    disc = studies["sv"]
    answers = _test_set(disc, 4)
    spec = load_typing_spec(disc)
    answers.drop(columns=spec.items[1]).to_csv(tmp_path / "a.csv", index=False)
    with pytest.raises(InputError, match=rf"column '{spec.items[1]}': the answers lack the statement"):
        read_answers(tmp_path / "a.csv", spec)
    answers.rename(columns={"respondent_id": "who"}).to_csv(tmp_path / "b.csv", index=False)
    with pytest.raises(InputError, match=r"b\.csv: the answers have no id column \(respondent_id or resp\)\. "
                                         r"Hint: name the id column respondent_id or resp, or pass its name with "
                                         r"--id-column; columns found: who, "):
        read_answers(tmp_path / "b.csv", spec)
    with pytest.raises(InputError, match=r"b\.csv: the answers have no id column 'nobody'.*found: who, "):
        read_answers(tmp_path / "b.csv", spec, id_column="nobody")
    # any id column named with --id-column; the typed file keeps the user's name for it
    typed = _score_cli(disc, answers.rename(columns={"respondent_id": "who"}), tmp_path, "--id-column", "who")
    assert typed.columns[0] == "who" and typed["who"].tolist() == answers["respondent_id"].tolist()
    # the survey's own id column works too, under its own name
    answers.rename(columns={"respondent_id": "resp"}).to_csv(tmp_path / "c.csv", index=False)
    read = read_answers(tmp_path / "c.csv", spec)
    assert read.index.name == "resp" and read.index.tolist() == answers["respondent_id"].tolist()
    # a study whose id column is respondent_id: the hint does not name it twice
    plain = load_typing_spec(disc)
    object.__setattr__(plain, "id_column", "respondent_id")
    with pytest.raises(InputError, match=r"no id column \(respondent_id\)\. Hint: name the id column respondent_id, or"):
        read_answers(tmp_path / "b.csv", plain)


# --------------------------------------------------------------------------- the web form in Chromium
@pytest.fixture(scope="module")
def browser():
    _need(CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if IN_CI:
            pytest.fail("the playwright package is missing (pip install -e '.[dev]')")
        pytest.skip("the playwright package is missing")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, path: Path, width: int = 1100):
    page = browser.new_page(viewport={"width": width, "height": 900})
    requests, errors = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.goto(path.as_uri())
    page.wait_for_function("window.typingTool !== undefined")
    return page, requests, errors


@pytest.mark.parametrize("study", ["sv", "en"])
def test_web_form_scores_as_python_in_chromium(studies, browser, tmp_path, study):
    disc = studies[study]
    answers = _test_set(disc, 10)
    typed = _score_cli(disc, answers, tmp_path, "--min-answered", "1")  # the arithmetic, row by row
    form = write_typing_html(disc, tmp_path / "form.html")
    page, requests, errors = _open(browser, form)
    spec = load_typing_spec(disc)
    assert page.evaluate("window.typingTool.items") == spec.items
    rows = []
    for r, rec in enumerate(answers.drop(columns="respondent_id").to_dict(orient="records")):
        # missing as null, or left out of the object altogether
        rows.append({k: (None if pd.isna(v) else v) for k, v in rec.items() if not (pd.isna(v) and r % 2)})
    got = page.evaluate("rows => rows.map(r => window.typingTool.score(r))", rows)
    typed_rows = typed["type_id"].notna().to_numpy()
    assert typed_rows.sum() == len(answers) - 1  # all but the row with no answer
    got = [g for g, ok in zip(got, typed_rows) if ok]
    typed = typed[typed_rows].reset_index(drop=True)
    assert [g["type_id"] for g in got] == typed["type_id"].astype(int).tolist()
    assert [g["type_name"] for g in got] == typed["type_name"].tolist()
    p_cols = [c for c in typed.columns if c.startswith("p_")]
    js = np.array([[g["probabilities"][c[2:]] for c in p_cols] for g in got])
    assert_allclose(js, typed[p_cols].to_numpy(), rtol=1e-12, atol=1e-14)
    # a value off the scale is refused, as --score refuses it
    with pytest.raises(Exception, match="outside the scale"):
        page.evaluate("id => window.typingTool.score({[id]: 99})", spec.items[0])
    # the form itself, by keyboard only: tab to each statement, space + arrow keys choose the answer
    row = answers.iloc[0]
    lo = int(spec.scale_min)
    need = -(-len(spec.items) // 2)
    assert row[spec.items].notna().sum() >= need
    for j, item in enumerate(spec.items):
        if pd.isna(row[item]):
            continue
        answered_before = int(row[spec.items[:j]].notna().sum())
        if 0 < answered_before < need:  # too few answers yet: no type shown, the status says why
            assert not page.is_visible("#tt-type")
            assert f"{answered_before}" in page.text_content("#tt-status")
        page.focus(f"input[name='q{j}'][value='{lo}']")
        page.keyboard.press("Space")
        for _ in range(int(row[item]) - lo):
            page.keyboard.press("ArrowRight")
    assert page.text_content("#tt-name") == typed.loc[0, "type_name"]
    prob = page.text_content("#tt-prob").replace("\u00a0", " ")
    assert prob.rstrip("% ").strip() == f"{100 * typed.loc[0, 'probability']:.0f}"
    assert requests == [form.as_uri()] and errors == []
    page.close()


def test_web_form_shows_hostile_text_as_text(studies, browser, tmp_path):
    disc = studies["sv"]
    form = write_typing_html(disc, tmp_path / "form.html", lang="sv")
    page, requests, errors = _open(browser, form, width=390)
    spec = load_typing_spec(disc)
    assert page.evaluate("window.pwned") is None
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone's width
    assert page.evaluate("document.images.length") == 0
    assert page.evaluate("document.scripts.length") == 2  # the data block and the form's script
    legends = page.eval_on_selector_all("legend", "ls => ls.map(l => l.lastChild.textContent)")
    assert legends == [spec.tool.texts_[i] for i in spec.items]
    assert any("</script>" in t for t in legends) and any("<img" in t for t in legends)
    names = page.eval_on_selector_all("#tt-result td:first-child", "ts => ts.map(t => t.textContent)")
    assert names == ["=1+1", "<b>Planeraren</b></script>", "@Spontan -köparen"]
    page.check("input[name='q0'][value='7']")
    assert page.text_content("#tt-tagline") in {"-2+3 och <i>mer</i>",
                                                "Jämför & väljer <script>window.pwned=3</script>",
                                                "Köper på känsla"}
    assert page.evaluate("window.pwned") is None
    assert page.text_content("h1") == "Vilken typ är du?"
    assert page.get_attribute("html", "lang") == "sv"
    assert requests == [form.as_uri()] and errors == []
    page.close()


@pytest.mark.parametrize("width", [1100, 390])
def test_web_form_says_unanswered_statements_count_as_the_average(studies, browser, tmp_path, width):
    """Session 14: with some statements unanswered the result says they count as the survey's
    average (on a phone too: its bottom bar hid the note); answered in full, it does not;
    cleared, no type, probability or note is left on the page."""
    disc = studies["en"]
    spec = load_typing_spec(disc)
    n, need = len(spec.items), -(-len(spec.items) // 2)
    form = write_typing_html(disc, tmp_path / "form.html")
    page, requests, errors = _open(browser, form, width=width)
    note = "An unanswered statement counts as the average answer of the survey, so the result is less certain."
    names = ["The planner", "The impulse buyer"]

    def shown() -> str:
        return page.inner_text("#tt-result")  # what is rendered, not what the DOM holds

    assert page.text_content("#tt-status") == "No statements answered yet."
    assert note not in shown() and not any(name in shown() for name in names)
    for j in range(need - 1):
        page.check(f"input[name='q{j}'][value='2']")
    assert f"{need - 1} of {n} statements answered; a type needs at least {need}" in shown()
    assert note not in shown() and not page.is_visible("#tt-name")
    page.check(f"input[name='q{need - 1}'][value='2']")  # enough for a type, not all
    expected = page.evaluate("a => window.typingTool.score(a)", {i: 2 for i in spec.items[:need]})
    assert page.is_visible("#tt-missing") and note in shown()
    assert page.text_content("#tt-name") == expected["type_name"] and page.is_visible("#tt-name")
    assert page.is_visible("#tt-prob")
    assert page.text_content("#tt-prob") == f"{100 * expected['probability']:.0f}%"
    for j in range(need, n):
        page.check(f"input[name='q{j}'][value='2']")
    assert not page.is_visible("#tt-missing") and note not in shown()
    assert f"{n} of {n} statements answered." in shown() and page.is_visible("#tt-name")
    page.click("#tt-reset")
    assert shown().split()[-4:] == ["No", "statements", "answered", "yet."]  # (after the heading, if shown)
    assert not page.is_visible("#tt-type")
    # nothing of the last type is left to show, print or read (the table lists every type's name)
    assert [page.text_content(s) for s in ("#tt-name", "#tt-tagline", "#tt-prob")] == ["", "", ""]
    assert "%" not in page.text_content("#tt-type")
    assert requests == [form.as_uri()] and errors == []
    page.close()


def test_web_form_is_self_contained(studies):
    text = render_typing_html(studies["en"], lang="en")
    lowered = text.lower()
    for needle in ("http://", "https://", "src=", "@import", "url(", "<link"):
        assert needle not in lowered, needle
    assert "default-src 'none'" in html.unescape(text)
    for label in ("Strongly disagree", "Neutral", "Strongly agree"):
        assert f'<span class="l">{label}</span>' in text
    assert text.count('type="radio"') == 5 * len(load_typing_spec(studies["en"]).items)
    assert text.count("<fieldset") == text.count("<legend") == len(load_typing_spec(studies["en"]).items)


# --------------------------------------------------------------------------- the workbook in LibreOffice
_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _libreoffice(src: Path, fmt: str, outdir: Path) -> Path:
    """Open ``src`` in LibreOffice headless (recalculating every formula) and save as ``fmt``."""
    soffice = _need("soffice")
    profile = outdir / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_XCU, encoding="utf-8")
    done = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(outdir), str(src)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    out = outdir / f"{src.stem}.{fmt}"
    assert out.is_file(), done.stdout + done.stderr
    return out


@pytest.mark.parametrize("study", ["sv", "en"])
def test_workbook_recalculated_by_libreoffice_types_as_python(studies, tmp_path, study):
    from openpyxl import load_workbook

    disc = studies[study]
    spec = load_typing_spec(disc)
    answers = _test_set(disc, 20)
    typed = _score_cli(disc, answers, tmp_path)
    book = write_typing_xlsx(disc, tmp_path / "tool.xlsx")
    with zipfile.ZipFile(book) as z:
        assert not any("vba" in n.lower() for n in z.namelist())

    wb = load_workbook(book)
    # what the reader sees is in the study's language; formulas quote the sheet names; the id
    # column is named as in the survey ("resp"; user trial 5: student_id, not respondent_id)
    sheets, heads = {"en": (["answers", "types", "model", "calc"], ["resp", "type_id", "type_name"]),
                     "sv": (["svar", "typer", "modell", "beräkning"], ["resp", "typ_id", "typnamn"])}[study]
    assert wb.sheetnames[1:] == sheets
    ws = wb[sheets[0]]
    assert [c.value for c in ws[1]] == [heads[0], *spec.items]
    assert wb[sheets[1]].max_row == DEFAULT_ROWS + 1 >= 1001
    # the test set from row 2, an empty row after it, then a row with a bad answer
    _fill_answers(ws, answers)
    bad_row = len(answers) + 3
    ws.cell(bad_row, 1, "BAD")
    ws.cell(bad_row, 2, 99)
    wb.save(tmp_path / "filled.xlsx")

    (tmp_path / "lo").mkdir()
    recalculated = _libreoffice(tmp_path / "filled.xlsx", "xlsx", tmp_path / "lo")
    recalc = load_workbook(recalculated, data_only=True)
    types = recalc[sheets[1]]
    p_cols = [f"p_{t}" for t in spec.type_ids]
    assert [c.value for c in types[1]] == [*heads, *p_cols]
    got = pd.DataFrame([[c.value for c in row] for row in types.iter_rows(min_row=2, max_row=len(answers) + 1)],
                       columns=["respondent_id", "type_id", "type_name", *p_cols], dtype=object)
    assert got["respondent_id"].tolist() == typed["respondent_id"].tolist()
    # rows --score does not type (fewer than half the statements answered) get no type here either
    few = typed["type_id"].isna().to_numpy()
    assert few[3] and (~few).sum() >= 20
    assert got["type_id"][few].isin([None, ""]).all() and got[p_cols][few].isin([None, ""]).all().all()
    too_few = recalc[sheets[2]].cell(len(spec.type_ids) + 6, 1).value
    assert str(len(spec.items)) in too_few and (got["type_name"][few] == too_few).all()
    ok = ~few
    assert got["type_id"][ok].astype(int).tolist() == typed["type_id"][ok].astype(int).tolist()
    assert got["type_name"][ok].tolist() == typed["type_name"][ok].tolist()
    assert_allclose(got[p_cols][ok].astype(float).to_numpy(), typed[p_cols][ok].to_numpy(), rtol=1e-12, atol=1e-14)
    empty = [c.value for c in types[len(answers) + 2]]
    assert all(v in (None, "") for v in empty)
    bad = [c.value for c in types[bad_row]]
    assert bad[0] == "BAD" and bad[1] in (None, "") and "1–" in bad[2]
    assert all(v in (None, "") for v in bad[3:])
    assert all(types.cell(DEFAULT_ROWS + 1, c).value in (None, "") for c in range(1, 4 + len(p_cols)))


def test_workbook_id_header_is_the_surveys_id_column_or_the_default(studies, tmp_path):
    """The survey's own id column names column A of both sheets; a survey whose id column is
    respondent_id keeps the language's default header (svarsid in Swedish)."""
    from dataclasses import replace

    from openpyxl import load_workbook

    spec = load_typing_spec(studies["sv"])
    for id_column, head in (("StudentID", "StudentID"), ("respondent_id", "svarsid")):
        wb = load_workbook(write_typing_xlsx(replace(spec, id_column=id_column), tmp_path / "t.xlsx", "sv"))
        assert wb["svar"]["A1"].value == head and wb["typer"]["A1"].value == head


def test_workbook_reads_missing_codes_and_half_points_as_score_does(studies, tmp_path):
    """Session 14, recalculated by LibreOffice: a survey's missing code (9 here) pasted into
    the workbook counts as unanswered, as --score counts it (the workbook refused the row);
    a half point (3.5) is refused, as --score refuses it (the workbook typed the row)."""
    from openpyxl import load_workbook

    disc = studies["en"]
    spec = load_typing_spec(disc)
    items, need = spec.items, -(-len(spec.items) // 2)
    assert spec.missing_codes == [9.0]
    rows = {
        "code": {**{i: 2 + j % 3 for j, i in enumerate(items[:need])}, items[need]: 9},
        "code_few": {**{i: 4 for i in items[:need - 1]}, items[need - 1]: 9},
        "codes_only": {i: 9 for i in items},
    }
    answers = pd.DataFrame([{"respondent_id": r, **{i: a.get(i, np.nan) for i in items}} for r, a in rows.items()])
    typed = _score_cli(disc, answers, tmp_path)
    assert typed["type_id"].notna().tolist() == [True, False, False]
    book = write_typing_xlsx(disc, tmp_path / "tool.xlsx")
    wb = load_workbook(book)
    ws = wb["answers"]
    _fill_answers(ws, answers)
    half = len(answers) + 2
    ws.cell(half, 1, "half")
    for j, item in enumerate(items):
        ws.cell(half, 2 + j, 3.5 if j == 0 else 2)
    wb.save(tmp_path / "filled.xlsx")
    (tmp_path / "lo").mkdir()
    types = load_workbook(_libreoffice(tmp_path / "filled.xlsx", "xlsx", tmp_path / "lo"), data_only=True)["types"]
    got = [[c.value for c in row] for row in types.iter_rows(min_row=2, max_row=half)]
    p_cols = [f"p_{t}" for t in spec.type_ids]
    assert got[0][1] == int(typed.loc[0, "type_id"]) and got[0][2] == typed.loc[0, "type_name"]
    assert_allclose([float(v) for v in got[0][3:]], typed.loc[0, p_cols].astype(float), rtol=1e-12)
    assert got[1][1] in (None, "") and got[1][2].startswith("too few answers")  # 9 is no answer
    assert got[2][1] in (None, "") and got[2][2].startswith("too few answers")
    assert got[3][1] in (None, "") and got[3][2].startswith("check the answers")
    halves = answers.iloc[:1].assign(**{items[0]: 3.5})
    halves.to_csv(tmp_path / "half.csv", index=False)
    with pytest.raises(InputError, match="not a point of the scale"):
        score_answers_file(disc, tmp_path / "half.csv", tmp_path / "half_typed.csv")


def test_workbook_guards_study_text_and_explains_in_the_study_language(studies, tmp_path):
    from openpyxl import load_workbook

    book = write_typing_xlsx(studies["sv"], tmp_path / "tool.xlsx")
    wb = load_workbook(book)
    help_ws = wb.worksheets[0]
    assert help_ws.title == "Så använder du"
    cells = [c for row in help_ws.iter_rows() for c in row if isinstance(c.value, str)]
    texts = [c.value for c in cells]
    assert any(t.startswith("1. I bladet 'svar'") for t in texts)
    assert any("En typ kräver minst" in t for t in texts)
    model = wb["modell"]
    assert [model.cell(1, c).value for c in (1, 2, 3)] == ["typ_id", "typnamn", "i korthet"]
    assert "skala" in [c.value for row in model.iter_rows() for c in row]
    # study text is stored as text: never a formula, quote-prefixed when it looks like one
    for c in cells + [c for row in wb["modell"].iter_rows() for c in row if isinstance(c.value, str)]:
        assert c.data_type == "s", c.coordinate
    risky = [c for c in cells if c.value.startswith(("=", "@", "-"))]
    assert {c.value for c in risky} >= {"=1+1", "@Spontan -köparen", "-2+3 och <i>mer</i>", HOSTILE[1]}
    assert all(c.quotePrefix for c in risky)
    with zipfile.ZipFile(book) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    formulas = re.findall(r"<f>([^<]*)</f>", sheets)
    assert formulas and not any("HYPERLINK" in f or f == "1+1" for f in formulas)
    assert "=1+1</t>" in sheets  # written, as text


# --------------------------------------------------------------------------- honest agreement and the CLI
def test_below_target_says_how_many_statements_would_reach_it(tmp_path, capsys):
    disc = _make_study(
        tmp_path, k=3, lo=1, hi=5, n_items=12, n=500, seed=3, language="en", noise=0.12,
        names=["A", "B", "C"], taglines=["a", "b", "c"], texts=["Statement"], max_items=2,
    )
    tool = load_typing_tool(disc / "typing_tool.yaml")
    assert len(tool.items_) == 2 and tool.agreement_ < tool.target_
    # a lookalike trained with another seed does not change the folds: discover's seed built the tool
    (disc / "lookalike_card.json").write_text(json.dumps({"seed": 99}), encoding="utf-8")
    needed = statements_needed_for(disc)
    assert needed["order"][:2] == tool.items_  # the tool's own order, continued
    assert needed["path"][:2] == tool.selection_["agreement"].tolist()  # on the tool's own folds
    assert needed == statements_needed_for(disc, seed=3)  # the seed the tool was built with
    assert needed["n_needed"] is not None and needed["n_needed"] > 2
    assert needed["agreement_needed"] >= 0.9
    # one statement fewer does not reach the target on the selection folds
    assert needed["path"][needed["n_needed"] - 2] < 0.9
    # for the analyst: a warning (the CLI prints it as one line "warning: Below target: ...")
    with pytest.warns(BehaviortypesWarning, match=f"^Below target: .* {needed['n_needed']} statements "
                                                   "would reach the target") as said:
        assert main(["typing-tool", str(disc)]) == 0
    # said once (the survey's own warnings, e.g. statements of this generated study that correlate
    # with no other, are check's and may come too)
    assert len([w for w in said if issubclass(w.category, BehaviortypesWarning)
                and str(w.message).startswith("Below target")]) == 1
    printed = capsys.readouterr().out
    assert "Below target" not in printed  # not printed twice
    assert (disc / "typing_tool.html").is_file() and (disc / "typing_tool.xlsx").is_file()
    # the web form is what respondents see: no analyst note on it
    page = (disc / "typing_tool.html").read_text(encoding="utf-8")
    assert "Below target" not in page and "would reach the target" not in page and "cross-validated" not in page
    from openpyxl import load_workbook

    help_texts = [c.value for row in load_workbook(disc / "typing_tool.xlsx").worksheets[0].iter_rows()
                  for c in row if isinstance(c.value, str)]
    assert any(f"{needed['n_needed']} statements would reach" in t for t in help_texts)


def test_cli_writes_only_what_is_asked(studies, tmp_path, capsys):
    disc = studies["en"]
    with warnings.catch_warnings(record=True) as said:  # below target the note is a warning
        warnings.simplefilter("always")
        assert main(["typing-tool", str(disc), "--html", str(tmp_path / "f.html"), "--lang", "sv"]) == 0
    assert (tmp_path / "f.html").is_file() and not (disc / "typing_tool.xlsx").exists()
    assert 'lang="sv"' in (tmp_path / "f.html").read_text(encoding="utf-8")
    out = capsys.readouterr().out
    told = out + " ".join(str(w.message) for w in said if issubclass(w.category, BehaviortypesWarning))
    assert "f.html" in out and "korsvaliderat" in told
    assert main(["typing-tool", str(tmp_path / "nowhere")]) == 2
    assert main(["typing-tool", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "discovery folder not found" in err and "no typing tool" in err
    # options of --score alone are refused, not silently ignored
    assert main(["typing-tool", str(disc), "--min-answered", "3"]) == 2
    assert "--min-answered only applies with --score" in capsys.readouterr().err


def test_cli_never_replaces_a_users_file_named_as_the_form_or_workbook(studies, tmp_path, capsys):
    """--html/--xlsx FILE replace only a typing tool behaviortypes wrote (its mark inside)."""
    disc = studies["en"]
    html, xlsx = tmp_path / "form.html", tmp_path / "tool.xlsx"
    html.write_text("<!DOCTYPE html><html><title>my own page</title></html>", encoding="utf-8")
    before = html.read_bytes()
    assert main(["typing-tool", str(disc), "--html", str(html), "--xlsx", str(xlsx)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "form.html" in err and "not a typing tool behaviortypes wrote" in err
    assert html.read_bytes() == before and not xlsx.exists()  # nothing written, the other file neither

    html.unlink()
    assert main(["typing-tool", str(disc), "--html", str(html), "--xlsx", str(xlsx)]) == 0
    assert '<meta name="generator" content="behaviortypes typing tool">' in html.read_text(encoding="utf-8")
    import openpyxl

    assert openpyxl.load_workbook(xlsx).properties.creator == "behaviortypes typing tool"
    assert main(["typing-tool", str(disc), "--html", str(html), "--xlsx", str(xlsx)]) == 0  # ours: replaced

    book = openpyxl.Workbook()
    book.active["A1"] = "my budget"
    book.save(xlsx)  # a user's workbook (openpyxl's creator, not our sheets)
    before = xlsx.read_bytes()
    assert main(["typing-tool", str(disc), "--xlsx", str(xlsx)]) == 2
    assert "tool.xlsx" in capsys.readouterr().err and xlsx.read_bytes() == before


def test_below_target_when_no_number_of_statements_reaches_it(tmp_path, capsys):
    """What discover records when even every statement misses the target, end to end:
    the form, the workbook (its help sheet says so) and one warning line; a
    typing_tool.yaml from before ``n_available`` was recorded still works."""
    from openpyxl import load_workbook

    from behaviortypes.deliver import statements_needed
    from behaviortypes.stages import TypingToolResult

    disc = _make_study(
        tmp_path, k=3, lo=1, hi=4, n_items=5, n=300, seed=11, language="sv", noise=0.6,
        names=["A", "B", "C"], taglines=["a", "b", "c"], texts=["Påstående"],
    )
    survey = tmp_path / "survey"
    instrument = load_instrument(survey / "instrument.yaml")
    keyed = keyed_items(read_responses(survey / "responses.csv", instrument), instrument)
    labels = pd.read_csv(disc / "assignments.csv", dtype={"respondent_id": str}).set_index("respondent_id")["type_id"]
    tool = load_typing_tool(disc / "typing_tool.yaml")
    needed = statements_needed(keyed, labels, target=tool.target_, instrument=instrument, random_state=11)
    assert tool.agreement_ < tool.target_ and needed["n_needed"] is None and needed["checked_up_to"] is None
    (disc / "typing_tool.yaml").unlink()
    TypingToolResult(tool=tool, needed=needed).to_files(disc)  # as discover writes it
    stored = yaml.safe_load((disc / "typing_tool.yaml").read_text(encoding="utf-8"))
    assert stored["n_available"] == needed["n_available"] == 5

    def run(tag: str) -> tuple[str, list[str]]:
        html, xlsx = tmp_path / f"{tag}.html", tmp_path / f"{tag}.xlsx"
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            assert main(["typing-tool", str(disc), "--html", str(html), "--xlsx", str(xlsx)]) == 0
        notes = [str(w.message) for w in said if issubclass(w.category, BehaviortypesWarning)]
        assert html.is_file() and xlsx.is_file() and len(notes) == 1
        help_texts = [c.value for row in load_workbook(xlsx).worksheets[0].iter_rows()
                      for c in row if isinstance(c.value, str)]
        assert notes[0] in help_texts  # the same sentence in the workbook
        return notes[0], help_texts

    best = f"{100 * needed['best_agreement']:.1f}".replace(".", ",")
    note, _ = run("now")
    # the tool already uses all 5 statements: no second figure for "all 5" (the user trial
    # of session 10 read 86.4% for the tool and "even all 11 reach only 86.0%" after it)
    assert len(tool.items_) == 5 and note.startswith("Under målet") and "Även alla" not in note
    assert "Det är alla enkätens 5 påståenden: det finns ingen längre lista" in note
    headline = TypingToolResult(tool=tool, needed=needed).headline()  # discover's summary
    assert "These are all the survey's 5 statements" in headline and "Even all" not in headline
    # a file written before n_available was recorded: the sentence says less, still true
    del stored["n_available"], stored["checked_up_to"]
    (disc / "typing_tool.yaml").write_text(yaml.safe_dump(stored, allow_unicode=True), encoding="utf-8")
    note, _ = run("old")
    # (the number of available statements unknown; the selection's estimate is the higher here)
    assert needed["best_agreement"] > tool.agreement_
    assert f"Även alla påståenden i enkäten når bara {best}" in note
    assert "Traceback" not in capsys.readouterr().err


def test_score_never_replaces_a_file_of_the_users(studies, tmp_path, capsys):
    """``--score --out`` onto an existing file behaviortypes did not write (the user's own
    survey answers, notes) is refused with one line before any work, the file left as it
    was (user trial 4: it replaced a 5,378-row answers file); its own typed output is
    replaced as before, in every dialect."""
    disc = studies["sv"]
    answers = _test_set(disc, 4)
    src = tmp_path / "answers.csv"
    answers.to_csv(src, index=False)
    survey = tmp_path / "responses.csv"
    survey.write_text("respondent_id,q01\nr1,3\n", encoding="utf-8")
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    for target in (survey, notes):
        before = target.read_bytes()
        capsys.readouterr()
        assert main(["typing-tool", str(disc), "--score", str(src), "--out", str(target)]) == 2
        err = capsys.readouterr().err.strip()
        # a Swedish study: the refusal in Swedish (session 15; "left as it is" before)
        assert len(err.splitlines()) == 1 and target.name in err and "den lämnades som den var" in err
        assert "Traceback" not in err and target.read_bytes() == before
    with pytest.raises(InputError, match="typed-respondents file"):
        score_answers_file(disc, src, survey)
    for dialect in ("excel", "excel-sv", "plain"):  # our own output is replaced
        out = tmp_path / f"typed_{dialect}.csv"
        for _ in range(2):
            assert main(["typing-tool", str(disc), "--score", str(src), "--out", str(out),
                         "--csv-dialect", dialect]) == 0


def test_cli_wrote_lines_are_in_the_language_asked_for(studies, tmp_path, capsys):
    """User trial 5: `typing-tool --lang sv` said "Wrote …" in English."""
    disc = studies["en"]
    html = tmp_path / "f.html"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BehaviortypesWarning)
        assert main(["typing-tool", str(disc), "--html", str(html), "--lang", "sv"]) == 0
        assert capsys.readouterr().out.splitlines()[0] == f"Skrev {html}"
        assert main(["typing-tool", str(disc), "--html", str(html), "--lang", "en"]) == 0
        assert capsys.readouterr().out.splitlines()[0] == f"Wrote {html}"
    answers = _test_set(disc, 3)
    src, typed = tmp_path / "answers.csv", tmp_path / "typed.csv"
    answers.to_csv(src, index=False)
    assert main(["typing-tool", str(disc), "--score", str(src), "--out", str(typed), "--lang", "sv"]) == 0
    line, by_type, speed = capsys.readouterr().out.strip().splitlines()  # (30 rows: no progress, session 16)
    assert line.startswith(f"Skrev {typed}: ") and " svarande typade; 1 inte typade (färre än " in line
    assert line.endswith(" påståendena besvarade; se kolumnen not_typed)")
    assert by_type.startswith("Per typ: "), by_type
    # the summary speaks Swedish too (decimal comma; a fast run's rate has a thousands space: "1 380")
    assert re.fullmatch(r"Typade 30 rader på \d+,\d s \([\d\u00a0]+ rader/s\)", speed), speed


def test_workbook_scale_text_leaves_out_a_missing_codes_label(studies, tmp_path):
    """A drafted instrument labels its "Don't know" missing code (9 = Don't know, user trial
    5); the workbook's scale text lists only the points one may enter."""
    from dataclasses import replace

    from openpyxl import load_workbook

    spec = load_typing_spec(studies["en"])
    spec = replace(spec, scale_labels={**spec.scale_labels, 9: "Don't know"}, missing_codes=[9.0])
    wb = load_workbook(write_typing_xlsx(spec, tmp_path / "t.xlsx", "en"))
    texts = [c.value for row in wb.worksheets[0].iter_rows() for c in row if isinstance(c.value, str)]
    assert any("5 = Strongly agree" in t for t in texts) and not any("Don't know" in t for t in texts)


@pytest.mark.parametrize("lang, words", [("en", "this one statement gives"),
                                         ("sv", "ger det här enda påståendet")])
def test_one_golden_statement_is_said_in_the_singular(lang, words):
    """User trial 9: "dessa 1 påståenden" (these 1 statements) in discover's typing-tool line."""
    from behaviortypes.deliver.texts import agreement_note

    for agreement in (0.95, 0.70):
        said = agreement_note({"n_respondents": 320, "n_items": 1, "agreement": agreement,
                               "target": 0.9}, lang)
        assert words in said and " 1 " not in said
    assert "1" not in agreement_note({"n_respondents": 320, "n_items": 2, "agreement": 0.95,
                                      "target": 0.9}, lang).split("(")[0].replace("320", "")


def test_score_missing_columns_hint_says_add_them_empty(studies, tmp_path):
    """Trial 8: next year's survey dropped statements. The hint says the columns can be
    added empty (blank = unanswered, typed from the rest) and how many may be missing
    before nobody can be typed; both hold when the user does it (en and sv)."""
    disc = max(studies.values(), key=lambda d: len(load_typing_spec(d).items))
    spec = load_typing_spec(disc)
    n = len(spec.items)
    need = -(-n // 2)
    assert n - need >= 2, spec.items
    answers = _test_set(disc, 5).dropna(thresh=len(spec.items) + 1)  # fully answered rows
    gone = spec.items[:n - need]  # the most that may be missing
    answers.drop(columns=gone).to_csv(tmp_path / "few.csv", index=False)
    with pytest.raises(InputError) as caught:
        read_answers(tmp_path / "few.csv", spec)
    en, sv = caught.value.said("en"), caught.value.said("sv")
    assert f"add the {len(gone)} missing columns with empty cells" in en
    assert f"at least {need} of the {n} statements answered (at most {n - need} missing" in en
    assert f"lägg till de {len(gone)} saknade kolumnerna med tomma celler" in sv
    assert f"minst {need} av de {n} påståendena besvarade (högst {n - need} saknade" in sv
    # doing what the hint says types everyone
    answers.assign(**{c: "" for c in gone}).to_csv(tmp_path / "filled.csv", index=False)
    typed = score_answers_file(disc, tmp_path / "filled.csv", tmp_path / "typed.csv")
    assert typed.n_typed == typed.n_rows == len(answers)
    # one more missing: adding them empty cannot type anyone, and the hint says so
    more = spec.items[:n - need + 1]
    answers.drop(columns=more).to_csv(tmp_path / "many.csv", index=False)
    with pytest.raises(InputError) as caught:
        read_answers(tmp_path / "many.csv", spec)
    en, sv = caught.value.said("en"), caught.value.said("sv")
    assert f"at most {need - 1} of the {n} statements answered, fewer than the {need} a type needs" in en
    assert "add the" not in en
    assert f"högst {need - 1} av de {n} påståendena besvarade, färre än de {need} en typ behöver" in sv


def test_score_progress_in_a_log_agrees_with_the_summary(studies, tmp_path):
    """Trial 8: --score on 140,000 rows was silent for 21.7 s. In a log (not a terminal) it
    prints a line every 10 % and a last line, as `score` does, and the summary line's rows,
    seconds and rows/s are the last progress line's."""
    import sys

    disc = studies["en"]
    base = _test_set(disc, 6)
    answers = pd.concat([base] * (4000 // len(base) + 1), ignore_index=True).iloc[:4000]
    answers["respondent_id"] = [f"N{i:05d}" for i in range(len(answers))]
    answers.to_csv(tmp_path / "answers.csv", index=False)
    run = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "typing-tool", str(disc), "--score",
                          str(tmp_path / "answers.csv"), "--out", str(tmp_path / "typed.csv")],
                         capture_output=True, text=True, timeout=300, check=False,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.strip().splitlines()
    step = r"Typing answers\.csv: ([\d,]+) of 4,000 rows \((\d+) %\), ([\d,]+) rows/s, ([\d.]+) s"
    steps = [re.fullmatch(step, line) for line in lines if line.startswith("Typing ")]
    assert all(steps) and len(steps) >= 10, run.stdout
    assert [int(m.group(2)) for m in steps[:-1]] == list(range(10, 100, 10)), run.stdout
    last = steps[-1]
    assert last.group(1) == "4,000" and last.group(2) == "100", run.stdout
    assert "respondents typed" in lines[-3], run.stdout
    assert lines[-2].startswith("By type: "), run.stdout
    summary = re.fullmatch(r"Typed ([\d,]+) rows in ([\d.]+) s \(([\d,]+) rows/s\)", lines[-1])
    assert summary, run.stdout
    assert summary.groups() == (last.group(1), last.group(4), last.group(3)), run.stdout
    rows, seconds, rate = (float(g.replace(",", "")) for g in summary.groups())
    # the seconds are shown to 0.1 s: under a second that rounding alone moves rows / seconds
    # by up to 7 % (4,000 rows in 0.748 s said "0.7 s" beside its true 5,345 rows/s)
    low, high = rows / (seconds + 0.05), rows / max(seconds - 0.05, 0.01)
    assert low * 0.97 - 1 <= rate <= high * 1.03 + 1, run.stdout
    assert "\r" not in run.stdout  # a log gets lines, not a redrawn bar


def test_workbook_prints_the_typed_rows_and_whole_columns(studies, tmp_path):
    """Trial 8: printed (LibreOffice to PDF), the workbook gave 20 pages, 14 of them the
    header of the types sheet's empty formula rows; type names, messages and the model
    sheet's columns were cut. The types sheet prints up to the last row with answers (a
    print area by formula, computed by a real engine), its name column holds the longest
    name or message, and the model sheet prints every column on one landscape page width
    with its messages whole."""
    from openpyxl import load_workbook

    disc = studies["en"]
    spec = load_typing_spec(disc)
    book = write_typing_xlsx(disc, tmp_path / "tool.xlsx")
    with warnings.catch_warnings():  # openpyxl reads a print area by formula with a warning, and drops it
        warnings.simplefilter("ignore", UserWarning)
        wb = load_workbook(book)
    answers, typ, mod, calc = (wb[s] for s in ("answers", "types", "model", "calc"))
    with zipfile.ZipFile(book) as z:
        names = html.unescape(z.read("xl/workbook.xml").decode("utf-8"))
    area = re.search(r'<definedName name="_xlnm.Print_Area" localSheetId="2">([^<]+)<', names).group(1)
    found = re.fullmatch(r"OFFSET\('types'!\$A\$1,0,0,MAX\(1,'calc'!\$([A-Z]+)\$2\),(\d+)\)", area)
    assert found and int(found.group(2)) == 3 + len(spec.names), area
    assert calc[f"{found.group(1)}1"].value == "last_row"
    shown = [typ_name for typ_name in spec.names.values()] + [mod["A" + str(r)].value for r in range(1, 40)
                                                               if str(mod["A" + str(r)].value or "").startswith(
                                                                   ("too few", "check the answers"))]
    assert len(shown) == len(spec.names) + 2
    assert typ.column_dimensions["C"].width >= max(map(len, shown)) + 2
    assert mod.page_setup.orientation == "landscape" and mod.page_setup.fitToWidth == 1
    assert mod.page_setup.fitToHeight == 0 and mod.sheet_properties.pageSetUpPr.fitToPage
    merged = {str(m) for m in mod.merged_cells.ranges}
    notes = [r for r in range(1, 40) if str(mod[f"A{r}"].value or "").startswith(("too few", "check the answers"))]
    assert all(f"A{r}:C{r}" in merged and mod[f"A{r}"].alignment.wrap_text for r in notes)
    # a real engine computes the last row with answers (rows 2-4 and 7; row 5 and 6 empty)
    for r in (2, 3, 4, 7):
        answers.cell(r, 1, f"R{r}")
        answers.cell(r, 2, 3)
    wb.save(tmp_path / "filled.xlsx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        done = load_workbook(_libreoffice(tmp_path / "filled.xlsx", "xlsx", tmp_path / "lo"), data_only=True)
    assert done["calc"][f"{found.group(1)}2"].value == 7


def test_score_progress_of_a_swedish_study_is_swedish_without_lang(studies, tmp_path):
    """Review (session 14): `typing-tool --score` on a Swedish study said its errors in Swedish
    but its new progress and summary lines in English unless --lang sv was given."""
    import sys

    disc = studies["sv"]
    answers = pd.concat([_test_set(disc, 6)] * 70, ignore_index=True)  # 2,100 rows: progress is shown (session 16)
    answers["respondent_id"] = [f"T{i:04d}" for i in range(len(answers))]
    answers.to_csv(tmp_path / "svar.csv", index=False)
    run = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "typing-tool", str(disc), "--score",
                          str(tmp_path / "svar.csv"), "--out", str(tmp_path / "typade.csv")],
                         capture_output=True, text=True, timeout=300, check=False,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert run.returncode == 0, run.stderr
    assert any(line.startswith("Typar svar.csv") for line in run.stdout.splitlines()), run.stdout
    assert "Typing " not in run.stdout, run.stdout


def test_workbook_blanks_a_missing_code_inside_the_scale_as_score_does(studies, tmp_path):
    """Session 14: the workbook took only missing codes outside the scale as unanswered, while
    --score (and discover, reading the survey) blanks every declared code: a 3 declared
    missing on a 1-5 scale was an answer in the workbook and no answer everywhere else.
    Recalculated by LibreOffice, the workbook now types as --score, and its help says 3."""
    from dataclasses import replace

    from openpyxl import load_workbook

    spec = replace(load_typing_spec(studies["en"]), missing_codes=[9.0, 3.0])
    items, need = spec.items, -(-len(spec.items) // 2)
    rows = {
        "three": {**{i: (1, 2, 4, 5)[j % 4] for j, i in enumerate(items[:need])}, items[need]: 3},
        "three_few": {**{i: 4 for i in items[:need - 1]}, items[need - 1]: 3},
    }
    answers = pd.DataFrame([{"respondent_id": r, **{i: a.get(i, np.nan) for i in items}} for r, a in rows.items()])
    answers.to_csv(tmp_path / "answers.csv", index=False)
    score_answers_file(spec, tmp_path / "answers.csv", tmp_path / "typed.csv")
    typed = pd.read_csv(tmp_path / "typed.csv", encoding="utf-8-sig")
    assert typed["type_id"].notna().tolist() == [True, False]
    book = write_typing_xlsx(spec, tmp_path / "tool.xlsx", "en")
    wb = load_workbook(book)
    help_text = " ".join(str(c.value) for row in wb.worksheets[0].iter_rows() for c in row if c.value)
    assert "no answer (9, 3) counts as unanswered" in help_text or "no answer (3, 9) counts as unanswered" in help_text
    _fill_answers(wb["answers"], answers)
    wb.save(tmp_path / "filled.xlsx")
    (tmp_path / "lo").mkdir()
    types = load_workbook(_libreoffice(tmp_path / "filled.xlsx", "xlsx", tmp_path / "lo"), data_only=True)["types"]
    got = [[c.value for c in row] for row in types.iter_rows(min_row=2, max_row=3)]
    p_cols = [f"p_{t}" for t in spec.type_ids]
    assert got[0][1] == int(typed.loc[0, "type_id"])
    assert_allclose([float(v) for v in got[0][3:]], typed.loc[0, p_cols].astype(float), rtol=1e-12)
    assert got[1][1] in (None, "") and got[1][2].startswith("too few answers")  # 3 is no answer


@pytest.mark.parametrize("lang, shown", [("en", "89.95%"), ("sv", "89,95\u00a0%")])
def test_agreement_just_below_target_never_reads_as_the_target(lang, shown):
    """User trial 11: "only 90.0% of respondents (… target 90%)" for an agreement of 0.89951."""
    from behaviortypes.deliver import agreement_note

    note = agreement_note({"agreement": 0.8995073891625616, "target": 0.9, "n_items": 8,
                           "n_respondents": 1015}, lang)
    assert shown in note and "90.0" not in note and "90,0" not in note
    assert "89.99%" in agreement_note({"agreement": 0.899999, "target": 0.9, "n_items": 8}, "en")
    assert "89.7%" in agreement_note({"agreement": 0.897, "target": 0.9, "n_items": 8}, "en")
