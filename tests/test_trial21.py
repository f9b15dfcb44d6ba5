"""Defects a user trial on real data found (session 21: the Short Dark Triad, openpsychometrics)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clirun import bt, error_line, ok_lines

DATA = Path(__file__).parent / "data" / "real"


# ----------------------------------------------------------------------------- 1. covariates.csv
def _separated(n: int = 600, seed: int = 0):
    """Three types with sure posteriors; level 'B' (60 people) holds nobody of type 3."""
    rng = np.random.default_rng(seed)
    t = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    lv = np.where(rng.random(n) < 0.2, "B", "A")
    lv[(lv == "B") & (t == 2)] = "A"
    P = np.full((n, 3), 0.01)
    P[np.arange(n), t] = 0.98
    idx = pd.Index([f"r{i}" for i in range(n)], name="respondent_id")
    return pd.DataFrame(P, columns=["p_1", "p_2", "p_3"], index=idx), pd.DataFrame({"g": lv}, index=idx)


def test_covariates_withhold_separation_without_a_raw_warning():
    from behaviortypes.describe import covariate_model

    proba, cov = _separated()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would be a RuntimeWarning
        tab = covariate_model(proba, cov, min_cell=0).set_index("type_id")
    assert tab.loc[3, "note"] == "separation"
    assert tab.loc[[3], ["odds_ratio", "ci_low", "ci_high", "p_value"]].isna().all(axis=None)
    assert tab.loc[2, "note"] == "" and 0 < tab.loc[2, "odds_ratio"] < 50 and tab.loc[2, "p_value"] > 0


def test_covariates_withhold_cells_below_the_minimum():
    from behaviortypes.describe import covariate_model

    proba, cov = _separated()
    tab = covariate_model(proba, cov, min_cell=10).set_index("type_id")
    assert tab.loc[3, "note"] == "small_cell" and np.isnan(tab.loc[3, "odds_ratio"])
    big = covariate_model(proba, cov, min_cell=10, min_type_size=200).set_index("type_id")
    assert big.loc[2, "note"] == "small_cell"  # type 2 (~180) is under the minimum type size


@pytest.fixture(scope="module")
def small_study(tmp_path_factory):
    from sharedcache import small_english_discovered

    return small_english_discovered(tmp_path_factory, tmp_path_factory.mktemp("trial21"))


def test_cli_profile_publishes_no_small_or_separated_odds_ratio(small_study):
    from behaviortypes.readers import load_survey
    import json

    survey, out = small_study / "survey", small_study / "out"
    types = pd.read_csv(out / "assignments.csv").set_index("respondent_id")["type_id"]
    resp = pd.read_csv(survey / "responses.csv")
    id_col = resp.columns[0]
    big = types.value_counts().index[0]
    small = types.value_counts().index[-1]
    # a club: 30 members, none of the smallest type and 3 of another (a thin cell)
    members = list(types[types == big].index[:27]) + list(types[(types != big) & (types != small)].index[:3])
    resp["club"] = np.where(resp[id_col].isin(members), "member", "not member")
    resp.to_csv(survey / "responses.csv", index=False)
    source = json.loads((out / "source.json").read_text())
    source["checksum"] = load_survey(survey).checksum
    (out / "source.json").write_text(json.dumps(source))
    res = bt("profile", out, "--by", "club")
    lines = ok_lines(res)
    assert "Warning" not in res.stderr and "threestep.py" not in res.stderr + res.stdout, res.stderr
    assert any("covariates.csv:" in x and "withheld" in x for x in lines), lines
    cov = pd.read_csv(out / "covariates.csv", keep_default_na=False, na_values=[""])
    club = cov[cov["variable"] == "club"]
    shown = club[club["note"].isna()]
    assert (club["note"].dropna() != "").all() and club["note"].notna().any()
    assert np.isfinite(shown[["odds_ratio", "ci_low", "ci_high"]]).all(axis=None)
    assert (shown["p_value"] > 0).all()
    assert club.loc[club["note"].notna(), ["odds_ratio", "p_value", "ci_high"]].isna().all(axis=None)


# ----------------------------------------------------------------------------- 2. notebook 07
@pytest.mark.slow
def test_notebook_07_on_a_study_with_descriptors_and_no_outcomes(tmp_path_factory, tmp_path, monkeypatch):
    import yaml
    from test_notebooks import _execute

    from sharedcache import small_english_discovered

    root = small_english_discovered(tmp_path_factory, tmp_path / "s")
    inst_path = root / "survey" / "instrument.yaml"
    inst = yaml.safe_load(inst_path.read_text())
    assert inst.get("descriptors") and inst.pop("outcomes", None)  # the demo has both
    inst_path.write_text(yaml.safe_dump(inst, allow_unicode=True, sort_keys=False))
    monkeypatch.setenv("BT_STUDY", str(root / "survey"))
    monkeypatch.setenv("BT_OUT", str(root / "out"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = _execute("07")  # stopped with "TypeError: Expected numeric dtype, got object"
    text = " ".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                    for o in c.get("outputs", []) if o.get("output_type") == "stream")
    assert "declares no outcomes" in text
    assert len(pd.read_csv(root / "out" / "outcomes.csv")) == 0


# ----------------------------------------------------------------------------- 3. type names
SD3_FACTORS = {"F1": "machiavellianism", "F2": "psychopathy", "F3": "narcissism",
               "F4": "machiavellianism (part 2)", "F5": "psychopathy (part 2)"}


@pytest.mark.parametrize("lang,high,low", [
    ("en", "The group high on all three themes", "Low on all three themes, by about the same amount."),
    ("sv", "Gruppen som ligger högt på alla tre teman", "Lågt på alla tre teman, ungefär lika mycket.")])
def test_level_types_count_the_themes_not_the_factors(lang, high, low):
    from behaviortypes.profiles import suggest_names

    fm = pd.DataFrame([[0.8, 0.85, 0.75, 0.8, 0.9], [-0.8, -0.85, -0.75, -0.8, -0.9], [0.1, 0.6, 0, 0, 0]],
                      index=[1, 2, 3], columns=list(SD3_FACTORS))
    names = suggest_names(fm, SD3_FACTORS, lang=lang, styles={1: None, 2: None, 3: True})
    assert names.at[1, "name"] == high and names.at[2, "tagline"] == low
    unnamed = {f: f"Factor {f[1]}" for f in SD3_FACTORS}  # no themes: the factors are dimensions
    names = suggest_names(fm, unnamed, lang=lang, styles={1: None, 2: None, 3: True})
    assert names.at[1, "name"] == ("The group high on all five dimensions" if lang == "en"
                                   else "Gruppen som ligger högt på alla fem dimensioner")


def test_a_theme_part_with_an_add_on_nests_no_brackets():
    from behaviortypes.profiles import suggest_names

    fm = pd.DataFrame([[0.1, 0.1, 0.1, -1.2, 0.9], [0.1, 0.1, 0.8, 0, 0], [0, 0, 0, 0.1, 0.1]],
                      index=[1, 2, 3], columns=list(SD3_FACTORS))
    name = suggest_names(fm, SD3_FACTORS, lang="en").at[1, "name"]
    assert name == "The group high on psychopathy (part 2), low on machiavellianism (part 2)"
    assert ") (" not in suggest_names(fm, SD3_FACTORS, lang="sv").at[1, "name"]


# ----------------------------------------------------------------------------- 4. draft keying
#: the Short Dark Triad's published key (Jones & Paulhus 2014)
SD3_REVERSED = ["N2", "N6", "N8", "P2", "P7"]


def _sd3_answers(path: Path, n: int, seed: int) -> Path:
    """Five-point answers with the SD3 statements' correlations (18,192 respondents of the
    openpsychometrics data, as worded; see data/real/README.md) and its mean answer shares."""
    R = pd.read_csv(DATA / "sd3_corr.csv", index_col=0)
    z = np.random.default_rng(seed).multivariate_normal(np.zeros(len(R)), R.to_numpy(), size=n)
    x = 1 + np.sum(z[:, :, None] > np.array([-1.136, -0.445, 0.030, 0.810])[None, None], axis=2)
    frame = pd.DataFrame(x, columns=R.columns)
    frame.insert(0, "respondent_id", range(1, n + 1))
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("n,seed", [(18192, 1), (18192, 2), (3000, 2)])
def test_draft_keys_a_small_group_by_the_rest_of_the_statements(tmp_path, n, seed):
    """P2, P4 and P7 form a group of their own: its minority (P4, "out of control") was
    drafted reverse-keyed; P4 runs with the other 24 statements, P2 and P7 against them."""
    from behaviortypes.readers.draft import draft_instrument

    draft = draft_instrument(_sd3_answers(tmp_path / "sd3.csv", n, seed))
    assert [i["id"] for i in draft["items"] if i["reverse"]] == SD3_REVERSED


# ----------------------------------------------------------------------------- 5-9. check's messages
THEMES = {"M": "machiavellianism", "N": "narcissism", "P": "psychopathy"}


def _sd3_study(root: Path, *, n: int = 1500, seed: int = 0, reverse=SD3_REVERSED, theme_of=None,
               extra: str = "") -> Path:
    """A survey folder of SD3-like answers (:func:`_sd3_answers`) and its instrument."""
    root.mkdir(parents=True, exist_ok=True)
    _sd3_answers(root / "responses.csv", n, seed)
    ids = list(pd.read_csv(DATA / "sd3_corr.csv", index_col=0).columns)
    theme_of = theme_of or {}
    lines = ["id_column: respondent_id", "scale: {min: 1, max: 5}", "items:"]
    for i in ids:
        lines.append(f"  - {{id: {i}, text: 'Statement {i}', reverse: {str(i in reverse).lower()}, "
                     f"theme: {theme_of.get(i, THEMES[i[0]])}}}")
    (root / "instrument.yaml").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return root


@pytest.mark.parametrize("lang,remove", [("en", "remove reverse: true for it"), ("sv", "ta bort reverse: true för det")])
def test_check_says_remove_reverse_for_a_statement_wrongly_reversed(tmp_path, lang, remove):
    study = _sd3_study(tmp_path / "s", reverse=["N2", "N6", "N8", "P2", "P4"])  # P4 wrongly, P7 forgotten
    lines = (lambda r: r.stdout.splitlines() + r.stderr.splitlines())(bt("check", study, "--lang", lang))
    p4 = [x for x in lines if "'P4'" in x]
    p7 = [x for x in lines if "'P7'" in x]
    assert len(p4) == 1 and remove in p4[0] and "set reverse: true" not in p4[0], p4
    assert len(p7) == 1 and "reverse: true" in p7[0] and remove not in p7[0], p7


def test_themes_reads_an_excel_unicode_text_codes_sheet(tmp_path):
    """Excel's "Unicode text" (UTF-16 with a BOM, tabs): the first column read as "ÿþp"."""
    rows = ["participant_id\ttheme\tquote"]
    for p in range(1, 9):
        for theme in ("secrecy", "attention", "risk")[: 1 + p % 3]:
            rows.append(f"P{p:02d}\t{theme}\tI keep my plans to myself, {theme} {p}")
    path = tmp_path / "codes.txt"
    path.write_bytes("\r\n".join(rows).encode("utf-16"))  # with its byte order mark
    res = bt("themes", path, "--out", tmp_path / "out")
    assert "ÿþ" not in res.stdout + res.stderr
    ok_lines(res)
    codings = pd.read_csv(tmp_path / "out" / "codings.csv")
    assert {"secrecy", "attention", "risk"} <= set(codings["theme"])


