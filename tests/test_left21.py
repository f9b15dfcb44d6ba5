"""Session 21, LEFT21: what session 20's final read found and left (one name function, the
notes said without the report stack, one weak-evidence sentence, fewer banner rounds, the
typing tool's caution, the customer base's missing words) and the stability figure's page."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pytest


def _run_python(code: str) -> str:
    res = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return res.stdout


# 1. the levels box names the factor with the report's one function -----------------------------

def test_levels_box_names_the_factor_with_the_reports_function(monkeypatch):
    """``_factor_said`` had its own twin of ``report.data.pretty_name``: a change to how the
    report names a factor would not reach the levels box. Both now call ``column_label``."""
    import behaviortypes.instrument as instrument
    import behaviortypes.report.data as data
    from behaviortypes import stages
    from behaviortypes.report.data import pretty_name

    assert pretty_name("negative_affectivity") == "Negative affectivity"
    assert stages._factor_said("F2", "negative_affectivity").values["name"] == "Negative affectivity"
    for awkward in ("  kundtjänst_kontakter ", "a__b", "x"):
        assert stages._factor_said("F2", awkward).values["name"] == pretty_name(awkward)
    fake = lambda name, labels=None: f"<{name}>"  # noqa: E731
    monkeypatch.setattr(instrument, "column_label", fake)
    monkeypatch.setattr(data, "column_label", fake)  # the report's import of the same function
    assert pretty_name("research_depth") == "<research_depth>"
    assert stages._factor_said("F2", "research_depth").values["name"] == "<research_depth>"
    assert stages._factor_said("F2", "research_depth (part 2)").values["name"] == "<research_depth>"


# 2. a Swedish evidence note does not import the report stack ------------------------------------

def test_swedish_evidence_notes_do_not_import_the_report_stack():
    out = _run_python("""
        import sys
        import pandas as pd
        from behaviortypes.stages import evidence_notes_said
        ev = pd.DataFrame({"note": ["passes", "one homogeneous group (no types)"]}, index=[2, 1])
        codes = {2: [{"code": "k_note_passes", "values": {}}], 1: [{"code": "k_note_one_group", "values": {}}]}
        said = evidence_notes_said(ev, codes, "sv")
        print(said["note"].tolist() != ev["note"].tolist())
        print(sorted(m for m in sys.modules if m.startswith("behaviortypes.report")))
    """)
    changed, report_modules = out.strip().splitlines()
    assert changed == "True"
    assert report_modules == "[]"


# 3. the typing tool's weak-evidence caution is the report catalogue's sentence ------------------

def test_the_typing_tools_weak_evidence_caution_is_the_report_catalogues():
    import behaviortypes.deliver.texts as deliver_texts
    from behaviortypes.deliver.texts import ui_text
    from behaviortypes.texts import load_texts

    for lang in ("en", "sv"):
        said = load_texts(lang)["weak_evidence_types"]
        assert ui_text(lang)["weak_evidence"] == said
        assert said.startswith(load_texts(lang)["structure_warning_title"])  # the report's box title
        assert "weak_evidence" not in deliver_texts._TEXT[lang]  # no second copy to drift


# 4. banner suppression protects every separate block of a round at once -------------------------

def _two_block_copies(copies: int) -> dict[str, list[int]]:
    """Trial 20's two hidden 2 x 2 blocks joined by one cell, once per four types: each copy
    gives its joining cell away, and no copy shares a line's hidden cells with another."""
    base = [[5, 5, 40, 40], [5, 5, 5, 40], [40, 40, 5, 5], [40, 40, 5, 5]]
    out = {}
    for k in range(copies):
        for r, row in enumerate(base):
            vals = [60] * (4 * copies)
            vals[4 * k:4 * k + 4] = row
            out[f"c{k}_{r}"] = vals
    return out


