"""The last English a Swedish strategist met, and two API edges (session 19).

1. the human sentences beside the codes of ``solution.json``, ``factors.json`` and
   ``lookalike_card.json``, and the customer file's refusals, in the study's language;
2. a seed that is not a whole number of 0 or more refused in one line from Python;
3. a weak lookalike that is no better than guessing the largest type said so;
4. ``--k`` beside the dip's one group: BIC's preference explained.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from clirun import bt  # noqa: E402
from clirun import error_line  # noqa: E402
from swedish import study as swedish  # noqa: E402


# ------------------------------------------------------------ 2. a seed refused in one line
@pytest.mark.parametrize("seed", [-1, 1.5, "7", True])
def test_discover_refuses_a_bad_seed_in_one_line(tmp_path, seed):
    """``discover(seed=-1)`` raised numpy's "expected non-negative integer" (a ValueError
    from deep in the analysis), ``seed=1.5`` a TypeError from SeedSequence."""
    from behaviortypes import pipeline
    from behaviortypes.errors import InputError

    folder = swedish.write_csv_study(tmp_path / "kundstudie", n=60)
    with pytest.raises(InputError) as err:
        pipeline.discover(folder, tmp_path / "ut", seed=seed, make_map=False, cfa=False)
    assert str(err.value).startswith("seed must be a whole number of 0 or more (value "), str(err.value)
    assert "\n" not in str(err.value)
    assert err.value.said("sv").startswith("seed måste vara ett heltal, 0 eller större")
    assert not (tmp_path / "ut").exists()  # refused before anything is written


def test_the_other_public_functions_with_a_seed_refuse_it_alike(tmp_path):
    from behaviortypes import pipeline
    from behaviortypes.errors import InputError

    with pytest.raises(InputError, match=r"^seed must be a whole number of 0 or more \(value -2\)"):
        pipeline.lookalike(tmp_path / "nothing", tmp_path / "kunder.csv", seed=-2)  # random_state before
    with pytest.raises(InputError, match=r"^seed must be a whole number of 0 or more \(value -3\)"):
        pipeline.demo(tmp_path, seed=-3)
    assert not any(tmp_path.iterdir())
    assert pipeline.check_seed(np.int64(4)) == 4


# ------------------------------------------------------------ 3. no better than the guess
def _weak(margin):
    return {"weak": True, "accuracy": 0.36 + margin, "majority_accuracy": 0.36, "largest_type": 1,
            "margin": margin, "low_recall_types": []}


def test_a_weak_model_no_better_than_guessing_says_so():
    """"bara −0,6 procentenheter bättre" read oddly for a model worse than the guess."""
    from behaviortypes.lookalike.weak import weakness_lines

    worse_sv, worse_en = weakness_lines(_weak(-0.006), "sv")[0], weakness_lines(_weak(-0.006), "en")[0]
    assert "procentenheter bättre" not in worse_sv and "−" not in worse_sv, worse_sv
    assert ("träffsäkerheten 35,4\u00a0% är inte bättre än att alltid gissa den största typen, typ 1 (36,0\u00a0%), "
            "utan 0,6 procentenheter sämre") in worse_sv, worse_sv
    assert "is no better than always guessing the largest type, type 1 (36.0%): it is 0.6 points below it" in worse_en
    equal = weakness_lines(_weak(0.0003), "sv")[0]  # prints as 0,0: no better
    assert "inte bättre än att alltid gissa" in equal and "sämre" not in equal and "0,0" not in equal, equal
    assert "no better than always guessing" in weakness_lines(_weak(0.0), "en")[0]
    assert "bara 2,0 procentenheter bättre" in weakness_lines(_weak(0.02), "sv")[0]  # as before


# ------------------------------------------------------------ 4. --k beside the dip's one group
def test_k_set_beside_the_dips_one_group_explains_bics_preference():
    """The reason read "the evidence alone gives one group (BIC 17123 against 17051 ...)"
    beside BIC figures that favour two types."""
    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.i18n import reason_text
    from behaviortypes.segments import TypeFinder
    from behaviortypes.texts import Formatter, load_texts

    rng = np.random.default_rng(0)  # one population with one flat factor (tests/test_unimodal_split.py)
    X = pd.DataFrame(np.column_stack([rng.beta(1.7, 1.7, 1500) * 4, rng.normal(size=(1500, 3))]),
                     columns=["F1", "F2", "F3", "F4"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        tf = TypeFinder(random_state=0, n_resamples=4, n_bootstrap=0, n_jobs=1, k_max=4, k=2).fit(X)
    assert tf.k_ == 2 and tf.k_by_evidence_ == 1
    codes = [c["code"] for c in tf.reason_code_]
    assert "k_reason_user_evidence_unimodal" in codes and "k_reason_user_evidence_one" not in codes
    assert "two types fit better by BIC (17051 against 17123 for one group), but the respondents have a " \
           "single mode along the line that separates the two (Hartigan's dip test, p = 0.87)" in tf.reason_
    sv = reason_text(tf.reason_code_, load_texts("sv"), Formatter("sv"))
    assert ("Enbart evidensen ger en enda grupp: två typer passar bättre enligt BIC (17\u202f051 mot 17\u202f123 för en "
            "grupp), men de svarande har en enda topp längs linjen") in sv, sv
    assert "(Hartigans diptest, p = 0,87), så de är halvor av en grupp: 2 typer valdes med --k" in sv


# ------------------------------------------------------------ 1. the files' sentences in the study's language
def _flat_finder(**kw):
    """One population with one flat factor: the dip's one group (a structure warning with a code)."""
    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.segments import TypeFinder

    rng = np.random.default_rng(0)
    X = pd.DataFrame(np.column_stack([rng.beta(1.7, 1.7, 1500) * 4, rng.normal(size=(1500, 3))]),
                     columns=["F1", "F2", "F3", "F4"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        return TypeFinder(random_state=0, n_resamples=4, n_bootstrap=0, n_jobs=1, k_max=4, min_n=200, **kw).fit(X)


def test_solution_json_says_its_notes_criterion_and_warning_in_the_study_language():
    """``k_evidence[].note``, ``response_styles.criterion`` and ``structure_warning`` were
    English in a Swedish study's ``solution.json``; their codes travel beside them."""
    from behaviortypes.pipeline import solution_said

    tf = _flat_finder()
    assert tf.k_ == 1 and tf.structure_warning_code_ == {"code": "warn_one_group_unimodal", "values": {"p": "0.87"}}
    rows = tf.evidence_.reset_index().to_dict(orient="records")
    assert rows[0]["note"] == "one homogeneous group (no types)"
    assert any(r["note"].startswith("smallest type") and "below the floor of 200 respondents" in r["note"]
               for r in rows)  # (min_n=200: a note with numbers)
    solution = {
        "k_evidence": [{**r, "note_code": tf.evidence_note_codes_[r["k"]]} for r in rows],
        "structure_warning": tf.structure_warning_, "structure_warning_code": tf.structure_warning_code_,
        "response_styles": {"corrected": False, "criterion": "acquiescence variance share and its split-half "
                            "test, and the same- vs opposite-keyed correlation gap before and after"},
    }
    sv = solution_said(solution, "sv")
    notes = [r["note"] for r in sv["k_evidence"]]
    assert notes[0] == "en enda enhetlig grupp (inga typer)", notes
    small = next(n for n in notes if n.startswith("minsta typen"))
    assert "svarande (" in small and "\u00a0%), under golvet på 200 svarande" in small, small
    assert not any("respondents" in n or n == "passes" for n in notes), notes
    assert sv["structure_warning"].startswith("Inga skilda typer: de två typer som passar bäst är halvor av en "
                                              "grupp med en enda topp (Hartigans diptest, p = 0,87)"), sv
    assert sv["response_styles"]["criterion"].startswith("ja-sägandets andel av variansen")
    assert [r["note_code"] for r in sv["k_evidence"]] == [r["note_code"] for r in solution["k_evidence"]]
    assert sv["structure_warning_code"] == solution["structure_warning_code"]  # the codes as they were
    assert solution_said(solution, "en") == solution  # English as written


def test_the_cards_sentences_are_in_the_study_language():
    """``base.method``, ``base.interval``, the two ``measure`` and ``weakness.rule`` were English
    in a Swedish study's ``lookalike_card.json``; English is as it was."""
    from types import SimpleNamespace

    from behaviortypes.lookalike import choose_base_shares
    from behaviortypes.lookalike.train import (IDENTIFIABILITY_MEASURE, _interval_words, _method_words,
                                               raw_shares_reason)
    from behaviortypes.lookalike.weak import weakness

    ident = {"identified": False, "informative": True, "accuracy": 0.669, "majority_accuracy": 0.365,
             "log_loss": 0.758, "prior_log_loss": 1.096, "max_share_se": 0.078, "max_se": 0.05}
    choice = choose_base_shares([0.4, 0.6], [0.45, 0.55], ident, None)
    shift = SimpleNamespace(choice=choice)
    model = SimpleNamespace(chosen_model_="logistic")
    assert _method_words(shift, "en") == choice["method"]
    assert _method_words(shift, "sv").startswith("rått predikterade: kundkolumnerna räcker inte för att skatta")
    assert _interval_words(shift, model, "en").startswith("bootstrap over respondents, refitting the classifier")
    assert _interval_words(shift, model, "sv").startswith("bootstrap över de svarande där klassificeraren skattas om")
    assert _method_words(SimpleNamespace(choice=None), "sv").startswith("Saerens, Latinne & Decaesteckers (2002) EM")
    assert IDENTIFIABILITY_MEASURE.startswith("delta-method standard error of each corrected share")
    # a covariate shift: the columns in the Swedish sentence, and read back from it
    shifted = {**choice, "corrected": False, "reason": "covariate_shift", "columns": ["utbildning", "ålder"]}
    method = _method_words(SimpleNamespace(choice=shifted), "sv")
    assert "enkäten skiljer sig från kundbasen i utbildning, ålder själva, inte bara" in method, method
    said = raw_shares_reason({"label_shift": {"rejected": True}, "method": method})
    assert said.values == {"columns": "utbildning, ålder"}, said
    metrics = {"accuracy": 0.40, "per_type": [{"type_id": 1, "recall": 0.9, "support": 38},
                                              {"type_id": 2, "recall": 0.02, "support": 62}]}
    assert weakness(metrics)["rule"].startswith("weak when the cross-validated accuracy is less than 5% above")
    rule = weakness(metrics, "sv")["rule"]
    assert rule.startswith("svag när den korsvaliderade träffsäkerheten är mindre än 5 procentenheter över"), rule
    assert {k: v for k, v in weakness(metrics, "sv").items() if k != "rule"} == \
        {k: v for k, v in weakness(metrics).items() if k != "rule"}


def test_the_model_schema_refusals_are_said_in_the_study_language():
    """A customer column of the wrong type or with values the model cannot read was refused in
    English in a Swedish study (``score``)."""
    from behaviortypes.errors import InputError
    from behaviortypes.lookalike._features import check_features_against_schema

    schema = [{"name": "senaste_köp", "kind": "date"}, {"name": "besök", "kind": "numeric"}]
    with pytest.raises(InputError) as err:
        check_features_against_schema({"senaste_köp": "int64", "besök": "double"}, schema, file="kunder.parquet")
    assert str(err.value).startswith("kunder.parquet, column 'senaste_köp': has type int64 but the model expects "
                                     "dates (a date type or ISO text such as 2024-05-31)"), str(err.value)
    assert err.value.said("sv").startswith("kunder.parquet, kolumn 'senaste_köp': har typen int64 men modellen "
                                           "väntar sig datum"), err.value.said("sv")
    frame = pd.DataFrame({"senaste_köp": ["2024-05-31"] * 3, "besök": ["3", "många", "5"]})
    with pytest.raises(InputError) as err:
        check_features_against_schema(frame, schema, file="kunder.csv")
    assert "1 value(s) are not numbers as the model expects" in str(err.value), str(err.value)
    assert "1 värde(n) är inte tal som modellen väntar sig" in err.value.said("sv"), err.value.said("sv")


@pytest.fixture(scope="module")
def sv_study(tmp_path_factory):
    """The Swedish test study and its discovery folder ``ut`` (made once per run, at the command line)."""
    from sharedcache import swedish_discovered

    root = tmp_path_factory.mktemp("sv19")
    res = swedish_discovered(tmp_path_factory, root)  # discover kundstudie --out ut --no-map --resamples 10
    assert res.returncode == 0, res.stderr
    return root / "kundstudie", root / "ut"


def test_a_swedish_discovery_folder_says_its_notes_and_reasons_in_swedish(sv_study):
    """End to end: ``solution.json``'s notes and criterion and ``factors.json``'s reason."""
    import json

    _, out = sv_study
    solution = json.loads((out / "solution.json").read_text(encoding="utf-8"))
    notes = {r["k"]: r["note"] for r in solution["k_evidence"]}
    assert notes[1] == "en enda enhetlig grupp (inga typer)" and notes[3] == "godkänd", notes
    assert notes[4].startswith("minsta typen har 19 svarande (5,3\u00a0%), under golvet på 40 svarande; "
                               "inte omsamplad (kan inte väljas)"), notes
    assert solution["k_evidence"][3]["note_code"][0]["code"] == "k_note_small"  # the code beside it
    assert solution["response_styles"]["criterion"].startswith("ja-sägandets andel av variansen")
    factors = json.loads((out / "factors.json").read_text(encoding="utf-8"))
    assert factors["retention"]["reason"].startswith("Parallellanalys som i R psych"), factors["retention"]["reason"]
    assert factors["retention_reason"] == factors["retention"]["reason"] == solution["factor_reason"]
    assert factors["retention"]["rule"] == "psych-pa+substance"  # the code as it was
    # 5. the types follow two statements: a terminal warning only before, now in solution.json
    assert solution["statements_warning_code"]["code"] == "warn_two_statements", solution.get("statements_warning_code")
    assert solution["statements_warning"].startswith("de 3 typerna följer i stort sett svaren på s03 + s14 (86,9 % "
                                                     "av de svarande"), solution["statements_warning"]


def test_a_stray_text_in_a_number_column_is_refused_in_the_study_language(sv_study, tmp_path):
    """``lookalike``: "mostly numbers but 1 value(s) are text" in a Swedish study before."""
    _, out = sv_study
    frame, _ = swedish.responses()
    base = pd.DataFrame({"kundnummer": frame["kundnummer"], "besök": np.arange(len(frame)) % 40})
    base["besök"] = base["besök"].astype(object)
    base.loc[16, "besök"] = "många"
    base.to_csv(tmp_path / "kunder.csv", index=False)
    line = error_line(bt("lookalike", out, "--customers", tmp_path / "kunder.csv"))
    assert line == (f"fel: kolumn 'besök': mest tal men 1 värde(n) är text, t.ex. 'många' (kund "
                    f"{frame['kundnummer'][16]}). Tips: rätta eller töm de cellerna i kundfilen (tomma celler "
                    "räknas som saknade)"), line
