"""A strategist who works in Swedish reads Swedish everywhere (session 12).

User trial 5 and session 11 left three places English with ``--lang sv`` or a Swedish
study: ``discover``'s terminal (progress lines, summary), the banner workbook of
``profile --xlsx``, and the comments of ``instrument draft``. And below entropy 0.7
``discover`` said the types overlap twice: a warning line and the continuum box.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from sharedcache import swedish_discovered  # noqa: E402
from swedish import study as swedish  # noqa: E402

BT = str(Path(sys.executable).parent / "behaviortypes")

#: English sentences and words of discover's terminal before session 12 (each was printed
#: with a Swedish study, or with --lang sv).
ENGLISH = ("Reading and validating the survey", "Screening respondents", "Factor analysis",
           "Finding behaviour types", "Profiling and naming the types", "Building the typing tool",
           "Writing the discovery folder", "done in", "Kept ", "after screening", "Response styles",
           "Factors:", "parallel analysis", "Types: k", "Gaussian mixture", "Typing tool",
           "reproduce the full assignment", "Written to", "The factor structure was fitted",
           "respondents", "overlap", "Read with care")


def bt(*args, cwd=None):
    return subprocess.run([BT, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=900)


@pytest.fixture(scope="module")
def swedish_survey(tmp_path_factory):
    return swedish.write_csv_study(tmp_path_factory.mktemp("sv") / "kundstudie")


@pytest.fixture(scope="module")
def overlapping_survey(tmp_path_factory):
    """The demo's generator with its types pulled together: at k = 4 the types overlap
    (relative entropy 0.66, below the 0.7 cut)."""
    from behaviortypes.synth import make_study

    folder = tmp_path_factory.mktemp("fuzzy") / "fuzzy"
    make_study(folder, n_respondents=600, n_customers=2000, separation=0.45)
    return folder


def test_discover_of_a_swedish_study_speaks_swedish(swedish_survey, tmp_path_factory, tmp_path):
    # `discover kundstudie --out ut --no-map --resamples 10` on the Swedish study, made once per run
    res = swedish_discovered(tmp_path_factory, tmp_path)
    assert res.returncode == 0, res.stderr
    said = res.stdout + res.stderr
    assert [w for w in ENGLISH if w in said] == []
    for swedish_text in ("Läser och kontrollerar enkäten", "klart på", "Behöll 359 av 360 svarande",
                         "Faktorer: 3 (Parallellanalys", "Typer: k = 3 (3 typer", "Faktorstrukturen",
                         "\u00a0%], n = ", "Typningsverktyg:", f"Sparat i {tmp_path / 'ut'}"):
        assert swedish_text in said
    # --lang en gives the English terminal, as before
    res = bt("discover", swedish_survey, "--out", tmp_path / "out", "--no-map", "--resamples", 10, "--lang", "en")
    assert res.returncode == 0, res.stderr
    assert "Reading and validating the survey" in res.stdout and "Kept 359 of 360 respondents" in res.stdout
    assert "Typer: k" not in res.stdout and "Written to" in res.stdout


def test_discover_says_the_overlap_once(overlapping_survey, tmp_path):
    for lang, word in (("en", "overlap"), ("sv", "överlapp")):
        res = bt("discover", overlapping_survey, "--out", tmp_path / lang, "--no-map", "--k", 4,
                 "--resamples", 10, "--lang", lang)
        assert res.returncode == 0, res.stderr
        said = (res.stdout + res.stderr).replace(str(tmp_path), "OUT")  # (the test's name is in it)
        assert said.lower().count(word) == 1, said  # the continuum box, not also a warning line
        box = next(line for line in res.stdout.splitlines() if word in line.lower())
        assert ("0.66" if lang == "en" else "0,66") in box
        # the warning's number is in the box: how many respondents the model places elsewhere
        # (18.3 %, was 18.4 % when --k fitted k = 4 alone: now it is refined from its neighbours)
        assert ("about 18.3% of respondents" if lang == "en" else "omkring 18,3\u00a0% av de svarande") in box
        # the names the tool suggested, in the language asked for (as the report says them)
        assert ("The bargain hunter" in res.stdout) == (lang == "en")
        assert ("Prisjägaren" in res.stdout) == (lang == "sv")


def test_the_overlap_warning_stays_for_python(overlapping_survey, tmp_path):
    import pandas as pd

    from behaviortypes.errors import SurveyQualityWarning, TypesOverlapWarning
    from behaviortypes.stages import warn_overlapping_types

    proba = pd.DataFrame([[0.5, 0.5], [0.6, 0.4], [0.45, 0.55]])
    with pytest.warns(SurveyQualityWarning, match="types overlap") as caught:
        assert warn_overlapping_types(proba)
    assert caught[0].category is TypesOverlapWarning


#: Every English comment of a draft before session 12 (its fixed words).
DRAFT_ENGLISH = ("Drafted by behaviortypes", "Check the item texts", "Left out (too many", "values)",
                 "Question before", "No column holds", "named like", "so not drafted as", "A GUESS",
                 "split half against half", "Not answers on the scale", "review the scale", "Wrote ",
                 "respondent id column was found", "were not drafted as statements")


def _swedish_answers_without_ids(folder: Path) -> Path:
    """The Swedish study's answers with no id column, a 'Datum' column on the statements'
    scale, an age in years and two statements answered half against half."""
    import numpy as np

    frame, _ = swedish.responses(n=300, seed=1)
    rng = np.random.default_rng(1)
    frame = frame.drop(columns=["respondent", "kundnummer"])
    frame["Datum"] = rng.integers(1, 8, len(frame))
    frame["alder"] = rng.integers(18, 80, len(frame))
    folder.mkdir(parents=True)
    path = folder / "svar.sav"  # SPSS: the statements' texts are the variables' labels
    import pyreadstat

    labels = {item: text for item, (text, _, _) in zip(swedish.ITEMS, swedish.STATEMENTS)}
    pyreadstat.write_sav(frame, path, column_labels=[labels.get(c) for c in frame.columns])
    return path


def test_instrument_draft_comments_in_swedish(tmp_path):
    answers = _swedish_answers_without_ids(tmp_path / "kundstudie")
    res = bt("instrument", "draft", answers, "--out", tmp_path / "instrument.yaml")
    assert res.returncode == 0, res.stderr
    text = (tmp_path / "instrument.yaml").read_text(encoding="utf-8")
    comments = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "language: sv" in text
    assert [e for e in DRAFT_ENGLISH if e in comments + res.stdout] == [], comments + res.stdout
    for said in ("# Utkast av behaviortypes från svar.sav", "# Ingen kolumn har ett eget värde på varje rad",
                 "# Datum: heter som en tid, ett datum, en omgång eller ett id och lades därför inte som ett påstående",
                 "alder (62 värden)"):
        assert said in comments, comments
    assert f"Skrev {tmp_path / 'instrument.yaml'}" in res.stdout
    assert "Ingen kolumn med de svarandes id hittades" in res.stdout and "lades inte som påståenden" in res.stdout
    # --lang en: the comments and lines in English, as before
    res = bt("instrument", "draft", answers, "--out", tmp_path / "en.yaml", "--lang", "en")
    assert res.returncode == 0, res.stderr
    english = (tmp_path / "en.yaml").read_text(encoding="utf-8")
    assert "# No column holds one different value per row" in english and "# Datum: named like a time" in english
    assert "No respondent id column was found" in res.stdout and "Wrote " in res.stdout


def test_discover_warnings_in_the_language_it_speaks(tmp_path):
    """A warning that carries its sentence's code is said in discover's language; Python keeps
    the English text (the warning's str) for filters and logs."""
    import warnings

    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.factors import FactorModel

    import re

    import pandas as pd

    small = swedish.write_csv_study(tmp_path / "liten", n=80)
    answers = pd.read_csv(small / "responses.csv", sep=";", encoding="cp1252")
    answers["s05"] = answers["s05"].astype("Int64")
    answers.loc[:24, "s05"] = pd.NA  # 25 of 80 did not answer s05
    answers.to_csv(small / "responses.csv", sep=";", index=False, encoding="cp1252")
    res = bt("discover", small, "--out", tmp_path / "ut", "--no-map", "--resamples", 10)
    assert res.returncode == 0, res.stderr
    assert re.search(r"varning: bara \d+ svarande för 18 påståenden: faktorlösningar är instabila", res.stderr)
    assert ("varning: responses.csv, kolumn 's05': 31,3 % av de svarande besvarade inte påståendet. "
            "Tips: kontrollera filtreringen") in res.stderr
    assert "varning: responses.csv: få svarande: 80 för 18 påståenden" in res.stderr
    assert not re.search(r"only \d+ respondents|did not answer|few respondents", res.stderr)
    res = bt("discover", small, "--out", tmp_path / "out", "--no-map", "--resamples", 10, "--lang", "en")
    assert re.search(r"warning: only \d+ respondents for 18 items", res.stderr)
    assert "warning: responses.csv, column 's05': 31% of respondents did not answer this item" in res.stderr
    frame, _ = swedish.responses(n=60)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        FactorModel(n_factors=3).fit(frame[swedish.ITEMS])
    said = [w for w in caught if w.category is SurveyQualityWarning and "respondents for" in str(w.message)]
    assert said and str(said[0].message).startswith("only 60 respondents for 18 items")
    assert said[0].message.code == "warn_few_respondents" and said[0].message.values == {"n": 60, "p": 18}


def test_run_of_a_swedish_study_file_speaks_swedish(swedish_survey, tmp_path):
    """run STUDY.yaml with lang: sv: every progress line, the summary and the report line."""
    study = tmp_path / "studie.yaml"
    study.write_text(f"survey: {swedish_survey}\nout: {tmp_path / 'ut'}\nlang: sv\nmap: false\nresamples: 10\n"
                     f"report:\n  formats: [html]\n  dir: {tmp_path / 'rapporter'}\n", encoding="utf-8")
    res = bt("run", study)
    assert res.returncode == 0, res.stderr
    said = res.stdout + res.stderr
    english = ENGLISH + ("Writing the typing tool", "Rendering the report", "Report:")
    assert [w for w in english if w in said] == []
    assert "Skriver typningsverktyget" in said and "Skapar rapporten" in said
    assert f"Rapport: {tmp_path / 'rapporter' / 'behaviour_types_sv.html'}" in said


def test_check_of_a_swedish_study_speaks_swedish(swedish_survey):
    res = bt("check", swedish_survey)
    assert res.returncode == 0, res.stderr
    english = ("Survey:", "respondents", "Screening:", "kept", "flagged", "straightlining", "speeding",
               "Reliability", "items)", "Warning")
    assert [w for w in english if w in res.stdout] == [], res.stdout
    assert "Enkät: responses.csv — 360 svarande, 18 påståenden (skala 1–7)" in res.stdout
    assert "Granskning: 359 behållna, 1 flaggade" in res.stdout
    assert re.search(r"  - pris: 0,\d\d \[0,\d\d–0,\d\d\] \(6 påståenden\)", res.stdout), res.stdout
    res = bt("check", swedish_survey, "--lang", "en")
    assert "Survey: responses.csv — 360 respondents" in res.stdout and "  - straightlining: 0 (0.0%)" in res.stdout
