"""The command line's start-up path (session 22): a refusal that needs no data is said without
importing the data stack.

Every ``behaviortypes`` start imported the pipeline, and with it pandas, pyarrow, numpy and
pydantic (0.9 CPU s), before it checked that the folder or file it names exists: a user who
mistyped a path, and each of the test suite's ~190 command-line refusals, paid for them. The
commands now check the study's language and the paths first; the error line is the same.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

#: what a refusal of a missing path or of an option must not import
HEAVY = ("pandas", "pyarrow", "numpy", "scipy", "sklearn", "matplotlib", "jinja2", "weasyprint",
         "behaviortypes.pipeline", "behaviortypes.stages", "behaviortypes.instrument")

_PROBE = """
import json, sys
from behaviortypes.cli import main
rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "heavy": [m for m in %r if m in sys.modules]}))
""" % (HEAVY,)


def _refused(*args) -> tuple[dict, str]:
    """Run the command line with ``args`` in a fresh interpreter: what it imported of
    :data:`HEAVY` (and its exit code), and its one error line."""
    res = subprocess.run([sys.executable, "-c", _PROBE, *map(str, args)], capture_output=True, text=True,
                         timeout=120)
    return json.loads(res.stdout.splitlines()[-1]), res.stderr.strip()


@pytest.mark.parametrize("args, said", [
    (["check", "{x}/nope"], "error: nope: survey folder not found."),
    (["discover", "{x}/nope", "--out", "{x}/out", "--lang", "sv"], "fel: nope: enkätmappen finns inte."),
    (["lookalike", "{x}", "--customers", "{x}/nope.csv"], "error: nope.csv: customer file not found."),
    (["report", "{x}/nope"], "error: nope: discovery folder not found."),
    (["profile", "{x}/nope"], "error: nope: discovery folder not found."),
    (["run", "{x}/nope.yaml"], "error: {x}/nope.yaml: study file not found."),
    (["themes", "{x}/nope.csv", "--out", "{x}/t"], "error: nope.csv: interview file not found."),
    (["instrument", "draft", "{x}/nope.csv"], "error: nope.csv: file not found."),
    (["discover", "{x}", "--out", "{x}/out", "--clusters", "3"], "error: No such option: --clusters. Did you mean --k?"),
])
def test_a_refusal_of_a_missing_path_or_an_option_does_not_import_the_data_stack(tmp_path, args, said):
    record, line = _refused(*(a.format(x=tmp_path) for a in args))
    assert record["rc"] == 2 and line.startswith(said.format(x=tmp_path)) and "\n" not in line, line
    assert record["heavy"] == [], record["heavy"]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_the_texts_read_with_libyaml_are_pyyamls_own(lang):
    """:func:`behaviortypes.texts.load_texts` reads the catalogue with LibYAML's parser (0.02 s
    against 0.27 s): the same keys, texts and types as PyYAML's safe loader gives."""
    from behaviortypes.texts import I18N, load_texts

    assert load_texts(lang) == yaml.safe_load((I18N / f"{lang}.yaml").read_text(encoding="utf-8"))
