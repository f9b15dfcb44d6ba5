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
# # 4 · Behaviour types: how many, how stable, who are they?
#
# The hard part of a segmentation is not running k-means; it is choosing **how many types there
# really are** and showing that they are real. For every candidate number of types we fit
# several methods, resample the respondents many times and ask: do the same types come back
# (stability, as R's `fpc::clusterboot`)? Do they predict each other (prediction strength)?
# Are they big enough to act on? The choice and its reason are written to `solution.json`.
#
# **Your own study**: set the parameters below, or start JupyterLab with environment
# variables set (`BT_STUDY=surveys/my_study BT_LANG=sv jupyter lab`): `BT_STUDY` (survey
# folder), `BT_OUT` (discovery folder), `BT_SEED`, `BT_K` (a number of types instead of the
# evidence's choice), `BT_FACTORS` (a number of factors instead of the retention rule's; one
# set in notebook 03 is used too), `BT_RESAMPLES` (30, as `discover`) and
# `BT_LANG` (`sv`: notes, figure titles and numbers in Swedish; default: the study's language).

# %% tags=["parameters"]
import os
from pathlib import Path

STUDY = Path(os.environ.get("BT_STUDY", "../surveys/demo"))  # survey folder
OUT = Path(os.environ.get("BT_OUT", STUDY / "discovery"))  # where every stage writes its files
SEED = int(os.environ.get("BT_SEED", 0))  # seed of every random step
K = int(os.environ["BT_K"]) if os.environ.get("BT_K") else None  # None = chosen on evidence
N_FACTORS = int(os.environ["BT_FACTORS"]) if os.environ.get("BT_FACTORS") else None  # None = the rule's, or notebook 03's
N_RESAMPLES = int(os.environ.get("BT_RESAMPLES", 30))  # resamples for the stability evidence (30, as `discover`)
LANG = os.environ.get("BT_LANG") or None  # en or sv: notes, figures and numbers; None = the study's language

# %%
# %matplotlib inline
import warnings

import pandas as pd
from IPython.display import display

from behaviortypes import pipeline, plots, study
from behaviortypes.errors import TypesOverlapWarning
from behaviortypes.cli import one_line_warnings
from behaviortypes.i18n import factor_label, output_language, reason_text, said
from behaviortypes.report.render import Formatter, load_texts
from behaviortypes.said import k_set_with_texts

SAID = output_language(LANG, pipeline.study_language(STUDY))  # the notes' and figures' language
# where K came from, said by the reasons instead of "--k": BT_K, or K set in the cell above
K_SET_WITH = "BT_K" if os.environ.get("BT_K") and K == int(os.environ["BT_K"]) else "K"
one_line_warnings(SAID)  # warnings as the command line shows them: "varning: …", one line
LABELS = plots.labels_in(SAID)  # the figures' words, as in the report

# the number of factors: the parameter; else the one set in notebook 03 (BT_FACTORS there, as
# factors.json records it); else none, and discover chooses it by the same rule, on the same
# answers and seed, as notebook 03 did (so its reason says why, not "set by the user")
n_factors = N_FACTORS
if n_factors is None and (OUT / "factors.json").is_file():
    n_factors = (getattr(study.read(OUT, "factors.json"), "settings", None) or {}).get("n_factors")
with warnings.catch_warnings():  # types that overlap: said once, in the summary's continuum box
    warnings.simplefilter("ignore", TypesOverlapWarning)
    result = pipeline.discover(STUDY, OUT, factors=n_factors, k=K, seed=SEED, n_resamples=N_RESAMPLES,
                               k_set_with=K_SET_WITH)
folder = result.folder  # the discovery folder, read and checked
print(result.summary(SAID))

# %% [markdown]
# ## The evidence for the number of types
# Each panel is one index across candidate numbers of types; the chosen k is marked. The BIC
# panel shows, at each k, the best of the four mixture models that compete (`bic_best`);
# `evidence_k.csv` has each model's BIC, the fits set aside as collapsed (`set_aside`) and
# how far the types agree with k-means and Ward's clustering (`gmm_km_ari`, `gmm_ward_ari`).
# The point k = 1 (hollow) is one homogeneous group: no types at all. When it is chosen, the
# survey shows no distinct types and the later stages (typing tool, lookalike, scoring,
# profiles by type) refuse the folder; set `K` (or `BT_K`) to 2 or more to describe
# subgroups anyway, as descriptive groups rather than real segments.

