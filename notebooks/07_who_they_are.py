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
# # 7 · Who they are and what they are worth
#
# The types come from the statements; a strategist's next questions are *who* they are (age,
# region, channel ...) and what they are *worth* (NPS, spend, churn). This notebook builds the
# banner tables (types as columns, levels as rows, each type tested against everyone else,
# Benjamini–Hochberg over each table, survey weights respected through Kish's effective sample
# size), one Rao–Scott test per descriptor, the outcome means by type — bias-adjusted for
# uncertain type membership (BCH three-step) beside the naive means of the assigned types — and
# the multinomial model of type on the descriptors. The same files come from
# `behaviortypes profile OUT --xlsx banner.xlsx`.
#
# **Your own study**: set the parameters below, or `BT_STUDY` (survey folder) and `BT_OUT`
# (discovery folder) before starting JupyterLab. A discovery that found no distinct types
# (one homogeneous group, k = 1) has no types to profile: the notebook says so and skips
# the tables.

# %% tags=["parameters"]
import os
from pathlib import Path

STUDY = Path(os.environ.get("BT_STUDY", "../surveys/demo"))
OUT = Path(os.environ.get("BT_OUT", STUDY / "discovery"))
BY = None        # e.g. ["age_band", "region"]; None = the instrument's descriptors:
OUTCOMES = None  # e.g. ["nps", "churned_12m"]; None = the instrument's outcomes:

# %%
# %matplotlib inline
import pandas as pd

from behaviortypes import study
from behaviortypes.describe.profile import profile_types_by
from behaviortypes.describe.words import who_they_are
from behaviortypes.cli import one_line_warnings
from behaviortypes.i18n import output_language, said
from behaviortypes.pipeline import study_language
from behaviortypes.report.render import Formatter

SAID = output_language(os.environ.get("BT_LANG"), study_language(STUDY))  # the notes' language
one_line_warnings(SAID)  # warnings as the command line shows them: "varning: …", one line
FMT = Formatter(SAID)  # numbers as the study's language writes them (34 %)

# no distinct types were found (notebook 04 chose one homogeneous group, k = 1): nothing to profile
ONE_GROUP = (OUT / "solution.json").is_file() and study.read(OUT, "solution.json").k == 1
result, names = None, {}
if ONE_GROUP:
    print(said("nb_one_group_profile", SAID, path=OUT))
else:
    result = profile_types_by(OUT, by=BY, outcomes=OUTCOMES)
    result.to_files()
    names = {int(k): v for k, v in result.meta["type_names"].items()}
    print(result.summary(SAID))

# %% [markdown]
# ## The banner: column % by type
# `▲`/`▼` mark a type that is clearly above/below the other respondents (after the false
# discovery rate correction); `*` is a cell with too few respondents to show.

# %%
def banner_view(table: pd.DataFrame) -> pd.DataFrame:
    def cell(row):
        if pd.isna(row["share"]):
            return "*"
        mark = ""
        if row["significant"]:
            mark = " ▲" if row["share"] > row["overall_share"] else " ▼"
        return f"{FMT.pct(row['share'])}{mark}"

    wide = table.assign(cell=table.apply(cell, axis=1)).pivot_table(
        index=["variable", "level"], columns="type_id", values="cell", aggfunc="first", sort=False)
    wide.columns = [names.get(c, c) for c in wide.columns]
    overall = table.groupby(["variable", "level"], sort=False)["overall_share"].first()
    wide.insert(0, said("banner_all", SAID), overall.map(lambda v: "*" if pd.isna(v) else FMT.pct(v)))
    return wide


banner_view(result.banner) if result is not None else None

# %% [markdown]
# ## Is each descriptor related to the type at all?
# Pearson's chi-square on the weighted table with Rao & Scott's correction for the survey
# weights (`deff_mean` is the average design effect; `p_value` is the second-order F test).

# %%
result.tests.round(4) if result is not None else None

# %% [markdown]
# ## What they are worth: outcomes by type
# Comparing the means of *assigned* types understates the differences, because some respondents
# sit in the wrong type. The bias-adjusted (BCH) means correct for that with the classification
# error matrix estimated from the type probabilities.

# %%
out = wide = None
if result is not None and len(result.outcomes):
    out = result.outcomes.astype({"mean": float, "overall_mean": float})
    wide = out.pivot_table(index=["variable", "type_id"], columns="method", values="mean").round(3)
    wide["overall"] = out.groupby(["variable", "type_id"])["overall_mean"].first().round(3)
elif result is not None:  # a study with descriptors only (user trial 21: this cell stopped)
    print(said("nb_no_outcomes", SAID))
wide

# %%
for var, grp in out.groupby("variable", sort=False) if out is not None else ():
    g = grp.pivot(index="type_id", columns="method", values="mean").rename(index=names)
    ax = g[["modal", "bch"]].plot.barh(figsize=(6, 2.8), title=var)
    ax.axvline(grp["overall_mean"].iloc[0], color="0.4", lw=1, ls="--")

# %% [markdown]
# ## Which descriptors predict a type?
# A multinomial logit of type membership on all descriptors together, corrected for
# classification error (Vermunt's ML three-step); odds ratios against the largest type and
# each descriptor's first level.

# %%
result.covariates.sort_values("p_value").head(12).round(3) if result is not None else None

# %% [markdown]
# ## In plain words, as on the persona pages

# %%
for tid in sorted(names):
    who = who_they_are(result, tid, lang=SAID)
    print(f"{tid}. {names[tid]}")
    for line in who["lines"] + who["outcomes"] or [who["empty"]]:
        print("   -", line)
