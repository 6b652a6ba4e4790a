"""The dense index: embeddings cached per passage by content, so `conductbot index` embeds only new or
edited passages, reuses everything else, and shows its progress; the bot answers lexically while a
background build runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import BUNDLED_CORPUS, REPO, clean_env


def _stores(cache: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in cache.glob("vectors-*.npz")}


def test_first_index_in_a_fresh_cache_builds_it(cli, tmp_path):
    # one organisation's document into an empty cache (the session's cache starts from the installed one)
    docs = tmp_path / "docs"
    shutil.copytree(BUNDLED_CORPUS / "kommun", docs / "kommun")
    cli.configure(corpus_dirs=[docs], default_org="kommun")
    cache = tmp_path / "fresh-cache"
    r = cli.run("index", cache=cache)
    assert r.returncode == 0, str(r)
    assert "index built" in r.stdout and "reused" not in r.stdout, str(r)
    assert "documents" in r.stdout and "passages" in r.stdout and "kommun" in r.stdout
    assert len(_stores(cache)) == 1
    # progress is shown while embedding (on stderr, so stdout stays the summary)
    assert "embedding new passages:" in r.stderr


def test_second_index_is_reused_from_cache_and_fast(cli, session_index, tmp_path):
    # a copy of the session's cache, so this test sees exactly what one earlier build left
    cache = tmp_path / "cache"
    shutil.copytree(session_index.cache, cache)
    before = _stores(cache)
    r = cli.run("index", cache=cache)
    assert r.returncode == 0, str(r)
    assert "reused from cache" in r.stdout, str(r)
    assert "built" not in r.stdout
    assert _stores(cache) == before, "the cached vectors were rewritten"
    # (how fast, on an idle and on a busy host, is measured by scripts/bench_core.py, not asserted here)


def test_editing_one_passage_embeds_only_that_passage(cli, session_index, corpus_copy, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(session_index.cache, cache)

    # the unchanged copy of the corpus (other paths, same texts) embeds nothing
    cli.configure(corpus_dirs=[corpus_copy])
    same = cli.run("index", cache=cache)
    assert same.returncode == 0, str(same)
    assert "reused from cache" in same.stdout, str(same)

    # one edited passage: only it (its Swedish text and its English rendering at most) is embedded
    f = next(corpus_copy.rglob("kommun-medarbetarpolicy.md"))
    old = "Kommunen ska ge god service till medborgarna."
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, "Kommunen ska ge mycket god service till alla medborgare."), encoding="utf-8")
    changed = cli.run("index", cache=cache)
    assert changed.returncode == 0, str(changed)
    assert "index built" in changed.stdout and "(1 texts embedded)" in changed.stdout, str(changed)

    # and the edited text is what the bot now quotes
    a = cli.ask("Vad ska kommunen ge medborgarna?", "kommun", "employee", cache=cache)
    assert any("mycket god service" in c["text"] for c in a["citations"]), a["citations"][:2]

    # asking again reuses it
    again = cli.run("index", cache=cache)
    assert "reused from cache" in again.stdout, str(again)


def test_adding_a_document_to_an_indexed_corpus_takes_seconds(cli, session_index, corpus_copy, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(session_index.cache, cache)
    doc = corpus_copy / "kommun" / "kommun-alkohol.md"
    paragraphs = "\n\n".join(
        f"Punkt {i}: den som misstänker att en kollega är påverkad av alkohol ska tala med sin chef. "
        f"Chefen ansvarar för att ärendet hanteras enligt rutin {i}."
        for i in range(1, 9)
    )
    doc.write_text(
        "---\nid: kommun-alkohol\norganisation: kommun\ntitle: Riktlinje om alkohol\n---\n\n"
        f"## Alkohol och droger\n\n{paragraphs}\n",
        encoding="utf-8",
    )
    cli.configure(corpus_dirs=[corpus_copy])
    r = cli.run("index", cache=cache)
    assert r.returncode == 0, str(r)
    assert "(8 texts embedded)" in r.stdout, str(r)  # the new document only: the work grows with the change


def test_chat_answers_lexically_while_the_index_builds(cli, tmp_path):
    # a cold cache: the chat answers at once instead of waiting for the whole corpus to be embedded; the
    # answer must come while no index file exists yet (the build writes it when every passage is embedded)
    cache = tmp_path / "cold-cache"
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=REPO, env=clean_env(cli.home, cache), text=True, encoding="utf-8",
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("Vad är kränkande särbehandling?\n")
    proc.stdin.flush()
    lines: list[str] = []
    while not any("Hjälpte det?" in line for line in lines):
        line = proc.stdout.readline()
        assert line, "the chat ended without answering"
        lines.append(line)
    built_before_answer = list(cache.glob("vectors-*.npz"))
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    reply = "".join(lines)
    assert "Bemötandekod" in reply and "särbehandling" in reply, reply  # a quoted passage, not a refusal
    assert not built_before_answer, "the answer waited for the whole index"
