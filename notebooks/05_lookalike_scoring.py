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
#
# **Your own study**: set the parameters below, or the environment variables named there
# before starting JupyterLab (`BT_STUDY`, `BT_OUT`, `BT_CUSTOMERS`, `BT_ID_COLUMN`, `BT_SCORED`,
# `BT_SEED`, `BT_LANG`: the notes' and figures' language, default the study's).
# A study without a customer base skips this notebook with a note, and so does a discovery
# that found no distinct types (one homogeneous group, k = 1): there is no type to predict.

# %% tags=["parameters"]
import os
from pathlib import Path

STUDY = Path(os.environ.get("BT_STUDY", "../surveys/demo"))  # survey folder
OUT = Path(os.environ.get("BT_OUT", STUDY / "discovery"))  # the discovery folder (notebooks 03-04)
# the customer base: .parquet, .csv or .duckdb (default: customers.* in the survey folder)
CUSTOMERS = os.environ.get("BT_CUSTOMERS") or next(
    (STUDY / f"customers.{ext}" for ext in ("parquet", "csv", "duckdb") if (STUDY / f"customers.{ext}").exists()),
    STUDY / "customers.parquet")
CUSTOMERS = Path(CUSTOMERS)
# the customer id column of the base (None: instrument.yaml's customer_id_column)
ID_COLUMN = os.environ.get("BT_ID_COLUMN") or None
SCORED = Path(os.environ.get("BT_SCORED", OUT / "scored_customers.parquet"))
SEED = int(os.environ.get("BT_SEED", 0))  # seed of the lookalike's cross-validation (as `lookalike --seed`)

# %%
# %matplotlib inline
import pandas as pd

from behaviortypes import pipeline, plots, study
from behaviortypes.errors import InputError
from behaviortypes.cli import one_line_warnings
from behaviortypes.i18n import output_language, said
from behaviortypes.lookalike.train import raw_shares_reason

SAID = output_language(os.environ.get("BT_LANG"), pipeline.study_language(STUDY))  # the notes' and figures' language
one_line_warnings(SAID)  # warnings as the command line shows them: "varning: …", one line
LABELS = plots.labels_in(SAID)  # the figures' words, as in the report

# no distinct types were found (notebook 04 chose one homogeneous group, k = 1)
ONE_GROUP = (OUT / "solution.json").is_file() and study.read(OUT, "solution.json").k == 1
READY = CUSTOMERS.exists() and not ONE_GROUP  # a base and types: the steps below run
model = card = None
if ONE_GROUP:
    print(said("nb_one_group_lookalike", SAID, path=OUT))
elif not CUSTOMERS.exists():
    print(said("nb_no_customers", SAID, path=CUSTOMERS))
else:
    try:
        model = pipeline.lookalike(OUT, CUSTOMERS, id_column=ID_COLUMN, seed=SEED)
    except InputError as err:  # the message names the command-line option; here it is ID_COLUMN
        raise InputError(str(err).replace("pass --id-column NAME", "set ID_COLUMN in the parameters cell")
                         .replace("--id-column", "ID_COLUMN")) from None
    card = study.load(OUT).card.model_dump(mode="json")  # lookalike_card.json, read and checked
    print(model.summary(SAID))

# %% [markdown]
# ## How well does behaviour predict the type?
# Cross-validated on the linked respondents: accuracy, macro-F1, log-loss and the expected
# calibration error (ECE: how far the stated probabilities are from the observed frequencies).
# The candidate models are compared on log-loss; the best one is kept.

# %%
from behaviortypes.report import load_report_data

pd.DataFrame(card["cv_results"]) if READY else None

# %%
import warnings

with warnings.catch_warnings():  # "linked but not scored": this notebook scores the base below
    warnings.filterwarnings("ignore", message=".*customer data is linked.*")
    data = load_report_data(OUT) if READY else None  # the lookalike card, as the report shows it
names = data.types["name"].to_dict() if READY else {}
plots.plot_calibration(data.calibration, labels=LABELS["calibration"], lang=SAID) if READY else None

# %% [markdown]
# Rows: the survey type; columns: the type the CRM behaviour predicts. Off-diagonal cells show
# which types look alike in the data the business has.

# %%
plots.plot_confusion(data.confusion, names=names, labels=LABELS["confusion"], lang=SAID) if READY else None

# %% [markdown]
# Which CRM signals carry the type (permutation importance: how much the log-loss worsens
# when the feature is shuffled)?

# %%
plots.plot_importances(data.importances, xlabel=LABELS["importance"], lang=SAID) if READY else None

# %% [markdown]
# ## Survey shares vs the base
# The survey share, the naive share the model predicts in the base, and the base share to plan
# with (`corrected_share`): the prior-shift corrected share when the survey differs from the base
# only in its mix of types and the customer columns tell the types apart well enough; otherwise
# the raw predicted share, and the note below says why (docs/lookalike.md).

# %%
base = (card.get("base") or {}) if READY else {}
if base.get("note"):
    # (the card's note is in the study's language; in another, the reason said in SAID)
    print(said("nb_not_corrected", SAID, note=base["note"] if SAID == pipeline.study_language(STUDY)
               else raw_shares_reason(base)))
(pd.DataFrame(card["shares"]).set_index("type_id")[["type_name", "survey_share", "raw_predicted_share", "corrected_share"]].round(3)
 if READY else None)

# %% [markdown]
# ## Score every customer
# Streaming in batches (memory does not grow with the base); Parquet out. For a base on a
# cluster, `behaviortypes score --engine dask --scheduler tcp://…`.

# %%
if READY:
    summary = pipeline.score(OUT, CUSTOMERS, SCORED, id_column=ID_COLUMN)
    print(summary.summary(SAID) if hasattr(summary, "summary") else summary)
pd.read_parquet(SCORED).head() if READY and SCORED.suffix == ".parquet" else None
