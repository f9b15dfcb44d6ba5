"""What a Swedish strategist still met in English after session 17, and two readers (session 18).

1. the sentences beside machine files (``typing_tool.yaml``, ``lookalike_card.json``
   ``base.note``, ``solution.json``'s reasons) in the study's language, keys and codes as they were;
2. command-line option errors said in the study's language when the folder given is Swedish;
3. interview skeleton masks in Swedish;
4. numbers with a thousands space as Swedish Excel writes them;
5. ``instrument draft`` reads Swedish scale labels;
6. notebook 02's screening table; 7. the report's plot labels.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from clirun import bt  # noqa: E402
from clirun import error_line  # noqa: E402
from swedish import study as swedish  # noqa: E402


# ------------------------------------------------------------ 1. machine files' sentences
def _tool(language):
    from behaviortypes.instrument import instrument_from_dict
    from behaviortypes.lookalike import build_typing_tool

    rng = np.random.default_rng(0)
    labels = pd.Series(rng.integers(1, 3, 200))
    answers = pd.DataFrame({f"q{j}": np.clip(np.rint(3 + (labels - 1.5) * 2 * (j % 2 * 2 - 1)
                                                     + rng.normal(size=200)), 1, 5) for j in range(4)})
    inst = instrument_from_dict({"id_column": "id", "scale": {"min": 1, "max": 5}, "language": language,
                                 "items": [{"id": f"q{j}", "text": f"Påstående {j}"} for j in range(4)]})
    return build_typing_tool(answers, labels, instrument=inst, random_state=0)


def test_typing_tool_yaml_says_its_sentences_in_the_study_language(tmp_path):
    """English in a Swedish study before: "answers: raw answers as in the responses file ..."."""
    from behaviortypes.lookalike import load_typing_tool

    sv = yaml.safe_load(_tool("sv").to_yaml(tmp_path / "sv.yaml").read_text(encoding="utf-8"))
    en = yaml.safe_load(_tool(None).to_yaml(tmp_path / "en.yaml").read_text(encoding="utf-8"))
    assert en["answers"] == "raw answers as in the responses file (reverse keying is in the weights)"
    assert en["agreement_method"] == "cross-validated agreement with the full type assignment"
    assert sv["answers"].startswith("svaren som de står i svarsfilen")
    assert sv["agreement_method"] == "korsvaliderad överensstämmelse med typningen från hela enkäten"
    assert sv["scoring"].startswith("poäng_t = intercept_t")
    assert set(sv) == set(en) and sv["kind"] == en["kind"]  # the same keys and kind
    again = load_typing_tool(tmp_path / "sv.yaml").to_dict()  # a re-written file keeps its sentences
    assert again["answers"] == sv["answers"]


def test_solution_json_says_its_reasons_in_the_run_language():
    """``factor_reason``, ``k_reason`` and ``response_styles.reason`` were English in a Swedish
    study's ``solution.json``; the codes stay, and English is left as written."""
    from behaviortypes.pipeline import solution_said

    solution = {
        "factor_reason": "parallel analysis as in R psych suggests 3",
        "factor_reason_code": [{"code": "factor_reason_psych", "values": {"pa": 3, "map": 3, "ekc": 3, "n_iter": 20,
                                                                          "percentile": 95}}],
        "k_reason": "set by the user", "k_reason_code": None, "k": 3,
        "response_styles": {"corrected": False, "reason": "no reliable acquiescence: r = -0.06",
                            "evidence": {"n_balanced_themes": 3.0, "split_half_r": -0.056, "split_half_p": 0.86,
                                         "acquiescence_share": -0.002},
                            "thresholds": {"n_balanced_themes": 2.0, "split_half_p": 0.01,
                                           "acquiescence_share": 0.03}},
    }
    sv = solution_said(solution, "sv")
    assert sv["factor_reason"].startswith("Parallellanalys som i R psych"), sv["factor_reason"]
    assert sv["factor_reason_code"] == solution["factor_reason_code"]
    assert sv["k_reason"] == "set by the user"  # no code: as written
    assert sv["response_styles"]["reason"].startswith("Svarsstil: ingen korrigering"), sv["response_styles"]
    assert sv["response_styles"]["evidence"] == solution["response_styles"]["evidence"]
    assert solution_said(solution, "en") == solution