def test_banner_protects_cells_given_away_in_separate_blocks_in_one_round(monkeypatch):
    """Three copies: one null-space check per added cell (four checks) before; now one round
    adds a cell in each block (two checks), and nothing hidden can be worked out."""
    import numpy as np

    import behaviortypes.describe.banner as banner
    from behaviortypes.describe.banner import banner_lines, banner_table

    from banner_tables import table_from_counts

    counts = _two_block_copies(3)
    checks, original = [], banner.recoverable_cells
    monkeypatch.setattr(banner, "recoverable_cells", lambda h, lines: checks.append(1) or original(h, lines))
    tab = banner_table(*table_from_counts(counts), min_cell=10)
    t = tab.reset_index(drop=True)
    assert len(checks) == 2
    assert not original(t["n"].isna(), banner_lines(t)).any()
    hidden = t[t["n"].isna()]
    assert len(hidden) == 30  # the nine small cells of each copy and its one added cell
    assert int(np.nansum(t["n"])) == sum(map(sum, counts.values())) - 255


# 5. typing-tool --score and score say the weak evidence once, as a warning line ----------------

def _weak(disc):
    import json

    path = disc / "solution.json"
    sol = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {  # as discover writes it
        "n_respondents": 300, "n_kept": 300, "n_factors": 1, "factor_reason": "", "factor_evidence": [], "k": 3,
        "k_reason": "", "k_evidence": [], "seed": 4,
        "sizes": {str(t): {"n": 100, "share": 1 / 3, "ci_low": 0.0, "ci_high": 1.0} for t in (1, 2, 3)}}
    sol.update(structure_warning="No set of types fits the answers clearly better than one group.")
    path.write_text(json.dumps(sol), encoding="utf-8")
    return disc


def test_typing_tool_score_warns_once_in_swedish_when_the_evidence_is_weak(tmp_path):
    from clirun import bt, ok_lines
    from test_cli_polish import answers_rows
    from test_typing_deliverables import _make_study

    from behaviortypes.deliver import load_typing_spec
    from behaviortypes.texts import load_texts

    disc = _make_study(tmp_path / "sv", k=3, lo=1, hi=5, n_items=8, n=300, seed=4, language="sv",
                       names=["Utforskarna", "Planerarna", "Jägarna"], taglines=["a", "b", "c"],
                       texts=["I plan.", "I compare.", "I buy."])
    (tmp_path / "answers.csv").write_text("\n".join(answers_rows(list(load_typing_spec(disc).items), 20)) + "\n",
                                          encoding="utf-8")
    fine = bt("typing-tool", disc, "--score", tmp_path / "answers.csv", "--out", tmp_path / "fine.csv")
    ok_lines(fine)
    said = load_texts("sv")["warn_weak_evidence_scored"]
    assert said not in fine.stderr
    res = bt("typing-tool", _weak(disc), "--score", tmp_path / "answers.csv", "--out", tmp_path / "typed.csv")
    ok_lines(res)
    assert [line for line in res.stderr.splitlines() if "structure_warning" in line] == ["varning: " + said]
    assert list(pd.read_csv(tmp_path / "typed.csv", sep=None, engine="python").columns) == \
        list(pd.read_csv(tmp_path / "fine.csv", sep=None, engine="python").columns)  # no new column


def test_score_warns_once_when_the_discovery_gave_weak_evidence(tmp_path):
    from clirun import bt, ok_lines
    from test_scoring import discovery_with_lookalike

    from behaviortypes.texts import load_texts

    disc, frame = discovery_with_lookalike(tmp_path / "disc")
    frame.to_csv(tmp_path / "customers.csv", index=False)
    res = bt("score", _weak(disc), "--customers", tmp_path / "customers.csv", "--out", tmp_path / "scored.csv")
    ok_lines(res)
    said = "warning: " + load_texts("en")["warn_weak_evidence_scored"]
    assert [line for line in res.stderr.splitlines() if "structure_warning" in line] == [said]


# 6. the customer base reads and says "N/A", "NULL", "none", ".", "-" as the responses do -------

