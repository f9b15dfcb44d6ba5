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
# # 2 · Survey quality: who do we analyse?
#
# Panels contain straightliners, speeders, random clickers and people who fail attention
# checks. Left in, they blur every factor and invent types. This notebook reads the survey
# (CSV, Excel, SPSS `.sav` or a Qualtrics export), validates it against `instrument.yaml`,
# screens every respondent **with a reason for each flag**, and checks the reliability of the
# statements grouped by interview theme.
#
# **Your own study**: set `STUDY` below, or start JupyterLab with `BT_STUDY` set to your survey
# folder (the one with `instrument.yaml` and the responses file).

# %% tags=["parameters"]
import os
from pathlib import Path

STUDY = Path(os.environ.get("BT_STUDY", "../surveys/demo"))  # survey folder
OUT = Path(os.environ.get("BT_OUT", STUDY / "discovery"))  # where every stage writes its files

# %%
# %matplotlib inline
import pandas as pd

from behaviortypes import pipeline, plots
from behaviortypes.cli import one_line_warnings
from behaviortypes.i18n import output_language, said

SAID = output_language(os.environ.get("BT_LANG"), pipeline.study_language(STUDY))  # the notes' language
one_line_warnings(SAID)  # warnings as the command line shows them: "varning: …", one line
result = pipeline.check(STUDY)
print(result.summary(SAID))

# %% [markdown]
# ## The funnel: received → screened out → analysed
# Thresholds live under `quality:` in `instrument.yaml`; change them there (not here) so the
# CLI and every notebook agree.

# %%
table = result.screening.table
reasons = result.screening.to_frame()
stages = {said("funnel_received", SAID): len(table), said("funnel_screened", SAID): int((~table["kept"]).sum()),
          said("funnel_analysed", SAID): int(table["kept"].sum())}  # the report's words, in the study's language
plots.plot_funnel(stages)

# %%
reasons.drop(index=["any", "kept"], errors="ignore").rename_axis(index=None, columns="reason")  # one header row

# %% [markdown]
# ## Look at the flagged respondents
# Each row says why. A respondent can have several reasons.

# %%
# (the respondent ids label the rows: their name in the table's corner, not on a second header row)
table[~table["kept"]].head(15).rename_axis(index=None, columns="respondent_id")

# %% [markdown]
# ## Reliability of the statements by interview theme
# Cronbach's alpha with its 95 % (Feldt) interval: ≥ 0.7 is the usual bar for a scale; lower
# values mean the theme's statements do not measure one thing.

# %%
result.reliability.round(2)

# %% [markdown]
# ## Write the screening file
# `screening.csv`: every respondent, kept or not, with the reasons, and the counts per screen
# (`screening_summary.json`) — the same files `behaviortypes discover` writes.

# %%
OUT.mkdir(parents=True, exist_ok=True)
for path in result.screening.to_files(OUT):
    print(said("cli_wrote", SAID, path=path))
