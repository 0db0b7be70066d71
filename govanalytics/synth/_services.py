"""Sample-city generator part: services (owned by the services capability)."""

from __future__ import annotations

import numpy as np

from govanalytics.synth._base import CityBase
from govanalytics.synth._part import SynthPart


def generate(city: CityBase, rng: np.random.Generator) -> SynthPart:
    """Generate this part's files and planted truths (to be written by its capability)."""
    return SynthPart()