def test_the_customer_base_reads_missing_words_as_the_responses_do_and_says_so(tmp_path):
    import warnings

    import numpy as np

    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.readers import read_customers

    path = tmp_path / "kunder.csv"
    path.write_text("kundnr,besok,region\n1,1.5,a\n2,N/A,b\n3,-,c\n4,none,NULL\n5,.,d\n6,2,#N/A\n7,3,e\n",
                    encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_customers(path, id_column="kundnr")
    assert frame["besok"].dtype == float  # a number column stays numbers (was text: a category)
    np.testing.assert_array_equal(frame["besok"].isna(), [False, True, True, True, True, False, False])
    assert frame["region"].isna().tolist() == [False] * 3 + [True, False, True, False]
    said = [w.message for w in caught if issubclass(w.category, SurveyQualityWarning)]
    assert len(said) == 1
    assert str(said[0]).startswith("kunder.csv, column 'besok', rows 2, 3, 4, 5: 6 values of the customer base "
                                   "read as no value: 'N/A', '-', 'none', '.', 'NULL'")
    assert said[0].said("sv").startswith("kunder.csv, kolumn 'besok', raderna 2, 3, 4, 5: 6 värden i kundbasen")
    clean = tmp_path / "clean.csv"
    clean.write_text("kundnr,besok\n1,1.5\n2,\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_customers(clean, id_column="kundnr")
    assert not [w for w in caught if issubclass(w.category, SurveyQualityWarning)]  # an empty cell is no word


def test_the_streamed_customer_base_says_the_missing_words_once(tmp_path):
    """lookalike streams the base (``iter_customer_batches``): the same words, one line."""
    import warnings

    from behaviortypes.errors import SurveyQualityWarning
    from behaviortypes.readers import iter_customer_batches

    path = tmp_path / "base.csv"
    path.write_text("id,visits\n" + "".join(f"{i},{'NULL' if i % 7 == 0 else i}\n" for i in range(1, 51)),
                    encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frames = list(iter_customer_batches(path, batch_size=10, id_column="id"))
    visits = pd.concat(frames)["visits"]
    assert visits.dtype == float and int(visits.isna().sum()) == 7
    said = [str(w.message) for w in caught if issubclass(w.category, SurveyQualityWarning)]
    assert said == [said[0]] and said[0].startswith("base.csv, column 'visits', rows 7, 14, 21, 28, 35 and 2 more")


# 7. a k page that takes two pages at its smallest: its figures use the second page --------------

@pytest.mark.slow
def test_the_stability_figure_uses_the_page_it_spilled_onto(tmp_path):
    """Trial 20: the k page overflowed at every level, so its figures were drawn at the
    smallest size on a second page they had to themselves (squashed names). Past the last
    level the evidence figure is drawn at its full height and the stability figure taller."""
    import json
    import re

    from reportfixture import make_discovery_folder

    from behaviortypes.report import load_report_data
    from behaviortypes.report.render import render_document

    disc = make_discovery_folder(tmp_path / "disc", k=4, n=600, seed=19, with_quotes=False)
    sol = json.loads((disc / "solution.json").read_text(encoding="utf-8"))
    sol.pop("k_reason_code", None)
    sol["k_reason"] = " ".join(["The evidence for this number of types is set out at length so that the page fills."] * 75)
    (disc / "solution.json").write_text(json.dumps(sol), encoding="utf-8")
    doc = render_document(load_report_data(disc), "en")
    order = list(doc.section_pages)
    assert doc.section_pages[order[order.index("k") + 1]] - doc.section_pages["k"] == 2  # it does spill

    def height_in(svg: str) -> float:
        return float(re.search(r'height="([\d.]+)pt"', svg).group(1)) / 72

    kpage = doc.context["appendix"]["k"]
    assert height_in(kpage["stability_svg"]) > 2.5  # 4 types: 2.8 in (was 1.0 in, squashed)
    assert height_in(kpage["evidence_svg"]) > 2.1  # full height (was 1.3 in)
