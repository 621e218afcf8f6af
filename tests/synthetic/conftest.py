from __future__ import annotations

import json

import pandas as pd
import pytest

from finmatch.schemas import Document
from training.synthetic.catalogue import CATALOGUE_JSON, GENERATED_JSON, load_catalogue
from training.synthetic.dataset import eligibility_by_event, frames


@pytest.fixture(scope="session")
def catalogue() -> Document:
    return load_catalogue()


@pytest.fixture(scope="session")
def catalogue_raw() -> dict:
    return json.loads(CATALOGUE_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def generated_raw() -> dict:
    return json.loads(GENERATED_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def generated(generated_raw: dict) -> Document:
    return Document.model_validate(generated_raw)


@pytest.fixture(scope="session")
def gen_frames(generated: Document, catalogue: Document) -> tuple[pd.DataFrame, pd.DataFrame]:
    return frames(generated, catalogue)


@pytest.fixture(scope="session")
def gen_eligible(generated: Document, gen_frames: tuple[pd.DataFrame, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    pf, qf = gen_frames
    return eligibility_by_event(generated.events, pf, qf)
