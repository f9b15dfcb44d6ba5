"""Types that are a convenient cut of a continuum are said to be so (session 11, PISA trial).

On the PISA 2009 reading-attitude study (one factor by Velicer's MAP) the type finder kept
10 types at the top of the searched range (k_max 10, the BIC still falling) with entropy
0.68, and the report's headline presented the 10 types as found. The finder already gave
the reason code ``k_reason_edge_range``; the headline, the evidence appendix and
``discover``'s terminal summary now say, in English and Swedish, that such types are a cut
of a continuum and what to do.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from behaviortypes.errors import SurveyQualityWarning
from behaviortypes.pipeline import DiscoveryResult, continuum_lines
from behaviortypes.segments import TypeFinder
from behaviortypes.stages import CONTINUUM_ENTROPY, continuum_reason

sys.path.insert(0, str(Path(__file__).parent))
from reportfixture import make_discovery_folder  # noqa: E402

SAID = {"en": "convenient cut of a continuum, not distinct groups",
        "sv": "bekvämt snitt genom ett kontinuum, inte skilda grupper"}
TITLE = {"en": "Read with care: a continuum, not distinct groups",
         "sv": "Läs med försiktighet: ett kontinuum, inte skilda grupper"}


@pytest.fixture(scope="module")
def edge_finder():
    """A fitted finder on a continuum (uniform scores, no groups) searched up to k = 3:
    the BIC still falls at 3, so k is the top of the range."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.uniform(-1.7, 1.7, size=(600, 2)), columns=["F1", "F2"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        return TypeFinder(k_max=3, n_resamples=10, random_state=0, n_jobs=1).fit(X)


def test_a_fitted_edge_of_range_result_is_a_continuum(edge_finder):
    tf = edge_finder
    assert tf.k_ == 3 and "k_reason_edge_range" in [c["code"] for c in tf.reason_code_]
    codes = continuum_reason(tf.k_, tf.reason_code_, entropy=0.95)  # well separated, yet at the edge
    assert [c["code"] for c in codes] == ["k_continuum_edge", "k_continuum_body", "k_continuum_todo"]
    assert codes[0]["values"]["k"] == 3 and codes[0]["values"]["k_prev"] == 2
    # heavy overlap alone: entropy below the cut at which discover warns of overlap (0.7)
    plain = [c for c in tf.reason_code_ if c["code"] != "k_reason_edge_range"]
    assert CONTINUUM_ENTROPY == 0.7
    assert continuum_reason(3, plain, 0.75) == []  # real types with a small one: 0.7-0.8
    assert [c["code"] for c in continuum_reason(3, plain, 0.68)][0] == "k_continuum_overlap"
    # neither: nothing to say (the demo: k = 5, entropy 0.94); nor for one group
    assert continuum_reason(3, plain, 0.94) == []
    assert continuum_reason(3, plain, float("nan")) == []
    assert continuum_reason(1, tf.reason_code_, 0.2) == []


def _edge_folder(tmp_path, tf) -> Path:
    """The report fixture (k = 3) with the fitted finder's evidence and reason codes."""
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=400, seed=3, with_quotes=False, with_lookalike=False)
    sol = json.loads((disc / "solution.json").read_text())
    ev = tf.evidence_.reset_index()
    sol["k_reason_code"] = tf.reason_code_
    sol["k_evidence"] = json.loads(ev.to_json(orient="records"))
    (disc / "solution.json").write_text(json.dumps(sol))
    ev.to_csv(disc / "evidence_k.csv", index=False)
    return disc


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_report_headline_and_appendix_say_continuum(tmp_path, edge_finder, lang):
    from behaviortypes.report import load_report_data
    from behaviortypes.report.render import build_context, render_report

    plain = make_discovery_folder(tmp_path / "plain", k=3, n=400, seed=3, with_quotes=False, with_lookalike=False)
    assert not build_context(load_report_data(plain), lang)["overview"]["continuum"]
    disc = _edge_folder(tmp_path, edge_finder)
    ctx = build_context(load_report_data(disc), lang)
    for text in (ctx["overview"]["continuum"], ctx["appendix"]["k"]["continuum"]):
        assert SAID[lang] in text and "scores.csv" in text and "--k" in text and "k_max" in text
        assert ("3 types is the largest number that was searched" if lang == "en"
                else "3 typer är det största antal som prövades") in text
    out = render_report(disc, out_dir=tmp_path / "rep", lang=lang, formats=("html",))
    html = next(p for p in out if p.suffix == ".html").read_text(encoding="utf-8")
    overview = html[html.index('id="sec-overview"'):html.index('<table class="types"')]
    assert TITLE[lang] in overview and SAID[lang] in overview  # before the table of types
    assert html.count(TITLE[lang]) == 2  # the headline and the evidence appendix


