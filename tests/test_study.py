"""The discovery folder's one writer and one reader: contracts enforced on write and on read."""

import json

import pandas as pd
import pytest
import yaml
from reportfixture import make_discovery_folder

from behaviortypes import study
from behaviortypes.errors import InputError
from behaviortypes.profiles import read_types_yaml


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return make_discovery_folder(tmp_path_factory.mktemp("study") / "disc", k=3, n=200)


@pytest.fixture
def disc(folder, tmp_path):
    import shutil

    return shutil.copytree(folder, tmp_path / "disc")


def test_load_reads_every_file_typed(folder):
    f = study.load(folder)
    assert f.solution.k == 3 and sorted(f.solution.sizes) == [1, 2, 3]
    assert f.type_names == {1: "Bargain Hunters", 2: "Time Savers", 3: "Digital Natives"}
    assert f.card.metrics.confusion_matrix.type_ids == [1, 2, 3]
    assert set(f.base_shares.shares) == {1, 2, 3}
    assert f.factors.retention.reason == f.solution.factor_reason
    sizes = f.table("sizes.csv", required=True)
    assert sizes["type_id"].tolist() == [1, 2, 3]
    assert sum(f.screening_summary.reasons.values()) >= f.solution.n_respondents - f.solution.n_kept


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.update(k="three"), r"solution.json, column 'k': Input should be a valid integer"),
    (lambda d: d.pop("k_reason"), r"solution.json, column 'k_reason': 'k_reason' is missing"),
    (lambda d: d["sizes"]["1"].update(share=1.5), r"solution.json, column 'sizes.1.share': Input should be less than or equal to 1"),
    (lambda d: d.update(k=4), r"solution.json: Value error, 'sizes' has 3 entries for k = 4 types|'sizes' has 3 entries for k = 4"),
])
def test_broken_solution_names_file_and_field(disc, edit, message):
    data = json.loads((disc / "solution.json").read_text())
    edit(data)
    (disc / "solution.json").write_text(json.dumps(data))
    with pytest.raises(InputError, match=message):
        study.load(disc)


def test_broken_card_and_factors_name_the_field(disc):
    card = json.loads((disc / "lookalike_card.json").read_text())
    card["metrics"]["confusion_matrix"]["counts"] = [[1, 2], [3, 4]]
    (disc / "lookalike_card.json").write_text(json.dumps(card))
    with pytest.raises(InputError, match=r"lookalike_card.json, column 'metrics.confusion_matrix': .*counts must be 3 × 3"
                       r".*Hint: re-run `behaviortypes lookalike"):
        study.load(disc)
    (disc / "lookalike_card.json").unlink()
    factors = json.loads((disc / "factors.json").read_text())
    del factors["retention"]["reason"]
    (disc / "factors.json").write_text(json.dumps(factors))
    with pytest.raises(InputError, match=r"factors.json, column 'retention.reason': 'retention.reason' is missing"):
        study.load(disc)


def test_evidence_accepts_new_keys_and_contracts_keep_them(disc):
    """Other stages add evidence (per-candidate retention, CIs): extra keys load and survive."""
    factors = json.loads((disc / "factors.json").read_text())
    factors["retention"]["candidates"] = [{"n_factors": 2, "rmsea": 0.04}]
    (disc / "factors.json").write_text(json.dumps(factors))
    base = json.loads((disc / "base_shares.json").read_text())
    base["ci"] = {"1": [0.1, 0.2]}
    (disc / "base_shares.json").write_text(json.dumps(base))
    f = study.load(disc)
    assert f.factors.retention.model_extra["candidates"][0]["rmsea"] == 0.04
    assert f.base_shares.model_dump(mode="json")["ci"] == {"1": [0.1, 0.2]}