def test_the_cards_base_note_is_in_the_study_language():
    """``lookalike_card.json`` ``base.note`` was the English sentence in a Swedish study."""
    from behaviortypes.lookalike import choose_base_shares
    from behaviortypes.lookalike.train import card_note

    ident = {"identified": False, "informative": False, "accuracy": 0.359, "majority_accuracy": 0.365,
             "log_loss": 1.099, "prior_log_loss": 1.096, "max_share_se": 4.201, "max_se": 0.05}
    choice = choose_base_shares([0.4, 0.6], [0.45, 0.55], ident, None)
    assert card_note(choice, ident, None, "en") == choice["note"]
    assert choice["note"].startswith("the customer columns predict the type no better than chance")
    sv = card_note(choice, ident, None, "sv")
    assert sv.startswith("kundkolumnerna förutsäger typen inte bättre än slumpen (träffsäkerhet utanför "
                         "träningen 35,9\u00a0% mot 36,5\u00a0%"), sv
    assert "log-loss 1,099 mot 1,096" in sv and "420,1 procentenheter" in sv
    assert sv.endswith("inte denna dragning")


@pytest.fixture(scope="module")
def sv_study(tmp_path_factory):
    """The Swedish test study and its discovery folder ``ut`` (made once, at the command line)."""
    from sharedcache import swedish_discovered

    root = tmp_path_factory.mktemp("left18")
    res = swedish_discovered(tmp_path_factory, root)  # discover kundstudie --out ut, made once per run
    assert res.returncode == 0, res.stderr
    return root / "kundstudie", root / "ut"


def test_a_swedish_discovery_folder_says_its_sentences_in_swedish(sv_study):
    """End to end: ``discover`` on the Swedish study writes Swedish sentences beside the numbers."""
    import json

    _, out = sv_study
    tool = yaml.safe_load((out / "typing_tool.yaml").read_text(encoding="utf-8"))
    assert tool["agreement_method"] == "korsvaliderad överensstämmelse med typningen från hela enkäten"
    solution = json.loads((out / "solution.json").read_text(encoding="utf-8"))
    assert solution["factor_reason"].startswith("Parallellanalys"), solution["factor_reason"]
    assert solution["factor_reason_code"][0]["code"] == "factor_reason_psych"  # the codes as they were


# ------------------------------------------------------------ 2. option errors in the study's language
@pytest.mark.parametrize("args, expected", [
    (("--k", "1"), "fel: ogiltigt värde för '--k': 1 är för litet; det ska vara minst 2. (se 'behaviortypes discover --help')"),
    (("--resamples", "5"), "fel: ogiltigt värde för '--resamples': 5 är för litet; det ska vara minst 10."),
    (("--seed", "-1"), "fel: ogiltigt värde för '--seed': -1 är för litet; det ska vara minst 0."),  # a traceback before
])
def test_an_option_out_of_its_range_is_refused_in_the_study_language(tmp_path, args, expected):
    """"fel: fel på kommandoraden: Invalid value for '--k': Input should be greater than or equal to 2" before."""
    folder = swedish.write_csv_study(tmp_path / "kundstudie", n=60)
    assert error_line(bt("discover", folder, "--out", tmp_path / "ut", *args)).startswith(expected)
    # an English study: Typer's own English line, as before
    (folder / "instrument.yaml").write_text(
        (folder / "instrument.yaml").read_text(encoding="utf-8").replace("language: sv\n", ""), encoding="utf-8")
    line = error_line(bt("discover", folder, "--out", tmp_path / "ut", *args))
    assert line.startswith(f"error: Invalid value for '{args[0]}'"), line


def test_option_errors_after_the_survey_is_read_are_said_in_the_study_language(sv_study, tmp_path):
    """--factors beyond the statements and a --pdf that is not a PDF were English in a Swedish study."""
    folder, out = sv_study
    line = error_line(bt("discover", folder, "--out", tmp_path / "a", "--factors", 99, "--no-map"))
    assert line == ("fel: kolumn '--factors': antalet faktorer måste vara ett heltal från 1 till 17 (antalet "
                    "påståenden minus ett) (värde 99). Tips: ange inte --factors, så väljer parallellanalysen antalet")
    line = error_line(bt("report", out, "--pdf", tmp_path / "rapport.txt"))
    assert line.startswith("fel: rapport.txt: rapportens PDF-fil måste sluta på .pdf (värde '.txt')"), line


def test_more_types_than_the_respondents_hold_is_refused_in_either_language():
    """--k beyond the respondents: TypeFinder's English line only, before (checked before the
    types are fitted, with a code; the command line says it in the study's language)."""
    from types import SimpleNamespace

    from behaviortypes.errors import InputError
    from behaviortypes.stages import run_types

    with pytest.raises(InputError, match=r"too few respondents \(117\) to find 7 types") as err:
        run_types(SimpleNamespace(scores=pd.DataFrame(np.zeros((117, 3)))), k=7)
    assert err.value.said("sv") == "för få svarande (117) för att hitta 7 typer. Tips: en typ behöver minst 20 svarande"