def test_a_bad_reverse_value_names_the_statement_and_its_line(tmp_path):
    study = _sd3_study(tmp_path / "s", n=200)
    path = study / "instrument.yaml"
    lines = path.read_text().splitlines()
    at = next(n for n, x in enumerate(lines) if "id: N2," in x)
    lines[at] = lines[at].replace("reverse: true", 'reverse: "x"')
    path.write_text("\n".join(lines) + "\n")
    line = error_line(bt("check", study))
    assert "items.10" not in line
    assert f"statement 'N2' (line {at + 1}), 'reverse': reverse must be true or false, not 'x'" in line, line
    assert "write reverse: true or reverse: false" in line
    sv = error_line(bt("check", study, "--lang", "sv"))
    assert f"påståendet 'N2' (rad {at + 1})" in sv and "skriv reverse: true eller reverse: false" in sv


TEXTS = {1: "Disagree", 2: "Somewhat disagree", 3: "Neutral", 4: "Somewhat agree", 5: "Agree"}


def _labelled_study(root: Path) -> Path:
    """Answers written out as text (as Google Forms exports them), three points labelled."""
    study = _sd3_study(root, n=200)
    frame = pd.read_csv(study / "responses.csv")
    for c in frame.columns[1:]:
        frame[c] = frame[c].map(TEXTS)
    frame.to_csv(study / "responses.csv", index=False)
    path = study / "instrument.yaml"
    path.write_text(path.read_text().replace("scale: {min: 1, max: 5}",
                                             "scale: {min: 1, max: 5, labels: {1: Disagree, 3: Neutral, 5: Agree}}"))
    return study


