"""Session 19 (REP19): what the report did not say (user trial 19, poLCA's gss82).

1. ``solution.json``'s ``structure_warning`` ("Weak evidence for distinct types …") was
   written but never shown: the PDF had two personas "stability 1.00" and no word of it. Now
   in the overview's box and on the evidence page, in the report's language.
2. The evidence table printed the chosen k in bold with BIC "–" (every fit set aside) and a
   BLRT p for numbers of types whose fits were all set aside; now the p is "–" and the notes
   under the table say why.
3. "1 dimensions retained" / "1 dimensioner behålls": singular for one.
4. ``statements_warning`` (the types follow at most two statements) on the evidence page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from markupsafe import escape

from behaviortypes.i18n import reason_text
from behaviortypes.report import build_context, load_report_data
from behaviortypes.report.render import (
    Formatter,
    load_texts,
    lpa_notes,
    render_html,
    structure_warning_text,
)

from reportfixture import make_discovery_folder

NO_FIT = ("Weak evidence for distinct types: at every number of types whose types are large enough, every "
          "mixture fit has a type that collapses onto identical answers; the smallest such number is reported.")


def _edit_solution(disc: Path, **fields) -> None:
    path = disc / "solution.json"
    sol = json.loads(path.read_text(encoding="utf-8"))
    sol.update(fields)
    path.write_text(json.dumps(sol), encoding="utf-8")


def _set_aside_evidence(disc: Path) -> None:
    """evidence_k.csv as the trial's gss82 run wrote it: one group with a BIC, every fit of
    k = 2..4 set aside (no BIC) but with a BLRT p, k = 2 kept."""
    ev = pd.DataFrame({
        "k": [1, 2, 3, 4],
        "bic_best": [3043.8, np.nan, np.nan, np.nan],
        "set_aside": ["", "bic, bic_full", "bic, bic_full", "bic, bic_full"],
        "entropy": [np.nan, 0.93, 0.92, 0.92],
        "n_min": [600, 210, 150, 44],
        "min_share": [1.0, 0.35, 0.25, 0.073],
        "avepp_min": [1.0, 0.97, 0.94, 0.92],
        "blrt_p": [np.nan, 0.048, 0.048, np.nan],
        "jaccard_min": [np.nan, 1.0, np.nan, np.nan],
    })
    ev.to_csv(disc / "evidence_k.csv", index=False)


def _page(html: str, section: str) -> str:
    """The HTML of one section (``overview``, ``k`` …)."""
    m = re.search(rf'<section id="sec-{section}".*?</section>', html, flags=re.S)
    assert m, section
    return m.group(0)


@pytest.fixture(scope="module")
def weak(tmp_path_factory):
    """A two-type study whose every fit was set aside, with the weak-evidence warning."""
    disc = make_discovery_folder(tmp_path_factory.mktemp("rep19") / "disc", k=2, n=600, seed=19,
                                 with_lookalike=False, with_quotes=False)
    _edit_solution(disc, structure_warning=NO_FIT,
                   structure_warning_code={"code": "warn_types_no_fit", "values": {}})
    _set_aside_evidence(disc)
    return disc


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_weak_evidence_warning_is_on_the_overview_and_the_evidence_page(weak, lang):
    t = load_texts(lang)
    html = render_html(load_report_data(weak).in_language(lang), lang)
    said = t["warn_types_no_fit"]
    assert said in _page(html, "overview")
    assert said in _page(html, "k")
    assert t["structure_warning_title"] in _page(html, "overview")
    if lang == "sv":
        assert "Weak evidence" not in html


def test_an_older_folder_without_the_code_is_said_in_the_reports_language():
    sol = {"structure_warning": NO_FIT}  # before structure_warning_code: the English text only
    assert structure_warning_text(sol, load_texts("sv"), Formatter("sv")) == load_texts("sv")["warn_types_no_fit"]
    other = {"structure_warning": "Weak evidence for distinct types: something new."}
    assert structure_warning_text(other, load_texts("sv"), Formatter("sv")) == other["structure_warning"]
    assert structure_warning_text({}, load_texts("en"), Formatter("en")) == ""


def test_a_coded_warning_writes_its_numbers_as_the_language_does():
    sol = {"structure_warning": "Weak evidence …",
           "structure_warning_code": {"code": "warn_types_unstable", "values": {"jaccard": "0.43"}}}
    assert "0,43" in structure_warning_text(sol, load_texts("sv"), Formatter("sv"))
    assert "0.43" in structure_warning_text(sol, load_texts("en"), Formatter("en"))


def test_no_warning_no_box(tmp_path):
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=400, seed=3, with_lookalike=False, with_quotes=False)
    ctx = build_context(load_report_data(disc), "en")
    assert ctx["overview"]["structure"] == "" and ctx["appendix"]["k"]["structure"] == ""
    assert ctx["appendix"]["k"]["lpa_set_aside"] == ctx["appendix"]["k"]["lpa_chosen_no_bic"] == ""
    assert load_texts("en")["structure_warning_title"] not in render_html(load_report_data(disc), "en",
                                                                          context=ctx)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_set_aside_k_shows_no_blrt_and_the_kept_k_without_bic_is_explained(weak, lang):
    t = load_texts(lang)
    ctx = build_context(load_report_data(weak), lang)
    kpage = ctx["appendix"]["k"]
    rows = {r["k"]: r for r in kpage["lpa"]}
    assert rows[2]["chosen"] and rows[2]["bic"] == "–"
    assert rows[2]["blrt"] == rows[3]["blrt"] == "–"  # p = 0.048 for fits that all collapsed
    assert kpage["lpa_set_aside"] == t["lpa_blrt_set_aside"].format(ks="2, 3")
    assert kpage["lpa_chosen_no_bic"] == t["lpa_chosen_no_bic"].format(k=2)
    page = _page(render_html(load_report_data(weak), lang, context=ctx), "k")
    assert kpage["lpa_set_aside"] in page and kpage["lpa_chosen_no_bic"] in page


def test_a_k_with_a_bic_keeps_its_blrt():
    t = load_texts("en")
    ev = pd.DataFrame({"k": [1, 2, 3], "bic_best": [3000.0, 2900.0, np.nan],
                       "blrt_p": [np.nan, 0.01, 0.2], "entropy": [np.nan, 0.9, 0.8]})
    from behaviortypes.report import render as r
    rows = r._lpa_rows(ev, 2, Formatter("en"))
    assert [x["blrt"] for x in rows] == ["", "0.010", "–"]
    assert lpa_notes(rows, t) == (t["lpa_blrt_set_aside"].format(ks="3"), "")


@pytest.mark.parametrize("lang,wrong", [("en", "1 dimensions"), ("sv", "1 dimensioner")])
def test_one_dimension_is_singular(tmp_path, lang, wrong):
    disc = make_discovery_folder(tmp_path / "disc", k=2, n=400, seed=4, with_lookalike=False, with_quotes=False)
    _edit_solution(disc, n_factors=1)
    retained = build_context(load_report_data(disc), lang)["appendix"]["measurement"]["retained"]
    assert retained.startswith("1 ") and wrong not in retained
    two = make_discovery_folder(tmp_path / "two", k=2, n=400, seed=4, with_lookalike=False, with_quotes=False)
    _edit_solution(two, n_factors=2)
    assert build_context(load_report_data(two), lang)["appendix"]["measurement"]["retained"] == \
        load_texts(lang)["retained_note"].format(m=2)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_few_statements_warning_is_on_the_evidence_page(tmp_path, lang):
    disc = make_discovery_folder(tmp_path / "disc", k=2, n=400, seed=5, with_lookalike=False, with_quotes=False)
    values = {"k": 2, "n": 1, "items": "'accuracy'", "share": 0.92}
    _edit_solution(disc, statements_warning="the 2 types are told apart by 1 statement alone …",
                   statements_warning_code={"code": "warn_few_statements_one", "values": values})
    expected = reason_text({"code": "warn_few_statements_one", "values": values}, load_texts(lang), Formatter(lang))
    expected = str(escape(expected[:1].upper() + expected[1:]))[:150]  # options are set unbroken after
    html = render_html(load_report_data(disc).in_language(lang), lang)
    assert expected in _page(html, "k")
    assert expected not in _page(html, "overview")


def test_the_bic_panel_says_the_kept_k_has_no_bic():
    from behaviortypes import plots

    ev = pd.DataFrame({"k": [1, 2, 3], "bic_best": [3043.8, np.nan, np.nan], "silhouette": [np.nan, 0.5, 0.6]})

    def texts(fig):
        return [t.get_text() for a in fig.axes for t in a.texts]

    fig = plots.plot_k_evidence(ev, chosen_k=2, labels=plots.labels_in("sv")["k"])
    assert "k = 2: inget BIC" in texts(fig)
    ok = ev.assign(bic_best=[3043.8, 2900.0, 2950.0])
    assert not any("BIC" in s for s in texts(plots.plot_k_evidence(ok, chosen_k=2)))