def test_discover_summary_says_continuum(tmp_path, edge_finder):
    disc = _edge_folder(tmp_path, edge_finder)
    sol = json.loads((disc / "solution.json").read_text())
    stub = SimpleNamespace(solution={**sol, "k_reason": "3 types: ...", "n_factors": 2, "factor_reason": "...",
                                     "n_kept": 400, "n_respondents": 400},
                           factors=SimpleNamespace(styles=None, cfa=None, model=SimpleNamespace(loadings_=[])), profiling=SimpleNamespace(summary=lambda *a, **k: "  1. A"),
                           typing_tool=None, out=disc)
    text = DiscoveryResult.summary(stub)
    lines = text.splitlines()
    said = [i for i, line in enumerate(lines) if SAID["en"] in line]
    assert len(said) == 1 and lines[said[0] - 1].startswith("Types: k = 3") and lines[said[0] + 1] == "  1. A"
    assert TITLE["en"] in lines[said[0]]
    assert SAID["sv"] in continuum_lines(sol, "sv")[0]
    # a clear solution says nothing
    clear = {**sol, "k_reason_code": [c for c in sol["k_reason_code"] if c["code"] != "k_reason_edge_range"],
             "k_evidence": [{**r, "entropy": 0.95} for r in sol["k_evidence"]]}
    assert continuum_lines(clear) == []


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_report_says_the_overlap_once_per_place(tmp_path, edge_finder, lang):
    """Heavy overlap (entropy 0.66): the headline's box and the evidence appendix's box say it,
    with the share of respondents in another type; the appendix no longer repeats it in a
    note under the latent-profile table (session 12; it said it three times)."""
    from behaviortypes.report.render import render_report

    disc = _edge_folder(tmp_path, edge_finder)
    ev = pd.read_csv(disc / "evidence_k.csv")
    ev.loc[ev["k"] == 3, ["entropy", "typed_differently"]] = [0.66, 0.184]
    ev.to_csv(disc / "evidence_k.csv", index=False)
    out = render_report(disc, out_dir=tmp_path / "rep", lang=lang, formats=("html",))
    html = next(p for p in out if p.suffix == ".html").read_text(encoding="utf-8")
    said = "The types overlap" if lang == "en" else "Typerna överlappar"
    assert html.count(said) == 2  # the headline and the evidence appendix, once each
    share = "about 18.4% of respondents" if lang == "en" else "omkring 18,4\u00a0% av de svarande"
    assert html.count(share) == 2
    appendix = html[html.index('id="sec-k"'):]
    assert appendix.count(said) == 1


def _user_k_folder(tmp_path) -> Path:
    """The report fixture (k = 3) as after ``discover --k 3`` where the evidence alone gave 2
    types, with heavily overlapping types (entropy 0.62 at k = 3)."""
    disc = make_discovery_folder(tmp_path / "userk", k=3, n=400, seed=3, with_quotes=False, with_lookalike=False)
    sol = json.loads((disc / "solution.json").read_text())
    sol["k_reason_code"] = [{"code": "k_reason_user", "values": {"k": 3}},
                            {"code": "k_reason_user_evidence", "values": {"k": 3, "k_evidence": 2}}]
    ev = pd.read_csv(disc / "evidence_k.csv")
    ev["entropy"] = 0.9
    ev.loc[ev["k"] == 3, "entropy"] = 0.62
    ev.to_csv(disc / "evidence_k.csv", index=False)
    sol["k_evidence"] = json.loads(ev.to_json(orient="records"))
    (disc / "solution.json").write_text(json.dumps(sol))
    return disc


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_continuum_box_does_not_advise_k_to_a_user_who_set_it(tmp_path, lang):
    """Session 14: after `discover --k 3` the box still said "fix a number of types you can act
    on (discover --k K)"."""
    from behaviortypes.report import load_report_data
    from behaviortypes.report.render import build_context

    disc = _user_k_folder(tmp_path)
    sol = json.loads((disc / "solution.json").read_text())
    assert [c["code"] for c in continuum_reason(3, sol["k_reason_code"], 0.62)][-1] == "k_continuum_todo_user"
    ctx = build_context(load_report_data(disc), lang)
    said = {"en": "the 3 types were set with --k", "sv": "de 3 typerna valdes med --k"}[lang]
    for text in (ctx["overview"]["continuum"], ctx["appendix"]["k"]["continuum"], continuum_lines(sol, lang)[0]):
        assert SAID[lang] in text and "scores.csv" in text
        assert "discover --k K" not in text, text
        assert said in text, text
    # chosen on evidence, the advice is unchanged
    codes = [c["code"] for c in continuum_reason(3, [{"code": "k_reason_bic", "values": {}}], 0.62)]
    assert codes[-1] == "k_continuum_todo_overlap"


def test_a_cli_option_is_never_broken_across_lines_in_the_report(tmp_path):
    """Session 14: "--k" broke across lines (at its hyphen) in the Swedish overview's PDF text."""
    import re

    from behaviortypes.report.render import render_report

    disc = _user_k_folder(tmp_path)
    out = render_report(disc, out_dir=tmp_path / "rep", lang="sv", formats=("html",))
    html = next(p for p in out if p.suffix == ".html").read_text(encoding="utf-8")
    body = html[html.index("<body"):]
    text_only = re.sub(r"<style.*?</style>|<svg.*?</svg>", "", body, flags=re.S)
    options = re.findall(r"(?<![\w-])--[a-z][\w-]*", re.sub(r"<[^>]*>", "", text_only))  # in the text, not in CSS
    assert "--k" in options
    kept = re.findall(r'<span class="opt">(--[a-z][\w-]*)</span>', text_only)
    assert len(kept) == len(options), (options, kept)
