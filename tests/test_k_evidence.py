"""What ``--k`` and the overlap box say (user trial 7, findings 2, 7 and 11).

On ECSI mobi (236 respondents) ``discover --k 3`` said "k=3 was set by the user; evidence:
passes." (an internal token), ``evidence_k.csv`` held only the k = 3 row (README: it starts
with k = 1 in every study) and nothing said that the evidence alone gave one group (BIC 1742
for k = 1 against 1748 for k = 2). The continuum box always ended with "searching more types
(TypeFinder(k_max=...)) shows whether the BIC ever stops falling", also when the BIC had its
minimum inside the range; the search went up to 10 types where 236 respondents hold at most
5 types of 40; and discover printed two blank lines after "Finding behaviour types …".
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from behaviortypes.errors import SurveyQualityWarning
from behaviortypes.i18n import reason_text
from behaviortypes.report.render import Formatter, load_texts
from behaviortypes.segments import TypeFinder
from behaviortypes.stages import continuum_reason

ROOT = Path(__file__).parents[1]


def _fit(X, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyQualityWarning)
        return TypeFinder(n_resamples=4, n_jobs=1, n_bootstrap=0, random_state=0, **kw).fit(X)


def _said(tf, lang):
    return reason_text(tf.reason_code_, load_texts(lang), Formatter(lang))


@pytest.fixture(scope="module")
def one_blob():
    rng = np.random.default_rng(1)
    return pd.DataFrame(rng.normal(size=(300, 2)), columns=["F1", "F2"])


@pytest.fixture(scope="module")
def two_groups():
    rng = np.random.default_rng(2)
    X = np.vstack([rng.normal(-2.5, 1, size=(200, 2)), rng.normal(2.5, 1, size=(200, 2))])
    return pd.DataFrame(X, columns=["F1", "F2"])


def test_user_k_keeps_the_whole_evidence_and_says_the_evidence_gives_one_group(one_blob):
    free = _fit(one_blob)
    assert free.k_ == 1
    tf = _fit(one_blob, k=3)
    assert tf.k_ == 3 and tf.labels_.nunique() == 3
    # every k of the range, k = 1 first, as without --k; the user's k is the chosen row
    assert list(tf.evidence_.index) == list(free.evidence_.index)
    assert tf.evidence_.index[0] == 1 and tf.evidence_.loc[3, "chosen"]
    assert tf.k_by_evidence_ == 1 and tf.to_dict()["k_by_evidence"] == 1
    assert "passes" not in tf.reason_
    assert "The evidence alone gives one group" in tf.reason_ and "3 types were set with --k" in tf.reason_
    en, sv = _said(tf, "en"), _said(tf, "sv")
    assert "The evidence alone gives one group" in en and "3 types were set with --k" in en
    assert "Enbart evidensen ger en enda grupp" in sv and "3 typer valdes med --k" in sv
    # the BIC of one group and of the best set of types, as the one-group reason gives them
    one = float(tf.evidence_.loc[1, "bic_best"])
    assert f"BIC {one:.0f}" in tf.reason_


def test_user_k_says_how_many_types_the_evidence_gives(two_groups):
    tf = _fit(two_groups, k=3)
    assert tf.k_ == 3 and tf.k_by_evidence_ == 2
    assert "The evidence alone gives 2 types; 3 were set with --k." in tf.reason_
    assert "Enbart evidensen ger 2 typer; 3 valdes med --k." in _said(tf, "sv")
    same = _fit(two_groups, k=2)
    assert same.k_by_evidence_ == 2 and "The evidence alone gives the same number" in same.reason_


def test_search_is_bounded_by_the_respondents_a_type_needs(one_blob):
    small = one_blob.iloc[:236]
    tf = _fit(small)
    # 236 respondents hold at most 5 types of 40 (min_n): 6-10 are never fitted
    assert tf.evidence_.index.max() == 5
    assert "236 respondents hold at most 5 types of 40" in tf.reason_
    assert "236 svarande rymmer högst 5 typer om 40" in _said(tf, "sv")
    # a smaller floor lets the range reach k_max (n // 20 = 11 > 10): nothing to say
    wide = _fit(small, min_n=20)
    assert wide.evidence_.index.max() == 10 and "hold at most" not in wide.reason_
    # --k beyond the bound: fitted all the same (the user's k is the top of the evidence)
    user = _fit(small, k=7)
    assert user.k_ == 7 and user.evidence_.index.max() == 7


def test_continuum_box_asks_for_more_types_only_when_the_bic_still_falls():
    edge = [{"code": "k_reason_edge_range", "values": {"k": 10, "k_prev": 9, "diff": 12.0}}]
    for lang, more in (("en", "k_max"), ("sv", "k_max")):
        texts, fmt = load_texts(lang), Formatter(lang)
        at_edge = reason_text(continuum_reason(10, edge, 0.9), texts, fmt)
        assert more in at_edge and "scores.csv" in at_edge
        # overlap only (mobi: k = 1 best; Big Five: the BIC's minimum at 8 of 10)
        inside = reason_text(continuum_reason(8, [{"code": "k_reason_bic", "values": {}}], 0.57), texts, fmt)
        assert more not in inside and "scores.csv" in inside and "--k" in inside
    both = reason_text(continuum_reason(10, edge, 0.57), load_texts("en"), Formatter("en"))
    assert "k_max" in both


def test_readme_says_what_discover_prints_for_overlapping_types():
    """README promised a `warning:` line for overlapping types; discover says it once, in the
    summary's continuum box (session 12), and Python users get a TypesOverlapWarning."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    para = readme[readme.index("When the types overlap"):]
    para = para[:para.index("\n\n")] if "\n\n" in para else para
    assert "`discover` warns" not in para
    assert "Read with care" in para and "TypesOverlapWarning" in para