def test_text_answers_with_some_points_labelled_are_told_to_declare_all_labels(tmp_path):
    study = _labelled_study(tmp_path / "s")
    line = error_line(bt("check", study))
    assert "scale: labels gives no text for 2, 4" in line and "instrument draft responses.csv" in line, line
    sv = error_line(bt("check", study, "--lang", "sv"))
    assert "scale: labels ger ingen text för 2, 4" in sv
    # declaring all five labels reads them (the hint is true)
    path = study / "instrument.yaml"
    path.write_text(path.read_text().replace("{1: Disagree, 3: Neutral, 5: Agree}", str(TEXTS).replace("'", "")))
    ok_lines(bt("check", study))


def _said(res) -> list[str]:
    return res.stdout.splitlines() + res.stderr.splitlines()


def test_check_warns_when_straightliners_are_a_large_share(tmp_path):
    study = _sd3_study(tmp_path / "s", n=600)
    frame = pd.read_csv(study / "responses.csv")
    frame.iloc[:120, 1:] = 4  # a fifth answer 4 throughout
    frame.to_csv(study / "responses.csv", index=False)
    lines = [x for x in _said(bt("check", study)) if x.startswith("warning: straightlining")]
    assert len(lines) == 1 and "120 respondents (20.0%)" in lines[0] and "describe the others only" in lines[0], lines
    small = _sd3_study(tmp_path / "t", n=600)
    frame = pd.read_csv(small / "responses.csv")
    frame.iloc[:12, 1:] = 4  # 2 %: usual, no warning
    frame.to_csv(small / "responses.csv", index=False)
    assert not [x for x in _said(bt("check", small)) if x.startswith("warning: straightlining")]


