"""How long `report` takes, phase by phase (session 19, REPSPEED).

Builds two studies once (cached under ``--work``, default ``bench/.data/report_render``): the demo
(``behaviortypes.synth.make_study``, every stage run: discovery, profile, lookalike, score)
and the Swedish test study (``tests/data/swedish``, discovery only). Then renders the
report of each, in English and Swedish, as PDF only and in every format, and prints per
render the CPU seconds of each phase:

- ``figures``: the ``plots.plot_*`` calls and their SVG serialisation (``plots.figure_to_svg``),
  through the figures' cache (``report/figcache.py``, session 22): the second render of the same
  study in one process (``all four`` after ``pdf``) draws only what it has not drawn yet
- ``context``: the rest of ``build_context`` (texts, tables)
- ``html``: the Jinja2 templates (``render_html``)
- ``layout``: WeasyPrint's layout (``HTML.render``)
- ``pdf``: writing the PDF (``Document.write_pdf``)
- ``other``: the rest (reading the folder, the deck, the cards, writing files)

how many times WeasyPrint laid out (``passes``: the whole report, or since session 19
also the sections that shrank, checked alone), the pages it laid out in all
(``pages_laid_out``), the contexts built and the figure calls made.

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/report_render.py [--repeat 1] [--json out.jsonl]

Figures (2026-12-05, session 19; CPU seconds, mean of 2 interleaved runs per tree on a
shared 2-core machine, load 5-8, so ±0.5 s; "layouts": WeasyPrint layouts per render):

=================  ==========================  ==========================
render             before (main f57d389)       after (branch repspeed)
=================  ==========================  ==========================
demo en, pdf       27.0 (figures 10.3, layout  16.7 (figures 4.0, layout
                   9.8, pdf 3.4; 3 layouts)    7.5, pdf 2.4; 3 layouts,
                                               the second of 5 sections)
demo en, all four  28.7                        16.7
demo sv, pdf       26.7                        15.4
demo sv, all four  26.6                        17.9
Swedish study en   6.0 / 6.5 (pdf / all four)  5.7 / 6.6 (1 layout: no gain
Swedish study sv   5.5 / 6.1                   5.6 / 5.6  beyond the noise)
=================  ==========================  ==========================

Session 22 (SUITEB; demo, en; CPU seconds on the shared machine, load 12-13): the first render
18.9 (figures 4.9, layout 8.2, pdf 3.2; 3 layouts), as before; the second render of the same study
in the same process (``all four``) 15.6 against 20.1, figures 0.2 against 4.8: the figures'
cache (``report/figcache.py``) drew only the 6 it had not drawn. The HTML of the demo and of four
fixture studies (en, sv) is the same byte for byte as before the cache, and their pages the same
pixel for pixel at 60 dpi. What is left is WeasyPrint's: per pass, styling the inline SVG's
elements and parsing the HTML that carries them are about half of the layout; the figures as
``<img src="data:image/svg+xml...">`` in the HTML laid out cut a pass from 3.0 to 2.1 s, with
12 of the demo's 13 pages the same, but the confusion matrix in the lookalike page's grid is
sized differently (not done).

Session 23 (SUITE23A): the figures laid out as ``<img>`` of the same SVG with explicit widths
(``report.render.figures_as_images``) and one figures' cache; the demo's render 16.5 -> 13.2 CPU s
(en), pages the same pixel for pixel (bench/README.md, "Session 23: the report's render").

The demo's overview and personas overflow their page at level 0, so it is laid out three
times; the Swedish study fits at once. Pages are the same pixel for pixel at 60 and 150 dpi
(pypdfium2) and the HTML is the same byte for byte apart from the figures' SVG, which lost
matplotlib's <metadata> block and its empty ``<g id>`` wrappers.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_demo(work: Path) -> Path:
    """The demo study's discovery folder (every stage), built once."""
    disc = work / "demo" / "discovery"
    if (disc / "solution.json").is_file() and (disc / "lookalike_card.json").is_file():
        return disc
    from behaviortypes.pipeline import StudyConfig, run
    from behaviortypes.synth import make_study

    survey = work / "demo"
    make_study(survey, seed=0, n_customers=20_000)
    cfg = StudyConfig(survey=survey, out=disc, customers=survey / "customers.parquet",
                      scored=disc / "scored_customers.parquet", seed=0, langs=("en",), formats=("html",),
                      report_dir=work / "demo_report")
    run(cfg)
    return disc


