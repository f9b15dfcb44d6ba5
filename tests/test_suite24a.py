"""The refusals of ``report`` are said before the report's stack is imported (session 24).

``report OUT --pdf FILE`` with a file of the user's at FILE, and ``report FOLDER`` of a folder
that is not a discovery folder, loaded matplotlib, SciPy's statistics and the report's
renderer (~2.5 CPU s) before refusing. The refusal lines are checked word for word by
tests/test_swedish_pipeline.py, test_cli.py and test_swedish_terminal.py; here, that the
command says them without those modules.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from reportfixture import make_discovery_folder  # noqa: E402

#: run the command line in-process and print, after it returns, which heavy modules it loaded
_PROBE = """
import sys
from behaviortypes.cli import main
code = main(sys.argv[1:])
heavy = ("matplotlib", "scipy.stats", "behaviortypes.report.render", "behaviortypes.report.data", "weasyprint")
print("exit", code)
print("loaded", *[m for m in heavy if m in sys.modules])
"""


def _probe(*args) -> tuple[str, str]:
    res = subprocess.run([sys.executable, "-c", _PROBE, *map(str, args)], capture_output=True, text=True,
                         timeout=300)
    return res.stdout, res.stderr


def test_report_refuses_a_users_pdf_without_the_report_stack(tmp_path):
    disc = make_discovery_folder(tmp_path / "disc", k=3, n=300, seed=2, with_quotes=False)
    (tmp_path / "mine.pdf").write_text("mine\n", encoding="utf-8")
    out, err = _probe("report", disc, "--pdf", tmp_path / "mine.pdf")
    assert out.splitlines() == ["exit 2", "loaded"], (out, err)
    assert err.startswith("error: mine.pdf: the file exists and is not a report behaviortypes wrote"), err
    assert (tmp_path / "mine.pdf").read_text(encoding="utf-8") == "mine\n"


def test_report_refuses_a_folder_that_is_no_discovery_without_the_report_stack(tmp_path):
    (tmp_path / "empty").mkdir()
    out, err = _probe("report", tmp_path / "empty")
    assert out.splitlines() == ["exit 2", "loaded"], (out, err)
    assert err.startswith("error: empty: not a discovery folder (missing "), err


def test_the_report_package_still_gives_its_names():
    import behaviortypes.report as report
    from behaviortypes.report import FORMATS, render_report  # noqa: F401

    assert set(report.__all__) <= set(dir(report))
    assert all(getattr(report, name) is not None for name in report.__all__)