def test_check_warns_about_a_theme_written_with_other_capitals(tmp_path):
    study = _sd3_study(tmp_path / "s", n=300, theme_of={"N1": "Narcissism"})
    lines = [x for x in _said(bt("check", study)) if "'Narcissism'" in x]
    assert len(lines) == 1 and lines[0].startswith("warning: theme 'Narcissism' (N1) differs from theme "
                                                   "'narcissism' (8 statements)"), lines
    assert not [x for x in _said(bt("check", _sd3_study(tmp_path / "t", n=300))) if "capitals" in x]


def test_banner_workbook_says_there_are_no_outcomes(tmp_path_factory, tmp_path):
    import yaml
    from openpyxl import load_workbook

    from sharedcache import small_english_discovered

    root = small_english_discovered(tmp_path_factory, tmp_path / "s")
    inst_path = root / "survey" / "instrument.yaml"
    inst = yaml.safe_load(inst_path.read_text())
    inst.pop("outcomes", None)
    inst_path.write_text(yaml.safe_dump(inst, allow_unicode=True, sort_keys=False))
    ok_lines(bt("profile", root / "out", "--xlsx", tmp_path / "banner.xlsx"))
    sheet = load_workbook(tmp_path / "banner.xlsx")["outcomes"]
    assert str(sheet["A2"].value).startswith("No outcomes: the instrument declares none")
    ok_lines(bt("profile", root / "out", "--xlsx", tmp_path / "banner.xlsx"))  # and replaces its own workbook