# %%
evidence = folder.table("evidence_k.csv")
plots.plot_k_evidence(evidence, chosen_k=result.solution["k"], labels=LABELS["k"], lang=SAID)

# %%
print(reason_text(result.solution.get("k_reason_code") or result.solution["k_reason"],
                  k_set_with_texts(load_texts(SAID), result.solution), Formatter(SAID)))

# %% [markdown]
# ## The evidence latent-profile practitioners look for
# The conventions of tidyLPA and Mplus, per candidate k: **entropy** (relative, 1 = every
# respondent certainly in one type; above 0.8 the types are well told apart), the smallest
# type's **n** (the floor is 40 respondents: a type is judged by its substance, not by its
# share of a sample that may under-represent it), the lowest **average posterior
# probability** of a type among its own members (AvePP; above 0.7-0.8 is usual) and the
# **bootstrap likelihood-ratio test** of k against k−1 types (`blrt_p`; McLachlan 1987,
# Nylund et al. 2007: small means k types fit better than k−1 beyond chance). They are
# computed for the numbers of types that were resampled; the others show blanks. The row
# k = 1 (one group) has only a BIC and a size: entropy, AvePP, BLRT and stability need types.

# %%
lpa_cols = ["bic_best", "entropy", "n_min", "min_share", "avepp_min", "blrt_p", "jaccard_min",
            "jaccard_small", "prediction_strength", "passes", "chosen"]
evidence.set_index("k")[[c for c in lpa_cols if c in evidence.columns]].round(3)

# %% [markdown]
# ## Is every type stable?
# Mean Jaccard similarity of each type with its best match across resamples: ≥ 0.75 stable,
# below 0.6 the type dissolves (Hennig 2007).

# %%
names = folder.type_names
colors = {t.type_id: t.color for t in folder.types.types}
per_type = pd.DataFrame(result.solution["stability"]).set_index("type_id")
if per_type["jaccard_mean"].notna().any():
    display(plots.plot_stability(per_type["jaccard_mean"], names=names, colors=colors,
                                 xlabel=LABELS["stability"], lang=SAID))
else:  # one homogeneous group (k = 1), or no resamples: nothing to resample
    print(said("nb_no_stability", SAID,
               why=result.solution.get("structure_warning") or said("nb_no_resampled_types", SAID)))

# %% [markdown]
# Per type: its size (n and share of the respondents; a small type is kept when it
# reproduces), how reproducible it is, and the average posterior probability of its members.

# %%
per_type[[c for c in ["share", "n", "jaccard_mean", "recovered", "avepp"] if c in per_type]].round(3)

# %% [markdown]
# ## The map and the profiles
# The UMAP map places similar respondents close together (a picture, not a proof); the
# heatmap shows how each type differs from the average on each factor (z units).

# %%
plots.plot_umap(folder.table("umap.csv"), names=names, colors=colors)

# %%
plots.plot_profile_heatmap(result.profiles.factor_means, names=names, lang=SAID,
                           labels={f: factor_label(f, n, SAID) for f, n in result.factor_model.factor_names_.items()})

# %% [markdown]
# ## Sizes
# Weighted shares of the survey with 95 % intervals. The lookalike notebook estimates the sizes
# in the customer base, corrected for who answered.

# %%
plots.plot_sizes(folder.table("sizes.csv"), names=names, colors=colors, labels=LABELS["sizes"], lang=SAID)

# %% [markdown]
# ## Name the types
# Names and taglines are suggestions from each type's most distinctive factors. Edit
# `types.yaml` in the output folder — a re-run keeps your edits, and types are matched to the
# previous run so the names follow the right type.

# %%
pd.DataFrame([t.model_dump() for t in folder.types.types])[["type_id", "name", "tagline", "color"]]
