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
# **how many factors** (R psych's parallel analysis, Velicer's MAP and the empirical Kaiser
# criterion, then a check that every factor is defined by three or more statements), fits
# the exploratory factor analysis (minres + oblimin, as R's `psych::fa`), checks reliability
# (alpha, omega) and confirms the structure on a held-out half (CFA).
#
# **Your own study**: set the parameters below, or start JupyterLab with environment
# variables set (`BT_STUDY=surveys/my_study BT_LANG=sv jupyter lab`): `BT_STUDY` (survey
# folder), `BT_OUT` (discovery folder), `BT_SEED`, `BT_FACTORS` (a number of factors instead
# of the retention rule) and `BT_LANG` (`sv`: notes, figure titles and numbers in Swedish; default:
# the study's language).

# %% tags=["parameters"]
import os
from pathlib import Path

STUDY = Path(os.environ.get("BT_STUDY", "../surveys/demo"))  # survey folder
OUT = Path(os.environ.get("BT_OUT", STUDY / "discovery"))  # where every stage writes its files
SEED = int(os.environ.get("BT_SEED", 0))  # seed of every random step
N_FACTORS = int(os.environ["BT_FACTORS"]) if os.environ.get("BT_FACTORS") else None  # None = the retention rule
LANG = os.environ.get("BT_LANG") or None  # en or sv: notes, figures and numbers; None = the study's language

# %%
# %matplotlib inline
import pandas as pd

from behaviortypes import plots
from behaviortypes.cli import one_line_warnings
from behaviortypes.i18n import factor_label, output_language, reason_text, said
from behaviortypes.pipeline import study_language
from behaviortypes.readers import load_survey
from behaviortypes.report.render import Formatter, load_texts
from behaviortypes.stages import run_factors, run_screen

SAID = output_language(LANG, study_language(STUDY))  # the notes' and figures' language
one_line_warnings(SAID)  # warnings as the command line shows them: "varning: …", one line

survey = load_survey(STUDY)
inst = survey.instrument
screened = run_screen(survey)  # the same screening and minimum sample as `discover`
items = screened.keyed  # reverse-keyed statements, kept respondents
factors = run_factors(screened, n_factors=N_FACTORS, seed=SEED)
fm = factors.model
print(factors.summary() if SAID == "en" else said("cli_factors", SAID, n=fm.n_factors_, reason=reason_text(
    fm.retention_reason_code_, load_texts(SAID), Formatter(SAID)).rstrip(".")))

# %% [markdown]
# ## Can these statements be factored?
# KMO ≥ 0.8 is meritorious, ≥ 0.6 acceptable; Bartlett's test should reject "no correlation".

# %%
fm.factorability_

# %% [markdown]
# ## How many factors?
# The rule (see `docs/choosing_factors.md`):
#
# 1. **Parallel analysis exactly as R psych's `fa.parallel`**: the factor eigenvalues (of the
#    correlation matrix with one-factor minres communalities on the diagonal) are compared with
#    the 95th percentile of the same eigenvalues in 20 simulated normal data sets of the same
#    size; the factors before the first one that does not beat chance are candidates.
#    Resampled data (every statement shuffled on its own) are shown beside it.
# 2. **Substance check**: in that solution, a factor on which fewer than three statements load
#    |λ| ≥ 0.25 as their main factor is *minor* (a doublet of similarly worded statements, a
#    response style, a sliver of variance); such factors are dropped, but never below
#    Velicer's MAP. `n_factors=` (the CLI's `--factors`) keeps them if you want them.
#
# The table has, per number of factors: the eigenvalues and thresholds, MAP, the empirical
# Kaiser criterion's reference, the salient statements per factor of that solution, and the
# fit psych's `fa` prints (RMSEA with its 90 % interval, TLI, BIC).

# %%
print(said("nb_why_factors", SAID, n=fm.n_factors_, reason=fm.retention_reason_ if SAID == "en" else
           reason_text(fm.retention_reason_code_, load_texts(SAID), Formatter(SAID))))
plots.plot_scree(fm.retention_.reset_index(), n_factors=fm.n_factors_, labels=plots.labels_in(SAID)["scree"],
                 lang=SAID)

# %%
cols = ["eigenvalue", "pa_threshold", "pa_resampled_threshold", "map", "ekc_reference",
        "salient", "n_minor", "rmsea", "rmsea_low", "rmsea_high", "tli", "bic", "chosen"]
fm.retention_[cols].dropna(subset=["salient"]).round(3)

# %% [markdown]
# ## What do the factors mean?
# Rotated loadings (|loading| ≥ 0.3 annotated). Names are suggested from the interview themes
# of each factor's top statements; cross-loading and weak statements are flagged below.

# %%
# factors.json keeps the tool's own words in English ("trust (part 2)"); shown in the study's language
plots.plot_loadings(fm.loadings_, item_labels=inst.item_texts, lang=SAID,
                    factor_labels={f: factor_label(f, n, SAID) for f, n in fm.factor_names_.items()})

# %%
fm.flags_

# %% [markdown]
# ## Reliability and a confirmatory check
# Alpha and omega per factor; then a CFA of the salient-loading pattern on a held-out half of
# the respondents (the check `discover` runs too, `cfa.json`). Cut-offs (Hu & Bentler 1999):
# CFI/TLI ≥ 0.95 good, ≥ 0.90 acceptable; RMSEA ≤ 0.06 good, ≤ 0.08 acceptable.
#
# Omega is McDonald's omega total of a one-factor model of the factor's own statements
# (`psych::omega(x, nfactors = 1)$omega.tot`). Two statements do not identify a factor: for
# a factor of **two statements** omega follows R psych's convention (both load equally) and
# equals the Spearman–Brown reliability of the pair, 2r/(1+r), the same as standardised
# alpha — it says no more than their correlation r. A factor of one statement has no alpha
# or omega (NaN).

# %%
fm.reliability_

# %%
# run by `run_factors` (as in `discover`) on the same answers and seed; for the two halves'
# respondent ids (a strict check) call `behaviortypes.factors.cfa_check(items, fm.loadings_, random_state=SEED)`
pd.Series(factors.cfa, dtype=object)

# %% [markdown]
# ## Write the factor files
# `loadings.csv` and `scores.csv` (same formats as `behaviortypes discover`),
# `factors.json`, `reliability.csv` and `cfa.json`. The next notebook clusters these factor scores.

# %%
OUT.mkdir(parents=True, exist_ok=True)
factors.to_files(OUT)  # through the discovery folder's writer
print(said("nb_factors_written", SAID, n=fm.n_factors_, path=OUT))
