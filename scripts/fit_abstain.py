"""Developer tool: fit the abstention model (whether the documents answer) on question sets.

Features of the best hit: text coverage, example-question coverage, dense score, the best
example-question similarity in the organisation, the share of unknown words, whether the
question is about a topic outside the policies (`knowledge/scope.yaml`), and the share of the
question's concepts the best passage is tagged with, and whether the dense and the lexical score alone
agree on the best passage. The questions are asked twice: of the corpus as
shipped and of the same corpus without its curation (no q:/en: lines), so that the model holds for
documents added with no example questions. Prints the `abst_*` values for
`knowledge.retrieval.Tuning` and the cross-validated trade-off between false abstentions and answered
out-of-scope questions.

usage: python scripts/fit_abstain.py FILE.jsonl [FILE.jsonl ...] [QUESTIONS.jsonl@CORPUS_DIR ...]
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tempfile

from bot.config import load_settings
from bot.evaluate import strip_curation
from bot.runtime import build_retriever

NAMES = ["cov", "qcov", "dense", "qdense", "unknown", "outside", "topic", "agree"]


def features(files: list[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Features of every question; a file given as QUESTIONS.jsonl@CORPUS_DIR is asked of the documents in
    that corpus folder (another organisation's documents added as they are), the others of the bundled
    corpus as shipped and without its curation."""
    xs, ys, qs = [], [], []
    bundled = [f for f in files if "@" not in f]
    with tempfile.TemporaryDirectory() as tmp:
        for strip in (False, True):
            settings = load_settings()
            if strip:
                settings.corpus_dirs = strip_curation(None, Path(tmp))
            r = build_retriever(settings)
            r.tuning = replace(r.tuning, skip_dense_above=1e9)
            _features(r, bundled, xs, ys, qs)
    for spec in (f for f in files if "@" in f):
        qfile, corpus = spec.split("@", 1)
        settings = load_settings()
        settings.corpus_dirs = [Path(corpus)]
        settings.default_org = next(p.name for p in Path(corpus).iterdir() if p.is_dir())
        settings.cache = Path(corpus).parent / "cache"
        r = build_retriever(settings)
        r.tuning = replace(r.tuning, skip_dense_above=1e9)
        _features(r, [qfile], xs, ys, qs)
    return np.array(xs), np.array(ys), qs


def _features(r, files: list[str], xs: list, ys: list, qs: list) -> None:
    for f in files:
        for line in open(f, encoding="utf-8"):
            if not line.strip():
                continue
            it = json.loads(line)
            res = r.search(it["q"], it["org"], it["role"])
            if res.uncovered:  # declined by coverage before the model is asked
                continue
            h, d = res.hits[0], res.debug
            xs.append(
                [
                    h.coverage,
                    h.qcoverage,
                    h.dense,
                    d["max_qdense"],
                    d["unknown"],
                    float(d["outside"]),
                    d["topic"],
                    d["agree"],
                ]
            )
            ys.append(0 if it.get("abstain") else 1)
            qs.append(it["q"])


def fit(x: np.ndarray, y: np.ndarray, l2: float = 0.05, steps: int = 4000, lr: float = 0.2):
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = (x - mu) / sd
    w, b = np.zeros(z.shape[1]), 0.0
    weight = np.where(y == 0, (y == 1).sum() / max((y == 0).sum(), 1), 1.0)
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = (p - y) * weight
        w -= lr * (z.T @ g / len(y) + l2 * w)
        b -= lr * g.mean()
    return w / sd, b - (w / sd) @ mu


def main() -> None:
    x, y, qs = features(sys.argv[1:])
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(y))
    pred = np.zeros(len(y))
    for fold in np.array_split(idx, 5):
        train = np.setdiff1d(idx, fold)
        w, b = fit(x[train], y[train])
        pred[fold] = x[fold] @ w + b
    for thr in (-1.5, -1.0, -0.75, -0.5, -0.25, 0.0):
        fa = int(((pred < thr) & (y == 1)).sum())
        oos = int(((pred >= thr) & (y == 0)).sum())
        n_in, n_out = int((y == 1).sum()), int((y == 0).sum())
        print(f"threshold {thr:5.2f}: false abstentions {fa}/{n_in}, out-of-scope answered {oos}/{n_out}")
    w, b = fit(x, y)
    print(f"abst_bias: float = {b:.3f}")
    for n, v in zip(NAMES, w, strict=True):
        print(f"abst_{n}: float = {v:.3f}")
    s = x @ w + b
    for i in np.argsort(s):
        if (y[i] == 0 and s[i] > -1.0) or (y[i] == 1 and s[i] < 0.0):
            print(y[i], round(float(s[i]), 2), qs[i][:90])


if __name__ == "__main__":
    main()
