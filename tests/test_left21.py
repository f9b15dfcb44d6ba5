"""Session 21, LEFT21: what session 20's final read found and left (one name function, the
notes said without the report stack, one weak-evidence sentence, fewer banner rounds, the
typing tool's caution, the customer base's missing words) and the stability figure's page."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd


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
