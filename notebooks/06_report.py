# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 6 · The persona report
#
# One page per type — name, size, what they do, what they need, their own words, how to reach
# them — plus the method evidence, rendered from the files of the earlier stages (nothing is
# recomputed). Edit `types.yaml` and re-run this notebook to re-render in seconds.
#
# **Your own study**: set the parameters below, or environment variables before starting
# JupyterLab: `BT_STUDY` (survey folder), `BT_OUT` (discovery folder), `BT_REPORTS` (where the
# reports go) and `BT_LANG` — the report language, as in the other notebooks (`BT_LANG=sv`: a
# Swedish report only; several: `BT_LANG=en,sv`, the default). `BT_LANGS`, the name this
# notebook used before, is still read when `BT_LANG` is not set.
#
# A discovery that found no distinct types (one homogeneous group, k = 1) gets a short report
# that says so, with the evidence; it has no persona pages, so no persona cards.

# %% tags=["parameters"]
import os
from pathlib import Path

STUDY = Path(os.environ.get("BT_STUDY", "../surveys/demo"))  # survey folder
OUT = Path(os.environ.get("BT_OUT", STUDY / "discovery"))  # the discovery folder
REPORTS = Path(os.environ.get("BT_REPORTS", Path("../reports") / STUDY.name))  # where the reports go
# report languages: en, sv or both (BT_LANG; BT_LANGS is the older name)
LANGS = [x.strip() for x in (os.environ.get("BT_LANG") or os.environ.get("BT_LANGS") or "en,sv").split(",")]

# %%
# %matplotlib inline
from behaviortypes import pipeline
from behaviortypes.cli import one_line_warnings
from behaviortypes.i18n import output_language, said

# the notes' language: the one report language asked for, else the study's
SAID = output_language(LANGS[0] if len(LANGS) == 1 else None, pipeline.study_language(STUDY))
one_line_warnings(SAID)  # warnings as the command line shows them: "varning: …", one line

result = pipeline.report(OUT, lang=tuple(LANGS), formats=("pdf", "pptx", "png"), out_dir=REPORTS)
written = list(result.files)
print(result.summary(SAID))

# %% [markdown]
# ## A look at the first persona page
# (A discovery without distinct types has none: the report's first page says why.)

# %%
from IPython.display import Image, display

from behaviortypes import study

cards = [p for p in written if p.suffix == ".png" and p.parent.name == f"cards_{LANGS[0]}"]
if cards:
    display(Image(filename=str(cards[0])))
elif study.read(OUT, "solution.json").k == 1:
    print(said("nb_one_group_cards", SAID, path=OUT))
else:
    print(said("nb_no_cards", SAID))