def test_a_mistake_in_themes_on_a_swedish_studys_interviews_is_said_in_swedish(tmp_path):
    """``themes kundstudie/interviews/koder.csv --bogus`` was English (the study was not looked for)."""
    folder = swedish.write_csv_study(tmp_path / "kundstudie", n=60)
    (folder / "interviews").mkdir()
    codes = folder / "interviews" / "koder.csv"
    codes.write_text("participant_id,theme,quote\nP1,pris,Jag jämför\n", encoding="utf-8")
    for path in (codes, codes.parent):
        line = error_line(bt("themes", path, "--out", tmp_path / "teman", "--bogus"))
        assert line == "fel: okänt alternativ: --bogus (se 'behaviortypes themes --help')", line


# ------------------------------------------------------------ 3. the skeleton's masks
def test_the_skeletons_quotes_are_masked_in_the_study_language(tmp_path):
    """``instrument from-themes`` on Swedish interviews wrote "[phone]" and "[name]" above its themes."""
    from behaviortypes.interviews import read_interviews
    from behaviortypes.interviews.skeleton import instrument_from_themes

    csv = tmp_path / "intervjuer.csv"
    csv.write_text("participant_id,theme,quote\n"
                   + "".join(f"D{i},snabbhet,Jag ringer 070-123 45 67 när det är bråttom {i}\n" for i in range(3))
                   + "".join(f"D{i},prisjämförelse,Jag jämför alltid priserna först {i}\n" for i in range(3, 6)),
                   encoding="utf-8")
    text = instrument_from_themes(read_interviews(csv))
    assert "[telefon]" in text and "[phone]" not in text and "070-123" not in text
    english = instrument_from_themes(read_interviews(csv), lang="en")
    assert "[phone]" in english and "[telefon]" not in english


# ------------------------------------------------------------ 4. 1 367,89: thousands as Swedish Excel writes them
GROUPED = ["1\u00a0367,89", "2\u202f000,5", "1 200,00", "980,10"]


def test_numbers_with_a_thousands_space_are_read_as_numbers():
    from behaviortypes.readers import coerce, grouped_numbers, to_number

    values = pd.Series(GROUPED + ["−12 000", None], dtype=object)
    np.testing.assert_allclose(to_number(values).to_numpy(), [1367.89, 2000.5, 1200.0, 980.1, -12000.0, np.nan])
    assert coerce(pd.Series(GROUPED, dtype=object)).dtype == float
    assert grouped_numbers(pd.Series(GROUPED, dtype=object))
    for not_grouped in (["12 34", "1 3670"], ["980,10", "12,5"], ["a 367", "1 367"], ["070 123 456", "1 367"]):
        assert not grouped_numbers(pd.Series(not_grouped, dtype=object)), not_grouped
    assert to_number(pd.Series(["12 34"], dtype=object)).isna().all()  # not a grouping: not a number


def test_a_crm_amount_with_thousands_spaces_is_a_quantity_not_an_identifier():
    """The lookalike dropped "köpbelopp" (1 367,89 …) as "identifier-like text"; it is a number."""
    from behaviortypes.lookalike._features import detect_schema, prepare_features

    rng = np.random.default_rng(0)
    amounts = rng.gamma(2, 800, 300)
    frame = pd.DataFrame({"köpbelopp": [f"{a:,.2f}".replace(",", "\u00a0").replace(".", ",") for a in amounts]})
    schema, dropped = detect_schema(frame)
    assert not dropped and schema[0]["kind"] == "numeric", (schema, dropped)
    np.testing.assert_allclose(prepare_features(frame, schema, None)["köpbelopp"], np.round(amounts, 2))


def test_a_survey_column_with_thousands_spaces_is_read_and_a_refused_one_is_shown_as_written(tmp_path):
    """``check`` refused a weight and an outcome written 1 367,89 and showed '1\\xa0367,89'."""
    folder = swedish.write_csv_study(tmp_path / "kundstudie", n=120)
    frame = pd.read_csv(folder / "responses.csv", sep=";", encoding="cp1252")
    frame["vikt"] = (["1\u00a0367,89", "2\u202f000,5", "1 200,00", "980,10"] * 30)[:120]
    frame["köpbelopp"] = frame["vikt"]
    frame.to_csv(folder / "responses.csv", sep=";", index=False, encoding="utf-8-sig")
    inst = yaml.safe_load((folder / "instrument.yaml").read_text(encoding="utf-8"))
    inst.update(weight_column="vikt", outcomes=[{"column": "köpbelopp"}])
    (folder / "instrument.yaml").write_text(yaml.safe_dump(inst, allow_unicode=True), encoding="utf-8")
    res = bt("check", folder)
    assert res.returncode == 0, res.stderr
    frame.loc[0, "köpbelopp"] = "1\u00a0367,89 kr"  # a unit in the cell: refused, shown as the user sees it
    frame.to_csv(folder / "responses.csv", sep=";", index=False, encoding="utf-8-sig")
    line = error_line(bt("check", folder))
    assert "(värde '1\u00a0367,89 kr')" in line and "\\xa0" not in line, line


