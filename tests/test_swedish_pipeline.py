"""A Swedish study speaks Swedish through the whole pipeline at the command line (session 15).

What session 14 left in English for a study with ``language: sv``: the lookalike's
printed summary and its warnings (columns that would leak the answer, columns not used),
score's progress and summary, the lines of ``typing-tool --score``, ``report`` (English
unless ``--lang sv``), profile's own refusals. Each test runs the command line on a
Swedish copy of the test study and checks the Swedish line and that the English line
(the same folder with the study's language taken out) is as before, word for word.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from clirun import bt  # noqa: E402
from clirun import error_line as _error_line  # noqa: E402
from clirun import ok_lines as _ok  # noqa: E402
from sharedcache import english_copy, swedish_customers_with_extras, swedish_discovered, swedish_run  # noqa: E402


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """The Swedish study, its discovery folder ``ut`` and ``ut_en`` (the same, English), and a
    customer base ``kunder.csv`` that also holds a statement (``s01``, a leak) and a free text."""
    root = tmp_path_factory.mktemp("sv15")
    swedish_discovered(tmp_path_factory, root)  # discover kundstudie --out ut (made once per run)
    swedish_customers_with_extras(root / "kundstudie", root / "kunder.csv")
    english_copy(root / "ut", root / "ut_en")
    said = {name: bt("lookalike", root / name, "--customers", root / "kunder.csv") for name in ("ut", "ut_en")}
    return root, said


def test_the_lookalike_summary_is_said_in_the_study_language(study):
    """English for a Swedish study before session 15: "Lookalike: 262 of 360 respondents linked ..."."""
    _, said = study
    sv, en = _ok(said["ut"]), _ok(said["ut_en"])
    assert re.fullmatch(r"Lookalike: \d+ av \d+ svarande kopplade till 1[\u202f ]360 kunder; vald modell "
                        r"(logistisk regression|gradient boosting \(beslutsträd\)) "  # not its code (trial 12)
                        r"\((egna sannolikheter|\w+)\)", sv[0]), sv[0]
    assert re.fullmatch(r"Korsvaliderad träffsäkerhet 0,\d{3}, makro-F1 0,\d{3}, log-loss \d,\d{3}, ECE 0,\d{3}",
                        sv[1]), sv[1]
    assert sv[2] in ("Typernas andelar (enkät → rått predikterad → korrigerad kundbas [95 % KI]):",) or \
        sv[2].startswith("Typernas andelar (enkät → rått predikterad → kundbas = rått predikterad, INTE korrigerad "
                         "[95 % KI]; "), sv[2]
    assert re.fullmatch(r"  1 .+: \d+,\d\u00a0% → \d+,\d\u00a0% → \d+,\d\u00a0% \[\d+,\d\u00a0%, \d+,\d\u00a0%\]",
                        sv[3]), sv[3]
    tool_sv = next(line for line in sv if line.startswith("Typningsverktyg"))  # (a weak model's advice may follow)
    assert re.fullmatch(r"Typningsverktyg: \d+ frågor, överensstämmelse \d+,\d\u00a0%", tool_sv), sv
    # the English study's lines as before
    assert re.fullmatch(r"Lookalike: \d+ of \d+ respondents linked to 1,360 customers; chosen model \w+ "
                        r"\((own probabilities|\w+)\)", en[0]), en[0]
    assert re.fullmatch(r"Cross-validated accuracy 0\.\d{3}, macro-F1 0\.\d{3}, log-loss \d\.\d{3}, ECE 0\.\d{3}",
                        en[1]), en[1]
    assert en[2].startswith("Type shares (survey → raw predicted → "), en[2]
    assert re.fullmatch(r"  1 .+: \d+\.\d% → \d+\.\d% → \d+\.\d% \[\d+\.\d%, \d+\.\d%\]", en[3]), en[3]
    tool_en = next(line for line in en if line.startswith("Typing tool"))
    assert re.fullmatch(r"Typing tool: \d+ questions, agreement \d+\.\d%", tool_en), en
    assert [line[-20:] for line in sv[3:-1]] != [line[-20:] for line in en[3:-1]]  # (the numbers, said)


def test_the_lookalike_warnings_are_said_in_the_study_language(study):
    """A statement among the customer columns (a leak) and a free text column: both
    warnings were English for a Swedish study before session 15."""
    _, said = study
    sv = said["ut"].stderr.strip().splitlines()
    en = said["ut_en"].stderr.strip().splitlines()
    assert ("varning: lookalike: tog bort kolumner i kundfilen som skulle avslöja svaret: s01 (enkätens påståenden "
            "och tidigare typning är inga beteendevariabler)") in sv, sv
    assert ("varning: lookalike: används inte som variabler: anteckning (liknar ett id: ett nytt värde på nästan "
            "varje rad)") in sv, sv
    assert ("warning: lookalike: dropped columns of the customer file that would leak the answer: s01 (survey items "
            "or earlier scoring output are not behaviour features)") in en, en
    assert ("warning: lookalike: not used as features: anteckning (identifier-like text (a new value in almost "
            "every row))") in en, en
    # the customer columns are noise here: the base's shares are the raw predicted ones, and it says why
    assert any(line.startswith("varning: lookalike: kundkolumnerna förutsäger typen inte bättre än slumpen "
                               "(träffsäkerhet utanför träningen ") and line.endswith(
        "och de flesta kunder får den största typen; lägg till kundkolumner som skiljer sig mellan typerna")
        for line in sv), sv
    assert any(line.startswith("warning: lookalike: the customer columns predict the type no better than chance "
                               "(out-of-fold accuracy ") for line in en), en
    assert all(line.startswith("varning: ") for line in sv), sv


def test_score_says_its_progress_and_summary_in_the_study_language(study, tmp_path):
    """"Scoring kunder.csv: ..." and "Scored 1,360 customers in ..." for a Swedish study before session 15."""
    root, _ = study
    said = bt("score", root / "ut", "--customers", root / "kunder.csv", "--out", tmp_path / "sv.parquet")
    english = bt("score", root / "ut_en", "--customers", root / "kunder.csv", "--out", tmp_path / "en.parquet")
    sv, en = _ok(said), _ok(english)
    assert any(line.startswith("Typar kunder.csv: 1\u00a0360 rader, ") for line in sv), sv
    summary = next(i for i, line in enumerate(sv) if line.startswith("Typade "))
    assert re.fullmatch(r"Typade 1\u00a0360 kunder på \d+,\d s \([\d\u00a0]+ rader/s, lokal motor\) -> "
                        + re.escape(str(tmp_path / "sv.parquet")) + r"(; högsta minnesanvändning [\d\u00a0]+ MiB)?"
                        r"(; de första \d+,\d s var uppstart \(läsa modellen, öppna basen\), inte räknade i rader/s)?",
                        sv[summary]), sv[summary]
    assert re.fullmatch(r"  typ 1 .+: andel \d+,\d\u00a0% \(mest sannolik för \d+,\d\u00a0%\)", sv[summary + 1]), sv
    assert said.stderr.strip().splitlines() == [
        "varning: score: andelarna som skrivs ut är lookalike-modellens rått predikterade andelar (genomsnittlig "
        "predikterad sannolikhet över kunderna), inte korrigerade för enkätens urvalsskevhet: kundkolumnerna räcker "
        "inte för att skatta korrigeringen för enkätens urvalsskevhet (lookalike_card.json, base.note)"]
    assert english.stderr.strip().splitlines() == [
        "warning: score: the shares printed are the lookalike's raw predicted shares (mean predicted probability "
        "over the customers), not corrected for the survey's response bias: the customer columns do not identify "
        "the correction for the survey's response bias (lookalike_card.json, base.note)"]
    assert any(line.startswith("Scoring kunder.csv: 1,360 rows, ") for line in en), en
    summary = next(i for i, line in enumerate(en) if line.startswith("Scored "))
    assert re.fullmatch(r"Scored 1,360 customers in \d+\.\d s \([\d,]+ rows/s, local engine\) -> "
                        + re.escape(str(tmp_path / "en.parquet")) + r"(; peak memory [\d,]+ MiB)?"
                        r"(; the first \d+\.\d s were start-up \(reading the model, opening the base\), not counted in the "
                        r"rows/s)?", en[summary])
    assert re.fullmatch(r"  type 1 .+: share \d+\.\d% \(most likely for \d+\.\d%\)", en[summary + 1]), en


def test_typing_tool_score_lines_are_said_in_the_study_language(study, tmp_path):
    """"Wrote typed.csv: 360 respondents typed" for a Swedish study before session 15 (the
    progress above it was already Swedish)."""
    root, _ = study
    answers = root / "kundstudie" / "responses.csv"
    sv = _ok(bt("typing-tool", root / "ut", "--score", answers, "--out", tmp_path / "sv.csv"))
    en = _ok(bt("typing-tool", root / "ut_en", "--score", answers, "--out", tmp_path / "en.csv"))
    assert f"Skrev {tmp_path / 'sv.csv'}: 360 svarande typade" in sv, sv
    assert re.fullmatch(r"Typade 360 rader på \d+,\d s \([\d\u00a0]+ rader/s\)", sv[-1]), sv
    assert f"Wrote {tmp_path / 'en.csv'}: 360 respondents typed" in en, en
    assert re.fullmatch(r"Typed 360 rows in \d+\.\d s \([\d,]+ rows/s\)", en[-1]), en


def test_report_defaults_to_the_study_language(study, tmp_path):
    """`report OUT` of a Swedish study wrote the English report before session 15; now the
    study's language, and --lang still chooses."""
    root, _ = study
    assert _ok(bt("report", root / "ut", cwd=tmp_path)) == [
        f"Skrev {Path('reports') / 'kundstudie' / 'behaviour_types_sv.pdf'}"]
    assert (tmp_path / "reports" / "kundstudie" / "behaviour_types_sv.pdf").is_file()
    assert not (tmp_path / "reports" / "kundstudie" / "behaviour_types_en.pdf").exists()
    assert _ok(bt("report", root / "ut", "--lang", "en", "--pdf", tmp_path / "en.pdf")) == [
        f"Wrote {tmp_path / 'en.pdf'}"]
    assert _ok(bt("report", root / "ut_en", "--pdf", tmp_path / "en2.pdf")) == [f"Wrote {tmp_path / 'en2.pdf'}"]
    help_text = " ".join(bt("report", "--help").stdout.split())
    assert "default: the study's" in help_text, help_text