def build_swedish(work: Path) -> Path:
    """The Swedish test study's discovery folder, built once."""
    disc = work / "swedish" / "discovery"
    if (disc / "solution.json").is_file():
        return disc
    sys.path.insert(0, str(ROOT / "tests"))
    from swedish import study  # noqa: E402  (tests/swedish.py)

    from behaviortypes.pipeline import discover

    survey = study.write_csv_study(work / "swedish")
    discover(survey, disc, seed=0)
    return disc


class Phases:
    """CPU seconds per phase, measured by wrapping the functions that do each phase."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: Counter = Counter()
        self._stack: list[str] = []
        self._undo: list = []

    def wrap(self, owner, name: str, phase: str, *, count: str | None = None) -> None:
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            if count:
                self.calls[count] += 1
            if self._stack and self._stack[-1] == phase:  # nested in its own phase
                return original(*args, **kwargs)
            self._stack.append(phase)
            start = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent = time.process_time() - start
                self._stack.pop()
                self.seconds[phase] += spent
                if self._stack:  # exclusive times: not counted again in the phase around it
                    self.seconds[self._stack[-1]] -= spent

        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def undo(self) -> None:
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)


def _instrument() -> Phases:
    import weasyprint

    from behaviortypes import plots
    from behaviortypes.report import render

    ph = Phases()
    for name in dir(plots):
        if name.startswith("plot_"):
            ph.wrap(plots, name, "figures", count=name)
    # the figures' cache (report/figcache.py) keeps drawing what render asks it for: wrapped
    # where render calls it, not plots.figure_to_svg (a replaced writer turns the cache off)
    ph.wrap(render, "svg_of", "figures")
    ph.wrap(render, "build_context", "context", count="build_context")
    ph.wrap(render, "render_html", "html")
    ph.wrap(weasyprint.HTML, "render", "layout", count="passes")
    render_layout = weasyprint.HTML.render  # the wrapped one

    def counting_pages(self, *args, **kwargs):
        doc = render_layout(self, *args, **kwargs)
        ph.calls["pages_laid_out"] += len(doc.pages)
        return doc

    weasyprint.HTML.render = counting_pages  # undone with the wrapper below (same attribute)
    ph.wrap(weasyprint.document.Document, "write_pdf", "pdf")
    return ph


def time_render(disc: Path, lang: str, formats: tuple[str, ...], keep: Path | None = None) -> dict:
    """One render_report, timed by phase (CPU seconds) and wall-clock; the files written kept
    in ``keep`` when given (to compare the pages before and after a change)."""
    from behaviortypes.report import render_report

    ph = _instrument()
    with tempfile.TemporaryDirectory() as out, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            render_report(disc, out_dir=keep or out, lang=lang, formats=formats)
        finally:
            ph.undo()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    sec = dict(ph.seconds)
    figure_calls = sum(v for k, v in ph.calls.items() if k.startswith("plot_"))
    return {"cpu": round(cpu, 2), "wall": round(wall, 2), "phases": {k: round(v, 2) for k, v in sec.items()},
            "other": round(cpu - sum(sec.values()), 2), "passes": ph.calls["passes"], "pages_laid_out": ph.calls["pages_laid_out"],
            "contexts": ph.calls["build_context"], "figure_calls": figure_calls}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / ".data" / "report_render")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--json", type=Path, default=None, help="append one JSON line per render here")
    ap.add_argument("--studies", default="demo,swedish")
    ap.add_argument("--langs", default="en,sv")
    ap.add_argument("--keep", type=Path, default=None, help="keep the files written under this folder")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.work.parent.name == ".data":  # generated inputs stay out of git (as bench/score.py)
        (args.work.parent / ".gitignore").write_text("*\n")
    builders = {"demo": build_demo, "swedish": build_swedish}
    studies = {name: builders[name](args.work) for name in args.studies.split(",")}
    everything = ("pdf", "html", "pptx", "png")
    for name, disc in studies.items():
        for lang in args.langs.split(","):
            for formats in (("pdf",), everything):
                for _ in range(args.repeat):
                    row = {"study": name, "lang": lang, "formats": "+".join(formats),
                           **time_render(disc, lang, formats, keep=args.keep and args.keep / name)}
                    print(json.dumps(row), flush=True)
                    if args.json:
                        with args.json.open("a") as fh:
                            fh.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
