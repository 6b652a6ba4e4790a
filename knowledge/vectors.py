"""Embeddings cached by content: one vector per (encoder, kind, text), so an edit re-embeds only what changed.

The store is one file per encoder under the cache directory (`vectors-<encoder hash>.npz`): the keys
(a hash of the kind, `passage` or `query`, and the exact text) and the vectors. Adding or editing one
document embeds only its new passages; moving a passage or renaming a file embeds nothing. Writes are
atomic (a temporary file, then a rename), so a crash or a second process never leaves a broken file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from knowledge.encoders import Encoder

log = logging.getLogger(__name__)
STORE_FORMAT = "1"
BATCH = 8
Progress = Callable[[int, int], None]


def _key(kind: str, text: str) -> bytes:
    return hashlib.sha256(f"{kind}\0{text}".encode()).hexdigest()[:24].encode()


class VectorStore:
    """Content-addressed embeddings of one encoder, loaded from and saved to one file."""

    def __init__(self, path: Path | None, encoder: Encoder) -> None:
        self.path = path
        self.encoder = encoder
        self._vecs: dict[bytes, np.ndarray] = {}
        self._dirty = False
        self._lock = threading.RLock()
        self.embedded = 0  # how many texts this store embedded (rather than found)
        if path is not None and path.exists():
            try:
                with np.load(path) as z:
                    for k, v in zip(z["keys"], z["vecs"], strict=True):
                        self._vecs[bytes(k)] = v
            except (OSError, ValueError, KeyError):
                log.warning("vector cache %s is unreadable; starting a new one", path)

    @classmethod
    def open(cls, cache_dir: Path | None, encoder: Encoder) -> VectorStore:
        """The store of this encoder under `cache_dir` (in memory only when there is no cache dir)."""
        if cache_dir is None:
            return cls(None, encoder)
        name = hashlib.sha256(f"{STORE_FORMAT}\0{encoder.name}".encode()).hexdigest()[:12]
        return cls(Path(cache_dir) / f"vectors-{name}.npz", encoder)

    def missing(self, kind: str, texts: list[str]) -> int:
        """How many of these texts would have to be embedded."""
        return len({t for t in texts if _key(kind, t) not in self._vecs})

    def get(self, kind: str, texts: list[str], progress: Progress | None = None) -> np.ndarray:
        """(n, dim) vectors of the texts as passages or queries, embedding only those not stored yet."""
        with self._lock:
            todo = list(dict.fromkeys(t for t in texts if _key(kind, t) not in self._vecs))
            done = 0
            for i in range(0, len(todo), BATCH):
                chunk = todo[i : i + BATCH]
                enc = self.encoder.encode_passages if kind == "passage" else self.encoder.encode_queries
                vecs = np.asarray(enc(chunk), dtype=np.float32)
                for t, v in zip(chunk, vecs, strict=True):
                    self._vecs[_key(kind, t)] = v
                done += len(chunk)
                self.embedded += len(chunk)
                self._dirty = True
                if progress is not None:
                    progress(done, len(todo))
                if done % (BATCH * 8) == 0:  # a build that is stopped half-way keeps what it embedded
                    self._save_locked()
            if not texts:
                return np.zeros((0, self.encoder.dim), np.float32)
            return np.vstack([self._vecs[_key(kind, t)] for t in texts]).astype(np.float32)

    def save(self) -> None:
        """Write the store if anything was added (atomically); a failure is logged, not raised."""
        with self._lock:
            self._save_locked()

    def _save_locked(self) -> None:
        if not self._dirty or self.path is None:
            return
        keys = list(self._vecs)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, suffix=".npz.tmp")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, keys=np.array(keys, dtype="S24"), vecs=np.vstack([self._vecs[k] for k in keys]))
            os.replace(tmp, self.path)
            self._dirty = False
        except OSError as exc:
            log.warning("could not store the vector cache in %s: %s", self.path.parent, exc)