# ------------------------------------------------------------ 5. draft: Swedish scale labels
SV_SCALES = [
    ["Stämmer inte alls", "Stämmer ganska dåligt", "Stämmer delvis", "Stämmer ganska bra", "Stämmer helt"],
    ["Stämmer mycket dåligt", "Stämmer dåligt", "Varken eller", "Stämmer bra", "Stämmer mycket bra"],
    ["Instämmer inte alls", "Instämmer delvis", "Instämmer till stor del", "Instämmer helt"],
    ["Helt oenig", "Ganska oenig", "Varken enig eller oenig", "Ganska enig", "Helt enig"],
    ["Mycket dåligt", "Ganska dåligt", "Varken bra eller dåligt", "Ganska bra", "Mycket bra"],
]


@pytest.mark.parametrize("labels", SV_SCALES, ids=lambda labels: labels[0])
def test_draft_reads_swedish_scale_labels_in_their_order(tmp_path, labels):
    """"Stämmer inte alls … Stämmer helt" was refused as unknown text labels."""
    from behaviortypes.readers.draft import draft_instrument

    rng = np.random.default_rng(3)
    codes = rng.integers(0, len(labels), size=(120, 6))
    frame = pd.DataFrame({f"p{j + 1}": [labels[c] for c in codes[:, j]] for j in range(6)})
    frame.insert(0, "respondent_id", [f"R{i:03d}" for i in range(120)])
    frame.to_csv(tmp_path / "svar.csv", index=False, sep=";", encoding="utf-8-sig")
    draft = draft_instrument(tmp_path / "svar.csv")
    assert draft["scale"]["min"] == 1 and draft["scale"]["max"] == len(labels)
    assert draft["scale"]["labels"] == {i + 1: t for i, t in enumerate(labels)}
    assert [i["id"] for i in draft["items"]] == [f"p{j}" for j in range(1, 7)]


# ------------------------------------------------------------ 6. notebook 02
def test_notebook_02_shows_its_figure_alone_and_the_ids_on_one_header_row(tmp_path, monkeypatch):
    """The funnel came with a stray "<_PlainTextFigure size 500x164 with 1 Axes>" line, and the
    flagged respondents' table had "respondent_id" on a second header row of its own."""
    import jupytext
    from nbclient import NotebookClient

    folder = swedish.write_csv_study(tmp_path / "kundstudie", n=120)
    monkeypatch.setenv("BT_STUDY", str(folder))
    monkeypatch.setenv("BT_OUT", str(tmp_path / "ut"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    path = Path(__file__).parents[1] / "notebooks" / "02_survey_quality.py"
    nb = jupytext.read(path)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    plain = [str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) for o in outputs]
    assert not any("Figure size" in text for text in plain), [t for t in plain if "Figure" in t]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the funnel is still shown
    flagged = next(o["data"]["text/html"] for o in outputs
                   if "respondent_id" in o.get("data", {}).get("text/html", ""))
    head = flagged[flagged.index("<thead>"):flagged.index("</thead>")]
    assert head.count("<tr") == 1 and "<th>respondent_id</th>" in head, head[:300]


# ------------------------------------------------------------ 7. the report's plot labels and summary
def test_the_report_draws_with_the_figures_one_set_of_words():
    """render._plot_labels was a copy of plots.labels_in (they could drift apart)."""
    from behaviortypes.report import render

    assert not hasattr(render, "_plot_labels")


def test_the_report_summary_is_said_in_its_language():
    """``ReportResult.summary()`` was English only (notebook 06 printed other lines instead)."""
    from behaviortypes.stages import ReportResult

    sv = ReportResult(Path("ut"), ("sv",), ("pdf",), (Path("rapport.pdf"),))
    assert sv.summary() == "Rapport (sv; pdf): 1 fil(er)\n  rapport.pdf"
    both = ReportResult(Path("ut"), ("en", "sv"), ("html",), (Path("a.html"), Path("b.html")))
    assert both.summary().splitlines()[0] == "Report (en, sv; html): 2 file(s)"  # as before
    assert both.summary("sv").splitlines()[0] == "Rapport (en, sv; html): 2 fil(er)"
