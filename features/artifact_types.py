"""The allow-list of ``features`` classes a model file may name (handed to the core's artifact reader).

The core (``finmatch.artifact``) rebuilds only classes listed here, by name; a fitted object of any
other class inside the pair builder makes saving fail at training time, with its attribute path.
Adding a fitted object means adding its class name here. ``skops_trusted`` names the non-sklearn
callables inside the scikit-learn pipelines we save (skops refuses everything else).
"""

from __future__ import annotations

import importlib

from finmatch.artifact_state import ArtifactTypes

# module -> estimator classes it may contribute to a model file
ALLOWED: dict[str, tuple[str, ...]] = {
    "features.pairs": ("PairFeatureBuilder",),
    "features.bm25": ("BM25Similarity",),
    "features.semantic": ("EmbeddingSimilarity",),
    "features.sector": ("SectorClassifier", "SectorUnderstanding"),
}
SKOPS_TRUSTED: tuple[str, ...] = ("features.tokenize.analyzer",)


def artifact_types() -> ArtifactTypes:
    classes: dict[str, type] = {}
    for module_name, names in ALLOWED.items():
        module = importlib.import_module(module_name)
        classes.update({name: getattr(module, name) for name in names if hasattr(module, name)})
    return ArtifactTypes(classes, skops_trusted=SKOPS_TRUSTED)
