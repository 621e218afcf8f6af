"""Streaming the synthetic data set to Parquet, one chunk of enterprises at a time.

``generate_dataset`` holds the whole data set in memory (100,000 projects: ~4 GB and a 464 MB JSON
file). Here the set is made chunk by chunk: each chunk's enterprises and projects, its own past
events (events never mix chunks), their eligibility and outcomes, appended as one row group to
``enterprises.parquet``, ``projects.parquet``, ``events.parquet`` and ``outcomes.parquet``; memory is
bounded by a chunk. Chunk 0 uses the seed itself, so a set no larger than one chunk is exactly
``generate_dataset(n, seed)``; later chunks use seeds derived from (seed, chunk), so the output is
deterministic for (n, seed, chunk size). Ids run on across chunks (E000001 …, XM000001 …); events
of chunk c > 0 get the suffix ``-C<c>``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from finmatch.io.parquet import ParquetTableWriter
from finmatch.schemas import Document, Enterprise, Event, Outcome, Project
from training.synthetic.catalogue import load_catalogue
from training.synthetic.dataset import default_n_events, eligibility_by_event, frames
from training.synthetic.events import generate_events
from training.synthetic.preferences import HiddenPreferenceModel
from training.synthetic.projects import generate_projects

log = logging.getLogger(__name__)
DEFAULT_CHUNK = 10_000
ENTITIES = (("enterprises", Enterprise), ("projects", Project), ("events", Event), ("outcomes", Outcome))


@dataclass
class StreamCounts:
    enterprises: int = 0
    projects: int = 0
    events: int = 0
    outcomes: int = 0


def chunk_seed(seed: int, chunk: int) -> int:
    return seed if chunk == 0 else int(np.random.SeedSequence([seed, chunk]).generate_state(1)[0])


def _renumber(enterprises: list[Enterprise], projects: list[Project], offset: int,
              width: int) -> tuple[list[Enterprise], list[Project]]:
    eid = {e.enterprise_id: f"E{offset + i + 1:0{width}d}" for i, e in enumerate(enterprises)}
    ents = [e.model_copy(update={"enterprise_id": eid[e.enterprise_id]}) for e in enterprises]
    projs = [p.model_copy(update={"project_id": f"XM{offset + i + 1:0{width}d}", "enterprise_id": eid[p.enterprise_id]})
             for i, p in enumerate(projects)]
    return ents, projs


def generate_chunk(n: int, seed: int, chunk: int, offset: int, width: int, catalogue: Document) -> Document:
    """One chunk: ``n`` enterprises/projects numbered from ``offset``, its events and their outcomes."""
    s = chunk_seed(seed, chunk)
    enterprises, projects = generate_projects(n, s, progress=False)
    if chunk or width != max(4, len(str(n))):
        enterprises, projects = _renumber(enterprises, projects, offset, width)
    doc = Document(enterprises=enterprises, projects=projects)
    pf, qf = frames(doc, catalogue)
    events = generate_events(pf, catalogue.products, s, default_n_events(n))
    if chunk:
        events = [e.model_copy(update={"event_id": f"{e.event_id}-C{chunk}"}) for e in events]
    eligible = eligibility_by_event(events, pf, qf)
    model = HiddenPreferenceModel(seed, {i.institution_id: i.city or "" for i in catalogue.institutions})
    outcomes = model.simulate_outcomes(events, pf, qf, eligible, np.random.default_rng([s, 11]))
    return Document(enterprises=enterprises, projects=projects, events=events, outcomes=outcomes)


def _rows(items: list[Any]) -> list[dict[str, Any]]:
    """v1 rows with empty fields dropped and ``extra`` keys as their own columns (import keeps unknown
    columns in ``extra``, so they come back where they were)."""
    out = []
    for item in items:
        row = {k: v for k, v in item.model_dump(mode="json").items() if v is not None and v != []}
        row.update({k: str(v) for k, v in (row.pop("extra", None) or {}).items()})
        out.append(row)
    return out


def write_parquet_dataset(output: Path, n_projects: int, seed: int, chunk_size: int = DEFAULT_CHUNK,
                          progress: bool = False) -> StreamCounts:
    """Write the four tables under ``output`` (a folder), chunk by chunk."""
    output.mkdir(parents=True, exist_ok=True)
    catalogue = load_catalogue()
    width = max(4, len(str(n_projects)))
    writers = {name: ParquetTableWriter(output / f"{name}.parquet") for name, _ in ENTITIES}
    counts = StreamCounts()
    chunks = range(0, n_projects, max(1, chunk_size))
    try:
        for c, offset in enumerate(tqdm(chunks, desc="生成分块", disable=not progress, unit="块")):
            n = min(chunk_size, n_projects - offset)
            doc = generate_chunk(n, seed, c, offset, width, catalogue)
            for name, _ in ENTITIES:
                items = getattr(doc, name)
                writers[name].write(_rows(items))
                setattr(counts, name, getattr(counts, name) + len(items))
            log.info("chunk %d: %d projects, %d events, %d outcomes", c, n, len(doc.events), len(doc.outcomes))
    finally:
        for w in writers.values():
            w.close()
    return counts