def test_profile_refusals_are_said_in_the_study_language(study, tmp_path):
    """A statement given as a column to profile by, an id twice in the customer base, a base
    no respondent is in: English for a Swedish study before session 15."""
    import pandas as pd

    root, _ = study
    base = pd.read_csv(root / "kunder.csv")
    pd.concat([base, base.head(2)]).to_csv(tmp_path / "dubbel.csv", index=False)
    base.assign(kundnummer=base["kundnummer"] + 10_000_000).to_csv(tmp_path / "andra.csv", index=False)
    first = base["kundnummer"].iloc[0]
    said = {name: [_error_line(bt("profile", root / name, "--by", "s02")),
                   _error_line(bt("profile", root / name, "--by", "region", "--customers", tmp_path / "dubbel.csv")),
                   _error_line(bt("profile", root / name, "--by", "region", "--customers", tmp_path / "andra.csv"))]
            for name in ("ut", "ut_en")}
    assert said["ut"] == [
        "fel: responses.csv, kolumn 's02': är ett av enkätens påståenden, inte en kolumn att profilera efter. Tips: "
        "ange andra kolumner i svarsfilen",
        f"fel: dubbel.csv, kolumn 'kundnummer': ett kund-id förekommer mer än en gång i kundbasen (värde '{first}'). "
        "Tips: behåll en rad per kund",
        "fel: andra.csv, kolumn 'kundnummer': ingen typad svarande finns i kundbasen. Tips: kontrollera att "
        "kundnummer i responses.csv innehåller kundbasens id: enkätens ser ut som 937630, 516062, 250560, "
        "kundbasens kundnummer som 10937630, 10516062, 10250560"]  # both sides' ids (user trial 22)
    assert said["ut_en"] == [
        "error: responses.csv, column 's02': is a survey statement, not a column to profile by. Hint: name other "
        "columns of the responses file",
        f"error: dubbel.csv, column 'kundnummer': customer id repeated in the customer base (value '{first}'). "
        "Hint: keep one row per customer",
        "error: andra.csv, column 'kundnummer': no typed respondent is in the customer base. Hint: check that "
        "kundnummer in responses.csv holds the base's ids: the survey's look like 937630, 516062, 250560, "
        "the base's kundnummer like 10937630, 10516062, 10250560"]


