"""Sector inference speed: texts/s for the lexicon alone, and lexicon + prototype embeddings cold and cached.

Cold = an empty embedding cache (the e5 model loads and every text is embedded); cached = the same texts
again (SQLite reads only). Prints the figures and the ratios against the lexicon-only path measured in
the same run. Texts: the independent validation set's project descriptions, repeated with a suffix so
that the cold pass really embeds ``--n`` distinct texts.

    .venv/bin/python benchmarks/sector.py --n 40
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from features.sector import SectorUnderstanding  # noqa: E402


def texts(n: int) -> list[str]:
    doc = json.loads((ROOT / "tests" / "data" / "validation" / "validation.json").read_text("utf-8"))
    base = [f"{p['name']}。{p['description']}" for p in doc["projects"]]
    return [base[i % len(base)] + ("" if i < len(base) else f"（第{i // len(base) + 1}期）") for i in range(n)]


def rate(understanding: SectorUnderstanding, batch: list[str]) -> float:
    start = time.perf_counter()
    understanding.predict(batch)
    return len(batch) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    batch = texts(args.n)
    lexicon = SectorUnderstanding(use_embeddings=False)
    lexicon.predict(batch[:2])  # compile the lexicon once
    lex = rate(lexicon, batch)
    with tempfile.TemporaryDirectory() as tmp:
        emb = SectorUnderstanding(use_embeddings=True, embedding_cache=str(Path(tmp) / "emb.sqlite"))
        cold = rate(emb, batch)  # includes loading the model and embedding the prototypes once
        cached = rate(emb, batch)
    print(f"sector inference on {len(batch)} texts (OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']})")
    print(f"  lexicon only            {lex:10.1f} texts/s")
    print(f"  + embeddings, cold      {cold:10.1f} texts/s   ({cold / lex:.4f}× lexicon)")
    print(f"  + embeddings, cached    {cached:10.1f} texts/s   ({cached / lex:.4f}× lexicon, {cached / cold:.1f}× cold)")


if __name__ == "__main__":
    main()