@pytest.fixture(scope="module")
def k3_run(tmp_path_factory):
    """``discover --k 3`` in a subprocess on a study with no types (one population, 250
    respondents), as the trial ran it on mobi."""
    from behaviortypes.synth import make_study

    root = tmp_path_factory.mktemp("k3")
    survey = root / "survey"
    make_study(survey, seed=1, n_respondents=250, n_customers=500, n_interviews=4, separation=0.0,
               items_per_dimension=3, cross_loadings=())
    out = root / "out"
    run = subprocess.run([sys.executable, "-m", "behaviortypes.cli", "discover", str(survey), "--out", str(out),
                          "--k", "3", "--resamples", "10", "--no-map", "--lang", "en"],
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return out, run


@pytest.mark.slow
def test_discover_with_k_says_what_the_evidence_alone_gives(k3_run):
    out, run = k3_run
    text = run.stdout
    types = [line for line in text.splitlines() if line.startswith("Types: k = 3")]
    assert len(types) == 1 and "The evidence alone gives one group" in types[0], text
    assert "passes" not in text
    sol = json.loads((out / "solution.json").read_text())
    assert sol["k"] == 3 and sol["k_by_evidence"] == 1
    ev = pd.read_csv(out / "evidence_k.csv")
    assert ev["k"].iloc[0] == 1 and len(ev) > 2 and ev.loc[ev["chosen"], "k"].tolist() == [3]
    # the bound of the search is said where the range is (effective respondents / 40: the
    # demo study has survey weights)
    import re

    said = re.search(r"(\d+) respondents \(effective number, with the survey weights\) hold at most "
                     r"(\d+) types of 40", sol["k_reason"])
    assert said, sol["k_reason"]
    assert int(said[1]) < sol["n_kept"] and int(said[1]) // 40 == int(said[2]) == ev["k"].max()


@pytest.mark.slow
def test_discover_progress_has_no_blank_lines(k3_run):
    _, run = k3_run
    lines = run.stdout.splitlines()
    step = next(i for i, line in enumerate(lines) if "Finding behaviour types" in line)
    assert lines[step + 1].strip().startswith("done in"), lines[step:step + 4]
    assert "" not in [line.strip() for line in lines]


@pytest.mark.slow
@pytest.mark.parametrize("lang, said", [("en", "The evidence alone gives one group"),
                                        ("sv", "Enbart evidensen ger en enda grupp")])
def test_report_appendix_says_what_the_evidence_alone_gives(k3_run, lang, said):
    from behaviortypes.report import load_report_data
    from behaviortypes.report.render import build_context

    out, _ = k3_run
    ctx = build_context(load_report_data(out), lang)
    assert said in ctx["appendix"]["k"]["reason"]
    rows = ctx["appendix"]["k"]["lpa"]
    assert len(rows) > 2  # the whole evidence, not one point


@pytest.mark.slow
@pytest.mark.parametrize("lang, said", [("en", "The evidence alone gives one group"),
                                        ("sv", "Enbart evidensen ger en enda grupp")])
def test_report_overview_says_the_number_was_set(k3_run, tmp_path, lang, said):
    """The overview page, before the table of types: a client PDF that says "3 behaviour
    types" also says that the data alone gave one group."""
    from behaviortypes.report import load_report_data
    from behaviortypes.report.render import build_context, render_report

    out, _ = k3_run
    assert said in build_context(load_report_data(out), lang)["overview"]["set_k"]
    html = next(p for p in render_report(out, out_dir=tmp_path, lang=lang, formats=("html",))
                if p.suffix == ".html").read_text(encoding="utf-8")
    overview = html[html.index('id="sec-overview"'):html.index('<table class="types"')]
    assert said in overview


def test_overlap_sentence_tells_value_and_threshold_apart():
    """User trial 8: "entropy 0.70, below 0.70" (the value was 0.697). When two numbers of a
    sentence round alike at two decimals, both get the decimals that tell them apart."""
    plain = [{"code": "k_reason_bic", "values": {}}]
    for lang, want in (("en", ("0.697", "0.700")), ("sv", ("0,697", "0,700"))):
        text = reason_text(continuum_reason(4, plain, 0.6972, typed_differently=0.14),
                           load_texts(lang), Formatter(lang))
        assert all(w in text for w in want), text
        far = reason_text(continuum_reason(4, plain, 0.57), load_texts(lang), Formatter(lang))
        assert ("0.57" if lang == "en" else "0,57") in far and "0.570" not in far and "0,570" not in far
