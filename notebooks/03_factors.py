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
# # 3 · Factors: the dimensions behind the statements
#
# Twenty-odd statements usually measure a handful of underlying dimensions (research depth,
# price focus, …). This notebook checks that the data can be factored (KMO, Bartlett), decides
# **how many factors** (parallel analysis, with Velicer's MAP and the scree beside it), fits
# the exploratory factor analysis (minres + oblimin, as R's `psych::fa`), checks reliability
# (alpha, omega) and confirms the structure on a held-out half (CFA).

# %% tags=["parameters"]
import os
from pathlib import Path

STUDY = Path(os.environ.get("BT_STUDY", "../surveys/demo"))
OUT = Path(os.environ.get("BT_OUT", STUDY / "discovery"))
SEED = 0
N_FACTORS = None  # None = chosen by parallel analysis; a number overrides it

# %%
# %matplotlib inline
from behaviortypes import plots
from behaviortypes.factors import cfa_check
from behaviortypes.readers import load_survey
from behaviortypes.stages import run_factors, run_screen

survey = load_survey(STUDY)
inst = survey.instrument
screened = run_screen(survey)  # the same screening and minimum sample as `discover`
items = screened.keyed  # reverse-keyed statements, kept respondents
factors = run_factors(screened, n_factors=N_FACTORS, seed=SEED)
fm = factors.model
print(factors.summary())

# %% [markdown]
# ## Can these statements be factored?
# KMO ≥ 0.8 is meritorious, ≥ 0.6 acceptable; Bartlett's test should reject "no correlation".

# %%
fm.factorability_

# %% [markdown]
# ## How many factors?
# Keep the factors whose eigenvalue beats what random data of the same size gives (Horn's
# parallel analysis); MAP is shown as a second opinion.

# %%
plots.plot_scree(fm.retention_.reset_index(), n_factors=fm.n_factors_)

# %%
fm.retention_.head(10)

# %% [markdown]
# ## What do the factors mean?
# Rotated loadings (|loading| ≥ 0.3 annotated). Names are suggested from the interview themes
# of each factor's top statements; cross-loading and weak statements are flagged below.

# %%
plots.plot_loadings(fm.loadings_, item_labels=inst.item_texts, factor_labels=fm.factor_names_)

# %%
fm.flags_

# %% [markdown]
# ## Reliability and a confirmatory check
# Alpha and omega per factor; then a CFA of the salient-loading pattern on a held-out half
# (CFI/TLI ≥ 0.90 and RMSEA ≤ 0.08 are the usual bars).

# %%
fm.reliability_

# %%
cfa = cfa_check(items, fm.loadings_, random_state=SEED)
cfa

# %% [markdown]
# ## Write the factor files
# `loadings.csv` and `scores.csv` (same formats as `behaviortypes discover`) and
# `factors.json`. The next notebook clusters these factor scores.

# %%
OUT.mkdir(parents=True, exist_ok=True)
factors.to_files(OUT)  # through the discovery folder's writer
print(f"{fm.n_factors_} factors written to {OUT}")
