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
# # 1 · Interviews: which themes set people apart?
#
# The method starts with in-depth interviews coded into themes (needs, behaviours, drivers).
# This notebook reads the coded interviews (a `codes.csv` spreadsheet or a REFI-QDA `.qdpx`
# exported from NVivo, ATLAS.ti, MAXQDA or QualCoder) and answers one question: **which themes
# split the interviewees** — those are the areas worth turning into survey statements.
#
# **Your own study**: set `STUDY` below to your survey folder, or start JupyterLab with the
# environment variable `BT_STUDY` set to it (`BT_STUDY=surveys/my_study jupyter lab`); every
# notebook reads the same variables. Interviews are optional: a study without an
# `interviews/` folder skips this notebook with a note.

# %% tags=["parameters"]
import os
from pathlib import Path

STUDY = Path(os.environ.get("BT_STUDY", "../surveys/demo"))  # survey folder (interviews/ inside, optional)
OUT = Path(os.environ.get("BT_OUT", STUDY / "discovery"))  # where every stage writes its files
INTERVIEWS = STUDY / "interviews"  # codes.csv or a .qdpx project (or the path of one file)
SEED = 0

# %%
# %matplotlib inline
from behaviortypes import interviews as iv
from behaviortypes import plots
from behaviortypes.i18n import counted, said
from behaviortypes.instrument import load_instrument
from behaviortypes.pipeline import interviews_said_language

if not (STUDY / "instrument.yaml").exists() and STUDY.name == "demo":
    from behaviortypes.synth import make_study

    make_study(STUDY, seed=SEED)  # the bundled demo study is generated on first use

coded = iv.read_interviews(INTERVIEWS) if INTERVIEWS.exists() else None
# the notes' language: BT_LANG, else the study's, else the interviews' own (as the themes command)
SAID = interviews_said_language(INTERVIEWS, coded, os.environ.get("BT_LANG"))
if coded is None:
    print(said("nb_no_interviews", SAID, path=INTERVIEWS))
else:
    print(said("nb_interviews_read", SAID, participants=counted(coded.codings.participant_id.nunique(), "participants"),
               themes=counted(coded.codings.theme.nunique(), "themes"),
               quotes=counted(int(coded.codings.quote.fillna("").str.strip().astype(bool).sum()), "coded_quotes")))

# %% [markdown]
# ## How common is each theme?
# Prevalence is the share of participants coded with the theme at least once (with a Wilson
# interval — with ~20 interviews these intervals are wide: read them as direction, not size).

# %%
prev = iv.prevalence(coded) if coded is not None else None
plots.plot_theme_prevalence(prev, xlabel=said("nb_axis_share", SAID)) if coded is not None else None

# %% [markdown]
# ## Which themes go together?
# Jaccard co-occurrence: of the participants who mention either theme, the share who mention
# both. Blocks of high values hint at a shared underlying need.

# %%
plots.plot_cooccurrence(iv.cooccurrence(coded)) if coded is not None else None

# %% [markdown]
# ## Which themes split people?
# A theme mentioned by about half of the participants splits them most; a theme everyone (or
# no one) mentions cannot tell types apart. The top of this table is where the survey should dig.

# %%
splits = iv.theme_splits(coded, lang=SAID) if coded is not None else None
splits.head(10) if coded is not None else None

# %% [markdown]
# ## Proto-types (small n — a hypothesis, not a result)
# A hierarchical clustering of participants by the themes they share. With ~20 people this is
# a sketch of the types the survey may confirm; the survey decides.

# %%
# (fewer than 3 participants: no tree to draw, a note instead, as the `themes` command does)
proto = None
if coded is not None and coded.codings.participant_id.nunique() < 3:
    print(said("nb_no_proto_types", SAID, n=counted(coded.codings.participant_id.nunique(), "participants")))
elif coded is not None:
    proto = iv.proto_types(coded, max_k=5, lang=SAID)
    print(proto.caveat_)
    # no names in figures: the pseudonyms of the theme files and of discover's quotes.csv
    pseudonyms = iv.pseudonymise(coded.participant_ids + coded.codings.participant_id.tolist(),
                                 word=said("participant", SAID))
plots.plot_dendrogram(proto.linkage_, [pseudonyms[p] for p in proto.participant_ids_],
                      ylabel=said("nb_axis_distance", SAID)) if proto is not None else None

# %% [markdown]
# ## Traceability: theme → statement
# Every survey statement should come from a theme, and every theme that splits people should
# have statements.

# %%
if coded is not None:
    trace = iv.traceability(load_instrument(STUDY / "instrument.yaml"), coded)
    print(trace.summary(SAID))  # themes with no statement, statements with no theme
trace.table.head(12) if coded is not None else None

# %% [markdown]
# ## Write the theme files
# The tables above as CSV for the next stages and for the appendix: participants as pseudonyms
# ("Participant A", in a Swedish study "Deltagare A"), transcript names replaced, quotes masked.
# No key from pseudonym to name is written: your QDA project is the key.

# %%
written = iv.write_theme_files(coded, OUT / "themes", lang=SAID) if coded is not None else []
[str(p.name) for p in written]
