"""mclust's hierarchical agglomeration (behaviortypes.segments.hc) against R's mclust 6.0.0.

The reference trees were printed by R (tests/data/mclust/make_reference_hc.R and
make_reference.R; versions in versions.csv): ``hc(X)`` (VVV on the data as they are,
hc()'s default) and ``hc(X, use = "SVD")`` (mclustBIC's default) on iris, faithful,
mclust's diabetes and banknote and a planted own-shape study, and ``hc()`` of integer
grids, where nearly every merge is a tie. The port must give the same merges in the same
order, so the same starting partitions, and from them the same BIC table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from behaviortypes.segments import hc_partitions, hc_vvv, hclass, shapes
from behaviortypes.segments.hc import hc_eii, hc_transform

REF = Path(__file__).parent / "data" / "mclust"
SETS = ("iris", "faithful", "diabetes", "banknote", "planted_k5_m6")


def _data(name: str) -> np.ndarray:
    if name == "planted_k5_m6":
        return pd.read_csv(REF / "planted_k5_m6.csv").drop(columns="truth").to_numpy(float)
    return pd.read_csv(REF / f"{name}_data.csv").to_numpy(float)


@pytest.mark.parametrize("name", SETS)
def test_tree_and_partitions_equal_mclust_hc(name):
    """Every merge of hc(X) and hc(X, use = "SVD"), and hclass(., 1:9) label for label."""
    X = _data(name)
    pairs = pd.read_csv(REF / f"{name}_hcpairs.csv").to_numpy() - 1
    for use, cols, parts_file in (("VARS", [0, 1], f"{name}_hc.csv"),
                                  ("SVD", [2, 3], f"{name}_hc_svd.csv")):
        tree = hc_vvv(hc_transform(X, use))
        np.testing.assert_array_equal(tree.merges, pairs[:, cols], err_msg=use)
        ref = pd.read_csv(REF / parts_file).to_numpy() - 1
        parts = hclass(tree, range(1, 10))
        for g in range(1, 10):
            np.testing.assert_array_equal(parts[g], ref[:, g - 1], err_msg=f"{use} G={g}")
    # the public entry point and the shapes start give the SVD partitions
    ref = pd.read_csv(REF / f"{name}_hc_svd.csv").to_numpy() - 1
    for g, lab in shapes.hc_svd_labels(X, range(1, 10)).items():
        np.testing.assert_array_equal(lab, ref[:, g - 1], err_msg=f"hc_svd_labels G={g}")


def test_ties_are_broken_as_mclust_breaks_them():
    """Integer grids (2-D and 3-D): nearly every merge ties with others; same order as R."""
    ref = pd.read_csv(REF / "grid_hcpairs.csv")
    grid2 = np.array([(x, y) for y in range(1, 7) for x in range(1, 8)], float)
    grid3 = np.array([(x, y, z) for z in range(1, 4) for y in range(1, 4)
                      for x in range(1, 5)], float)
    for name, X in (("grid2", grid2), ("grid3", grid3)):
        want = ref.query("set == @name")[["i", "j"]].to_numpy() - 1
        np.testing.assert_array_equal(hc_vvv(X).merges, want, err_msg=name)


def test_bic_table_from_the_port_matches_mclustbic():
    """BIC of every model, G = 1..4, iris: from the port's VARS partitions against
    mclustBIC(initialization = list(hcPairs = hc(X))), and with bic_table's default starts
    (the port's SVD partitions) against mclustBIC's defaults."""
    X = _data("iris")
    vars_starts = hc_partitions(X, range(1, 5), use="VARS")
    for starts, ref_file in ((vars_starts, "bic.csv"), (None, "bic_svd.csv")):
        ref = pd.read_csv(REF / ref_file).query("data == 'iris' and G <= 4").dropna()
        tab = shapes.bic_table(X, ks=range(1, 5), starts=starts)
        assert len(ref) >= 50
        for row in ref.itertuples():
            np.testing.assert_allclose(tab[(row.model, row.G)][0], row.bic, rtol=1e-6,
                                       err_msg=f"{ref_file} {row.model} G={row.G}")


@pytest.mark.slow
@pytest.mark.parametrize("name", SETS)
def test_default_bic_table_matches_mclustbic_defaults(name):
    """mclustBIC(X, G = 1:9) with its defaults, against bic_table with its default
    starts (the port): the whole table and the model and G it prefers."""
    X = _data(name)
    ref = pd.read_csv(REF / "bic_svd.csv").query("data == @name").dropna()
    tab = shapes.bic_table(X)
    for row in ref.itertuples():
        if (row.model, row.G) in tab:  # (a fit ours drops as singular is not compared)
            np.testing.assert_allclose(tab[(row.model, row.G)][0], row.bic, rtol=1e-5,
                                       err_msg=f"{row.model} G={row.G}")
    assert sum((r.model, r.G) in tab for r in ref.itertuples()) >= 0.9 * len(ref)
    best = ref.loc[ref.bic.idxmax()]
    assert max(tab, key=lambda key: tab[key][0]) == (best.model, best.G)


def test_ward_tree_is_scipys():
    """EII (Ward's criterion): the cut at every k is scipy's ward/maxclust partition."""
    from scipy.cluster.hierarchy import fcluster, linkage

    X = hc_transform(_data("banknote"))
    parts = hc_partitions(_data("banknote"), range(1, 8), model="EII")
    tree = linkage(X, method="ward")
    for k, lab in parts.items():
        want = fcluster(tree, t=k, criterion="maxclust")
        assert adjusted_rand_score(lab, want) == 1.0, k
    assert hc_eii(X).merges.shape == (X.shape[0] - 1, 2)


def _planted(n, seed):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n)
    centres = np.array([[0, 0, 0, 0], [8, 0, 0, 0], [0, 8, 0, 0]], float)
    scales = np.array([1.0, 0.5, 1.5])
    X = centres[truth] + rng.normal(size=(n, 4)) * scales[truth, None]
    return X, truth


def test_subset_above_the_limit_is_seeded_and_recovers_the_types():
    """More rows than ``subset``: a seeded subset is agglomerated and everyone assigned by
    one M-step and one E-step; same seed, same labels; the planted types are found."""
    X, truth = _planted(900, 1)
    a = hc_partitions(X, [1, 2, 3], subset=300, seed=5)
    b = hc_partitions(X, [1, 2, 3], subset=300, seed=5)
    c = hc_partitions(X, [1, 2, 3], subset=300, seed=6)
    for k in (1, 2, 3):
        np.testing.assert_array_equal(a[k], b[k])
        assert a[k].shape == (900,) and set(np.unique(a[k])) == set(range(k))
    assert adjusted_rand_score(truth, a[3]) > 0.9
    assert adjusted_rand_score(truth, c[3]) > 0.9
    # below the limit no subset is drawn: the seed does not matter
    full = hc_partitions(X[:250], [3], seed=1)[3]
    np.testing.assert_array_equal(full, hc_partitions(X[:250], [3], seed=2)[3])


def test_starting_partition_and_bad_input():
    X = _data("iris")
    start = hclass(hc_vvv(X), [20])[20]
    tree = hc_vvv(X, partition=start)
    assert tree.merges.shape == (19, 2)
    parts = hclass(tree, [1, 3, 20])
    np.testing.assert_array_equal(parts[20], start)
    assert np.all(parts[1] == 0) and len(np.unique(parts[3])) == 3
    with pytest.raises(ValueError, match="missing or infinite"):
        hc_vvv(np.where(np.eye(5, 3) == 1, np.nan, 1.0))
    with pytest.raises(ValueError, match="use="):
        hc_partitions(X, [2], use="PCA")
    with pytest.raises(ValueError, match="model="):
        hc_partitions(X, [2], model="VEV")
    with pytest.raises(ValueError, match="between 1 and"):
        hclass(tree, [21])
    with pytest.raises(ValueError, match="starting groups"):  # refused before any memory
        hc_vvv(np.zeros((10_001, 1)) + np.arange(10_001)[:, None])