def test_types_yaml_is_parsed_one_way(disc):
    doc = yaml.safe_load((disc / "types.yaml").read_text())
    doc["types"][1]["color"] = "blurple"
    (disc / "types.yaml").write_text(yaml.safe_dump(doc))
    message = r"types.yaml, column 'color', row 2: not a colour \(value 'blurple'\)"
    for reader in (study.load, lambda d: study.read_types(d / "types.yaml"),
                   lambda d: read_types_yaml(d / "types.yaml")):
        with pytest.raises(InputError, match=message):
            reader(disc)
    doc["types"][1]["color"] = "#123456"
    doc["types"][1]["persona_owner"] = "Ann"  # a key of the user's own is kept
    (disc / "types.yaml").write_text(yaml.safe_dump(doc))
    assert read_types_yaml(disc / "types.yaml").loc[2, "persona_owner"] == "Ann"
    doc["types"][2]["type_id"] = "x"
    (disc / "types.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match=r"types.yaml, column 'type_id', row 3: type_id must be a whole number"):
        study.load(disc)


def test_save_refuses_content_that_breaks_the_contract(tmp_path):
    with pytest.raises(InputError, match=r"base_shares.json, column 'n_customers': 'n_customers' is missing"):
        study.save(tmp_path, "base_shares.json", {"shares": {1: 0.5}})
    with pytest.raises(InputError, match=r"assignments.csv, column 'probability': missing column"):
        study.save(tmp_path, "assignments.csv", pd.DataFrame({"respondent_id": ["a"], "type_id": [1],
                                                              "type_name": ["x"]}))
    with pytest.raises(InputError, match=r"rows 1, 2: a type_id is listed more than once"):
        study.save(tmp_path, "types.yaml", {"types": [{"type_id": 1, "name": "a"}, {"type_id": 1, "name": "b"}]})
    assert not any(tmp_path.iterdir())


def test_write_leaves_the_folder_alone_when_a_file_breaks(folder, tmp_path):
    import shutil

    out = shutil.copytree(folder, tmp_path / "out")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    class Broken:
        def to_files(self, stage):
            study.save(stage, "sizes.csv", pd.read_csv(out / "sizes.csv"))
            return [study.save(stage, "solution.json", {"k": 2})]

    with pytest.raises(InputError, match="solution.json"):
        study.write(out, Broken())
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_not_a_discovery_folder(tmp_path):
    with pytest.raises(InputError, match=r"not a discovery folder \(missing assignments.csv, solution.json, "
                                         r"source.json, types.yaml\)"):
        study.load(tmp_path)


class _CopyOf:
    """A stage result whose files are those of an existing discovery folder."""

    def __init__(self, folder):
        self.folder = folder

    def to_files(self, stage):
        import shutil

        return [shutil.copy(p, stage / p.name) for p in self.folder.iterdir()
                if p.is_file() and not p.name.startswith(".")]


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_notebooks_write_parts_then_discover_into_the_same_folder(folder, tmp_path):
    nb = tmp_path / "discovery"  # notebooks 02-03 save parts before notebook 04's discover
    f = study.load(folder)
    study.save(nb, "factors.json", f.factors)
    study.save(nb, "loadings.csv", f.table("loadings.csv"))
    study.claim(nb, ["screening.csv"])
    (nb / "screening.csv").write_bytes((folder / "screening.csv").read_bytes())
    study.write(nb, _CopyOf(folder))  # discover: replaces the parts, which are ours
    assert {n: b for n, b in _files(nb).items() if not n.startswith(".")} == {
        n: b for n, b in _files(folder).items() if not n.startswith(".")}
    study.write(nb, _CopyOf(folder))  # and again on a re-run


def test_discover_and_save_never_replace_a_users_file(folder, tmp_path):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "solution.json").write_text('{"my": "own notes"}')
    before = _files(user)
    with pytest.raises(InputError, match=r"mine: the output folder already holds "
                                         r"solution.json, a file behaviortypes did not write"):
        study.write(user, _CopyOf(folder))
    with pytest.raises(InputError, match="already holds solution.json"):
        study.save(user, "solution.json", study.load(folder).solution)
    with pytest.raises(InputError, match="already holds solution.json"):
        study.claim(user, ["solution.json"])
    assert _files(user) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no staging left


def test_a_discovery_folder_from_before_the_marker_is_ours(folder, tmp_path):
    import shutil

    from behaviortypes.files import OUTPUTS_MARKER

    old = shutil.copytree(folder, tmp_path / "old")
    (old / OUTPUTS_MARKER).unlink()
    study.save(old, "factors.json", study.load(folder).factors)  # the discovery's files are ours
    assert "solution.json" in json.loads((old / OUTPUTS_MARKER).read_text())["written"]
    study.write(old, _CopyOf(folder))


def test_a_new_discovery_never_leaves_the_old_types_profile_beside_it(folder, tmp_path):
    """``profile`` then ``discover`` again (another k): the banner figures of the old types go."""
    import shutil
    import warnings

    from behaviortypes.describe import ProfileResult, load_profile
    from behaviortypes.describe.profile import assignments_fingerprint
    from behaviortypes.errors import BehaviortypesWarning

    out = shutil.copytree(folder, tmp_path / "out")
    types = pd.read_csv(out / "assignments.csv", dtype={"respondent_id": str}).set_index("respondent_id")["type_id"]
    banner = pd.DataFrame({"variable": ["gender"], "level": ["1"], "type_id": [1], "n": [40], "share": [0.5]})
    meta = {"n_respondents": len(types), "type_names": {str(t): "x" for t in sorted(types.unique())},
            "assignments_sha256": assignments_fingerprint(types)}
    ProfileResult(out, banner, *[pd.DataFrame({"variable": ["gender"]})] * 3,
                  meta).to_files()
    assert load_profile(out) is not None
    # the assignments change under the profile (a copied folder, an older tool): not shown
    moved = pd.read_csv(out / "assignments.csv", dtype={"respondent_id": str})
    moved.loc[moved["type_id"] == 3, "type_id"] = 2
    moved.to_csv(out / "assignments.csv", index=False)
    with pytest.warns(BehaviortypesWarning, match="describes an earlier discovery.*behaviortypes profile"):
        assert load_profile(out) is None
    # a profile.json from before the fingerprint: judged by its count and type ids
    (out / "profile.json").write_text(json.dumps({**meta, "assignments_sha256": None}))
    with pytest.warns(BehaviortypesWarning, match="earlier discovery"):
        assert load_profile(out) is None
    (out / "profile.json").write_text(json.dumps({**meta, "assignments_sha256": None,
                                                  "type_names": {"1": "a", "2": "b"}}))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_profile(out) is not None
    # a new discovery removes every file profile wrote
    study.write(out, _CopyOf(folder))
    for name in ("banner.csv", "banner_tests.csv", "outcomes.csv", "covariates.csv", "profile.json"):
        assert name in study.STALE_AFTER_DISCOVERY and not (out / name).exists()
    assert load_profile(out) is None
