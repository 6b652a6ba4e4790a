"""The dense index cache: `conductbot index` builds it once, reuses it while corpus and encoder are
unchanged, and builds a new one when the corpus changes."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ORGS


def _indexes(cache: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in cache.glob("dense-*.npz")}


def test_first_index_in_a_fresh_cache_builds_it(session_index):
    out = session_index.first.stdout
    assert "index built" in out, str(session_index.first)
    assert "reused" not in out
    assert "documents" in out and "passages" in out
    for org in ORGS:
        assert org in out
    assert len(_indexes(session_index.cache)) >= 1


def test_second_index_is_reused_from_cache_and_fast(cli, session_index, tmp_path):
    # a copy of the session's cache, so this test sees exactly what one earlier build left
    cache = tmp_path / "cache"
    shutil.copytree(session_index.cache, cache)
    before = _indexes(cache)
    r = cli.run("index", cache=cache)
    assert r.returncode == 0, str(r)
    assert "reused from cache" in r.stdout, str(r)
    assert "built" not in r.stdout
    assert _indexes(cache) == before, "the cached index was rewritten"
    assert r.seconds < max(5.0, 0.5 * session_index.first.seconds), (r.seconds, session_index.first.seconds)


def test_changing_one_passage_makes_a_new_index(cli, session_index, corpus_copy, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(session_index.cache, cache)
    before = _indexes(cache)

    # the unchanged copy of the corpus is the same corpus: its index is reused
    cli.configure(corpus_dirs=[corpus_copy])
    same = cli.run("index", cache=cache)
    assert same.returncode == 0, str(same)
    assert "reused from cache" in same.stdout, str(same)

    # one edited passage is a different corpus: a new index is built next to the old one
    f = next(corpus_copy.rglob("kommun-medarbetarpolicy.md"))
    old = "Kommunen ska ge god service till medborgarna."
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, "Kommunen ska ge mycket god service till alla medborgare."), encoding="utf-8")
    changed = cli.run("index", cache=cache)
    assert changed.returncode == 0, str(changed)
    assert "index built" in changed.stdout, str(changed)
    after = _indexes(cache)
    assert set(before) < set(after), "the new corpus did not get an index of its own"

    # and the edited text is what the bot now quotes
    a = cli.ask("Vad ska kommunen ge medborgarna?", "kommun", "employee", cache=cache)
    assert any("mycket god service" in c["text"] for c in a["citations"]), a["citations"][:2]

    # asking again reuses the new index
    again = cli.run("index", cache=cache)
    assert "reused from cache" in again.stdout, str(again)
    assert _indexes(cache) == after
