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
# # 5 · Lookalike: tag the whole customer base
#
# Respondents who are also customers link the survey types to CRM behaviour. A calibrated
# classifier learns that link and scores every customer with their most likely type and the
# probabilities. Because engaged customers answer surveys more often, the survey over-represents
# some types: the model re-estimates the type shares of the whole base (Saerens et al. 2002)
# and corrects the probabilities.

# %% tags=["parameters"]
import os
from pathlib import Path

STUDY = Path(os.environ.get("BT_STUDY", "../surveys/demo"))
OUT = Path(os.environ.get("BT_OUT", STUDY / "discovery"))
CUSTOMERS = STUDY / "customers.parquet"
SCORED = OUT / "scored_customers.parquet"
SEED = 0

# %%
# %matplotlib inline
import pandas as pd

from behaviortypes import pipeline, plots, study

model = pipeline.lookalike(OUT, CUSTOMERS, seed=SEED)
card = study.load(OUT).card.model_dump(mode="json")  # lookalike_card.json, read and checked
print(model.summary())

# %% [markdown]
# ## How well does behaviour predict the type?
# Cross-validated on the linked respondents: accuracy, macro-F1, log-loss and the expected
# calibration error (ECE: how far the stated probabilities are from the observed frequencies).
# The candidate models are compared on log-loss; the best one is kept.

# %%
from behaviortypes.report import load_report_data

pd.DataFrame(card["cv_results"])

# %%
data = load_report_data(OUT)  # the lookalike card, parsed as the report shows it
names = data.types["name"].to_dict()
plots.plot_calibration(data.calibration)

# %% [markdown]
# Rows: the survey type; columns: the type the CRM behaviour predicts. Off-diagonal cells show
# which types look alike in the data the business has.

# %%
plots.plot_confusion(data.confusion, names=names)

# %% [markdown]
# Which CRM signals carry the type (permutation importance: how much the log-loss worsens
# when the feature is shuffled)?

# %%
plots.plot_importances(data.importances)

# %% [markdown]
# ## Survey shares vs the base
# The survey share, the naive share the model predicts in the base, and the share after the
# prior-shift correction. The corrected share is the one to plan with.

# %%
pd.DataFrame(card["shares"]).set_index("type_id")[["type_name", "survey_share", "raw_predicted_share", "corrected_share"]].round(3)

# %% [markdown]
# ## Score every customer
# Streaming in batches (memory does not grow with the base); Parquet out. For a base on a
# cluster, `behaviortypes score --engine dask --scheduler tcp://…`.

# %%
summary = pipeline.score(OUT, CUSTOMERS, SCORED)
print(summary.summary() if hasattr(summary, "summary") else summary)
pd.read_parquet(SCORED).head()
