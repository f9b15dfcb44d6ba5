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
# **Your own study**: set the parameters below, or `BT_STUDY` (and `BT_LANGS=sv` for a Swedish
# report only) before starting JupyterLab.

# %% tags=["parameters"]
import os
from pathlib import Path

STUDY = Path(os.environ.get("BT_STUDY", "../surveys/demo"))  # survey folder
OUT = Path(os.environ.get("BT_OUT", STUDY / "discovery"))  # the discovery folder
REPORTS = Path(os.environ.get("BT_REPORTS", Path("../reports") / STUDY.name))  # where the reports go
LANGS = os.environ.get("BT_LANGS", "en,sv").split(",")  # report languages: en, sv

# %%
# %matplotlib inline
from behaviortypes import pipeline

result = pipeline.report(OUT, lang=tuple(LANGS), formats=("pdf", "pptx", "png"), out_dir=REPORTS)
written = list(result.files)
print(result.summary())

# %% [markdown]
# ## A look at the first persona page

# %%
from IPython.display import Image

cards = sorted(REPORTS.glob(f"cards_{LANGS[0]}/*.png"))
Image(filename=str(cards[0])) if cards else "no cards were written"
