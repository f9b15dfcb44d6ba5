"""The Swedish test study (``tests/data/swedish/study.py``) as one module for every test that
uses it: ``from swedish import study``."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "swedish_study", Path(__file__).parent / "data" / "swedish" / "study.py")
study = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(study)
