"""Export the planted own-shape study that make_reference.R fits with R's mclust.

``suite_alt(8)[2]`` (tests/planted.py: k=5 types, each with its own covariance shape,
m=6 factors): its factor scores (as the pipeline computes them with the true number of
factors) for the first 1,500 respondents (mclust's hierarchical start uses every row
up to 2,000), written with 17 significant digits so R and Python read the same numbers.

Run from the repository root: ``python tests/data/mclust/export_planted.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))  # tests/

from planted import factor_scores, make_planted, suite_alt  # noqa: E402

st = make_planted(**suite_alt(8)[2])
X = factor_scores(st).iloc[:1500]
X.insert(0, "truth", st.truth.iloc[:1500].to_numpy())
X.to_csv(HERE / "planted_k5_m6.csv", index=False, float_format="%.17g")
print(X.shape, X["truth"].value_counts().sort_index().to_dict())
