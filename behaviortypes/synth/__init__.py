"""The demo study generator: planted behaviour types, a survey, coded interviews, a customer base.

Two layers:

* :func:`simulate_study` turns a :class:`StudyConfig` into an in-memory
  :class:`SynthStudy` (survey responses, instrument, interviews, customer base
  *and the truth*). Other modules use it for planted-structure tests.
* :func:`make_study` writes a study folder (``instrument.yaml``, ``responses.csv``,
  ``interviews/codes.csv`` + ``participants.csv``, ``customers.parquet``) and,
  when asked, the truth to a separate folder. ``behaviortypes demo`` calls it.

Modules: ``config`` (:class:`StudyConfig`, :class:`TypeSpec`, the demo's types and
CRM features, validation), ``simulate`` (the generative model, described there),
``write`` (:func:`make_study`) and ``texts`` (item texts, interview quotes, names).

Examples
--------
>>> study = simulate_study(demo_config(n_customers=5_000, n_respondents=300))
>>> study.responses.shape[0]
300
"""

from .config import (
    CRM_FEATURES,
    DEMO_DIMENSIONS,
    DEMO_TYPES,
    FLAWS,
    StudyConfig,
    TypeSpec,
    demo_config,
)
from .simulate import SynthStudy, simulate_study, type_effects
from .write import make_study

__all__ = [
    "DEMO_DIMENSIONS",
    "DEMO_TYPES",
    "CRM_FEATURES",
    "FLAWS",
    "TypeSpec",
    "StudyConfig",
    "SynthStudy",
    "demo_config",
    "simulate_study",
    "make_study",
    "type_effects",
]