def test_a_typing_tool_below_target_warns_in_the_study_language(study, tmp_path):
    """The note was Swedish, but after an English "warning:" before session 15."""
    import yaml

    root, _ = study
    lines = {}
    for name in ("ut", "ut_en"):
        out = tmp_path / name
        shutil.copytree(root / name, out)
        tool = yaml.safe_load((out / "typing_tool.yaml").read_text(encoding="utf-8"))
        text = (out / "typing_tool.yaml").read_text(encoding="utf-8")
        (out / "typing_tool.yaml").write_text(text.replace(f"target_agreement: {tool['target_agreement']}\n",
                                                           "target_agreement: 0.995\n"), encoding="utf-8")
        res = bt("typing-tool", out)
        _ok(res)
        lines[name] = res.stderr.strip().splitlines()
    assert len(lines["ut"]) == 1 and lines["ut"][0].startswith("varning: Under målet: i enkäten med "), lines
    assert len(lines["ut_en"]) == 1 and lines["ut_en"][0].startswith("warning: Below target: in the survey of "), lines


def test_a_file_of_the_users_is_refused_in_the_study_language(study, tmp_path):
    """A file of the user's where an output would go (a banner workbook, a typing tool, a
    scored base, a report, a discovery folder's file) is left alone: the refusal was English
    for a Swedish study before session 15."""
    root, _ = study
    for name in ("mine.xlsx", "mine.html", "mine.parquet", "mine.pdf", "ut/assignments.csv"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("mine\n", encoding="utf-8")
    said = {name: [_error_line(bt("profile", root / name, "--xlsx", tmp_path / "mine.xlsx")),
                   _error_line(bt("typing-tool", root / name, "--html", tmp_path / "mine.html")),
                   _error_line(bt("score", root / name, "--customers", root / "kunder.csv",
                                  "--out", tmp_path / "mine.parquet")),
                   _error_line(bt("report", root / name, "--pdf", tmp_path / "mine.pdf"))]
            for name in ("ut", "ut_en")}
    assert said["ut"] == [
        "fel: mine.xlsx: filen finns och är inte en bannerarbetsbok som behaviortypes skrev; den lämnades som den "
        "var. Tips: ge --xlsx ett nytt namn, t.ex. banner.xlsx, eller flytta först din fil",
        "fel: mine.html: filen finns och är inte ett typningsverktyg som behaviortypes skrev; den lämnades som den "
        "var. Tips: ange en ny fil (t.ex. typing_tool.html eller typing_tool.xlsx), eller flytta först din fil",
        "fel: mine.parquet: utfilen är en befintlig fil som inte är en typad kundbas från behaviortypes. Tips: ge "
        "--out ett nytt namn, t.ex. scored.parquet; en befintlig utfil ersätts bara när behaviortypes skrev den",
        f"fel: mine.pdf: filen finns och är inte en rapport som behaviortypes skrev; den lämnades som den var. Tips: "
        f"flytta först din fil ur {tmp_path}, eller skriv rapporten någon annanstans (t.ex. --pdf "
        "annan_mapp/rapport.pdf)"]
    assert said["ut_en"] == [
        "error: mine.xlsx: the file exists and is not a banner workbook behaviortypes wrote; it was left as it is. "
        "Hint: give --xlsx a new name such as banner.xlsx, or move your file first",
        "error: mine.html: the file exists and is not a typing tool behaviortypes wrote; it was left as it is. "
        "Hint: name a new file (e.g. typing_tool.html or typing_tool.xlsx), or move your file first",
        "error: mine.parquet: the output is an existing file that is not a scored output of behaviortypes. Hint: "
        "give --out a new name such as scored.parquet; an existing output is replaced only when behaviortypes "
        "wrote it",
        f"error: mine.pdf: the file exists and is not a report behaviortypes wrote; it was left as it is. Hint: "
        f"move your file out of {tmp_path} first, or write the report elsewhere (e.g. --pdf "
        "other_folder/report.pdf)"]
    survey = root / "kundstudie"
    assert _error_line(bt("discover", survey, "--out", tmp_path / "ut", "--no-map", "--resamples", 10)) == (
        "fel: ut: utmappen innehåller redan assignments.csv, en fil som behaviortypes inte skrev; den skulle "
        "ersättas av en utfil med samma namn, så inget ändrades. Tips: välj en annan utmapp, eller flytta din fil "
        "ur den här")
    assert _error_line(bt("discover", survey, "--out", tmp_path / "ut", "--no-map", "--resamples", 10,
                          "--lang", "en")) == (
        "error: ut: the output folder already holds assignments.csv, a file behaviortypes did not write; it would "
        "be replaced by an output of that name, so nothing was changed. Hint: choose another output folder, or "
        "move your file out of this one")
    assert (tmp_path / "ut" / "assignments.csv").read_text(encoding="utf-8") == "mine\n"


def test_run_without_lang_reports_in_the_study_language(tmp_path_factory, tmp_path):
    """A study file without ``lang`` wrote the English report of a Swedish study, and the
    lookalike's pass over the base printed "Scoring kunder.csv: ..." before session 15."""
    # run studie.yaml (no lang; the customer base of ``study``), made once per test run
    lines = _ok(swedish_run(tmp_path_factory, tmp_path))
    assert lines[-1] == f"Rapport: {tmp_path / 'rapporter' / 'behaviour_types_sv.pdf'}", lines
    assert not [line for line in lines if line.startswith("Scoring ")], lines
    assert len([line for line in lines if line.startswith("Typar kunder.csv: ")]) == 2, lines  # lookalike, score


def test_score_refusals_are_said_in_the_study_language(study, tmp_path):
    """A model file that is not one (a pickle, say), --out onto the customer file, --table for
    a CSV: English for a Swedish study before session 15."""
    root, _ = study
    said = {}
    for name in ("ut", "ut_en"):
        out = tmp_path / name
        shutil.copytree(root / name, out)
        (out / "lookalike.skops").write_bytes(b"\x80\x04not a zip")
        customers = root / "kunder.csv"
        said[name] = [_error_line(bt("score", out, "--customers", customers, "--out", tmp_path / "s.parquet")),
                      _error_line(bt("score", root / name, "--customers", customers, "--out", customers)),
                      _error_line(bt("score", root / name, "--customers", customers, "--out", tmp_path / "s.parquet",
                                     "--table", "kundtabell"))]
    assert said["ut"] == [
        "fel: lookalike.skops: inte en modellfil från behaviortypes (inte ett skops-arkiv). Tips: använd "
        "lookalike.skops som `behaviortypes lookalike` skrev; ladda aldrig pickle-filer",
        "fel: kunder.csv: den typade utfilen skulle skriva över kundfilen som typas. Tips: skriv den typade "
        "kundbasen till en annan fil (eller, i samma .duckdb-fil, en annan tabell)",
        "fel: kunder.csv: --table gäller bara när --customers är en DuckDB-databas (.duckdb) (värde 'kundtabell'). "
        "Tips: ta bort --table för en CSV- eller Parquet-fil"]  # (the CLI's option, session 16)
    assert said["ut_en"] == [
        "error: lookalike.skops: not a behaviortypes model file (not a skops archive). Hint: use the lookalike.skops "
        "written by `behaviortypes lookalike`; never load pickles",
        "error: kunder.csv: the scored output would overwrite the customer file being scored. Hint: write the scored "
        "base to another file (or, in the same .duckdb file, another table)",
        "error: kunder.csv: --table only applies when --customers is a DuckDB database (.duckdb) (value "
        "'kundtabell'). Hint: leave --table out for a CSV or Parquet file"]
    assert not (tmp_path / "s.parquet").exists()


def test_the_reports_warnings_are_said_in_its_language(study, tmp_path):
    """profile.json of an earlier discovery is left out of the report with a warning: English
    for a Swedish study before session 15 (the report did not say its warnings in a language)."""
    root, _ = study
    lines = {}
    for name in ("ut", "ut_en"):
        out = tmp_path / name
        shutil.copytree(root / name, out)
        _ok(bt("profile", out, "--by", "region", "--customers", root / "kunder.csv"))
        meta = json.loads((out / "profile.json").read_text(encoding="utf-8"))
        meta["assignments_sha256"] = "0" * 64  # as if discover had run again since
        (out / "profile.json").write_text(json.dumps(meta), encoding="utf-8")
        res = bt("report", out, "--pdf", tmp_path / f"{name}.pdf")
        _ok(res)
        lines[name] = res.stderr.strip().splitlines()
    # (whether the report also says that the customer base was not scored yet depends on whether an
    # earlier test of this module scored the shared folder: every line is in the study's language)
    assert f"varning: {tmp_path / 'ut' / 'profile.json'} beskriver en tidigare analys (andra typer eller svarande); den " \
        "utelämnas. Kör `behaviortypes profile OUT` igen för att profilera de nuvarande typerna" in lines["ut"], lines
    assert all(line.startswith("varning: ") for line in lines["ut"]), lines["ut"]
    assert f"warning: {tmp_path / 'ut_en' / 'profile.json'} describes an earlier discovery (other types or " \
        "respondents); it is left out. Re-run `behaviortypes profile OUT` to profile the current types" in lines["ut_en"]
    assert len(lines["ut"]) == len(lines["ut_en"]) and all(line.startswith("warning: ") for line in lines["ut_en"])