def test_typing_tool_score_on_text_answers_with_some_points_labelled(tmp_path_factory, tmp_path):
    import yaml

    from sharedcache import small_english_discovered

    out = small_english_discovered(tmp_path_factory, tmp_path / "s") / "out"
    import json

    tool = yaml.safe_load((out / "typing_tool.yaml").read_text())
    source = json.loads((out / "source.json").read_text())  # the discovery's instrument
    source["instrument"]["scale"]["labels"] = {"1": "Disagree", "3": "Neutral", "5": "Agree"}
    (out / "source.json").write_text(json.dumps(source))
    ids = [i["id"] for i in tool["items"]]
    answers = pd.DataFrame({"respondent_id": ["a", "b"], **{i: ["Somewhat agree", "Agree"] for i in ids}})
    answers.to_csv(tmp_path / "answers.csv", index=False)
    line = error_line(bt("typing-tool", out, "--score", tmp_path / "answers.csv", "--out", tmp_path / "typed.csv"))
    assert "(1 = Disagree, 3 = Neutral, 5 = Agree), and 2, 4 have no label" in line, line
    assert "recode the text answers as numbers 1 to 5" in line


# ----------------------------------------------------------------------------- 10. the report
def _banner_header_lines(tmp_path, lang: str) -> list[str]:
    """The header of a banner column as narrow as the report's with eight types, rendered as
    the report renders it; its lines, top to bottom."""
    import subprocess

    from jinja2 import Environment, FileSystemLoader
    from weasyprint import HTML

    from behaviortypes.report.render import TEMPLATES

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)))
    ov = {"title": "Who", "all": "All", "lead": "",
          "types": [{"name": "The group high on machiavellianism (low on psychopathy)"}],
          "tables": [{"label": "Country", "rows": [{"level": "AU", "overall": "4%",
                                                    "cells": [{"mark": "", "text": "4%"}]}]}]}
    body = env.from_string('{% from "who_they_are.html" import banner_page %}{{ banner_page(ov) }}').render(ov=ov)
    pdf = tmp_path / "banner.pdf"
    HTML(string=f'<html lang="{lang}"><body style="width: 66mm">{body}</body></html>').write_pdf(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    return lines[next(i for i, x in enumerate(lines) if x.startswith("The")):]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_banner_headers_never_break_a_word_without_a_hyphen(tmp_path, lang):
    """User trial 21: "machiav/ellianis/m" in the banner's column headers."""
    lines = _banner_header_lines(tmp_path, lang)[:-2]  # (the cells' 4% 4%)
    text = ""
    for line in lines:
        text += line[:-1] if line.endswith(("-", "\u2010")) else line + " "
    assert text.strip() == "The group high on machiavellianism (low on psychopathy)", lines
    assert any(x.endswith(("-", "\u2010")) for x in lines), lines  # hyphenated: narrower than the word
