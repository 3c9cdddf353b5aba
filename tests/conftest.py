from __future__ import annotations

import os

import pytest
from greencli.adapters.rubric_file import load_rubric
from greencli.core.rubric import Rubric
from hypothesis import settings

from tests.builders import FIRST_READING

# Bounded and reproducible in `make test`; `make fuzz` runs the long profile.
settings.register_profile("ci", max_examples=150, derandomize=True, deadline=None)
settings.register_profile("long", max_examples=2000, deadline=None)  # `make fuzz`: random seed, many more inputs
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric(version=FIRST_READING)
