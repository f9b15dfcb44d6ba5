import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from behaviortypes.errors import InputError
from behaviortypes.files import write_yaml
from behaviortypes.profiles import (
    merge_types_yaml,
    profile_features,
    profile_types,
    read_types_yaml,
    suggest_names,
    weighted_sizes,
)


def test_wilson_interval_matches_known_value():
    labels = pd.Series([1] * 50 + [2] * 50)
    sizes = weighted_sizes(labels)
    # Wilson 95 % interval for 50/100 is [0.4038, 0.5962].
    assert_allclose(sizes.loc[1, ["share", "ci_low", "ci_high"]].to_numpy(float), [0.5, 0.4038, 0.5962], atol=1e-4)
    assert sizes.loc[1, "n"] == 50


def test_weights_change_share_and_widen_interval():
    labels = pd.Series([1] * 50 + [2] * 50)
    w = pd.Series([3.0] * 50 + [1.0] * 50)
    sizes = weighted_sizes(labels, w)
    assert sizes.loc[1, "share"] == pytest.approx(0.75)
    assert sizes.loc[1, "n_effective"] == pytest.approx(200**2 / (50 * 9 + 50))
    width = sizes.loc[1, "ci_high"] - sizes.loc[1, "ci_low"]
    assert width > 0.17  # wider than the unweighted 0.19 interval would be for p=.75 at n=100 (0.17)


def test_cohens_d_on_planted_difference():
    rng = np.random.default_rng(0)
    n = 20000
    labels = pd.Series(np.repeat([1, 2], n // 2))
    x = rng.normal(size=n) + (labels.to_numpy() == 1) * 1.0
    table = profile_features(pd.DataFrame({"a": x}), labels)
    d1 = table.query("type_id == 1")["effect_size"].item()
    assert d1 == pytest.approx(1.0, abs=0.04)
    assert table.query("type_id == 2")["effect_size"].item() == pytest.approx(-d1)


def test_names_follow_distinctive_factor_and_are_unique():
    fm = pd.DataFrame(
        {"F1": [1.2, -0.2, 0.1, 1.0], "F2": [0.1, 1.1, -0.9, 0.5], "F3": [0.0, 0.2, 0.1, -0.8]},
        index=pd.Index([1, 2, 3, 4], name="type_id"),
    )
    names = suggest_names(fm, {"F1": "price_focus", "F2": "inspiration", "F3": "weird thing"})
    assert names.loc[1, "name"] == "The bargain hunter"
    assert names.loc[2, "name"] == "The explorer"
    assert names.loc[3, "name"] == "The focused shopper"
    assert names["name"].is_unique
    assert names.loc[1, "tagline"].startswith("High on price focus")


def test_profile_types_aligned_and_sized():
    rng = np.random.default_rng(1)
    idx = pd.Index([f"R{i}" for i in range(300)], name="respondent_id")
    labels = pd.Series(np.repeat([1, 2, 3], 100), index=idx)
    scores = pd.DataFrame(rng.normal(size=(300, 2)) + np.repeat([[2, 0], [0, 2], [0, 0]], 100, axis=0),
                          index=idx, columns=["F1", "F2"])
    items = pd.DataFrame(rng.integers(1, 6, size=(300, 3)), index=idx, columns=["s1", "s2", "s3"])
    prof = profile_types(items, scores, labels)
    assert prof.factor_means.loc[1, "F1"] > 0.8 and prof.factor_means.loc[2, "F2"] > 0.8
    assert_allclose(prof.sizes["share"].sum(), 1.0)
    assert set(prof.table["kind"]) == {"factor", "item"}
    with pytest.raises(InputError, match="not aligned"):
        profile_types(items, scores, labels.iloc[::-1])


def test_types_yaml_keeps_user_edits(tmp_path):
    suggested = pd.DataFrame(
        {"name": ["The explorer", "The bargain hunter"], "tagline": ["a.", "b."], "color": ["#111111", "#222222"]},
        index=pd.Index([1, 2], name="type_id"),
    )
    path = tmp_path / "types.yaml"
    first = merge_types_yaml(path, suggested)
    first["types"][0]["name"] = "Inspiration Ingrid"
    first["types"][1]["description"] = "Loves a deal"
    write_yaml(path, first)
    new = suggested.copy()
    new.loc[2, "name"] = "The deal seeker"
    merged = merge_types_yaml(path, new)
    by_id = {t["type_id"]: t for t in merged["types"]}
    assert by_id[1]["name"] == "Inspiration Ingrid"  # the user's edit wins
    assert by_id[2]["name"] == "The deal seeker"  # untouched suggestion follows the analysis
    assert by_id[2]["description"] == "Loves a deal"
    assert read_types_yaml(path).loc[1, "name"] == "Inspiration Ingrid"


def test_types_yaml_errors(tmp_path):
    path = tmp_path / "types.yaml"
    path.write_text("types: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="malformed YAML"):
        read_types_yaml(path)
    path.write_text("types:\n  - name: x\n", encoding="utf-8")
    with pytest.raises(InputError, match="entry 1 of 'types' needs type_id and name"):
        read_types_yaml(path)


def test_name_prefers_what_a_type_is_high_on():
    # Higher in absolute terms on convenience (low), but clearly high on inspiration.
    fm = pd.DataFrame({"F1": [1.10], "F2": [-1.20]}, index=pd.Index([1], name="type_id"))
    names = suggest_names(fm, {"F1": "inspiration", "F2": "convenience"})
    assert names.loc[1, "name"] == "The explorer"
    assert names.loc[1, "tagline"] == "Low on convenience, high on inspiration."


def test_types_yaml_repeated_type_id(tmp_path):
    path = tmp_path / "types.yaml"
    path.write_text("types:\n  - {type_id: 1, name: a}\n  - {type_id: 1, name: b}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"rows 1, 2: a type_id is listed more than once"):
        read_types_yaml(path)
