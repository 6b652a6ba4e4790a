"""The `conductbot` command: the JSON contract of `ask --json [--batch]`, `chat` scripted over stdin,
`eval`, help, and the messages for mistakes. Each test runs the real command in a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ANSWER_KEYS, CITATION_KEYS, DEV_SET, DOC_ALINGSAS, DOC_EMPLOYEES, ORGS, clean_env

BATCH = [
    {"id": "q1", "org": "vasteras", "role": "employee", "q": "Vad är kränkande särbehandling?"},
    {"id": 2, "org": "alingsas", "role": "employee", "q": "Is smoking allowed during working hours?"},
    "this line is { not JSON",
    {"id": "q4", "org": "vasteras", "role": "elected", "q": "Vem pratar jag med om jag blir trakasserad?"},
    {"id": "q5", "org": "kommun", "role": "employee", "q": "What is the wifi password?"},
    {"id": "q6", "org": "vasteras", "role": "employee", "text": "a line with no q"},
    {"id": "q7", "q": "Vad är sexuella trakasserier?"},
]


def _batch_input() -> str:
    return "".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in BATCH)


def _assert_contract(out: dict) -> None:
    for key in ANSWER_KEYS:
        assert key in out, f"missing {key!r} in {out}"
    assert isinstance(out["intent"], str) and out["intent"]
    assert out["lang"] in ("sv", "en")
    assert isinstance(out["text"], str)
    assert isinstance(out["citations"], list)
    assert isinstance(out["abstained"], bool)
    assert isinstance(out["elapsed_ms"], int | float) and not isinstance(out["elapsed_ms"], bool)
    assert out["elapsed_ms"] >= 0
    for c in out["citations"]:
        for key in CITATION_KEYS:
            assert key in c, f"missing {key!r} in citation {c}"
        assert all(isinstance(c[k], str) and c[k] for k in ("doc", "title", "section", "text"))
        assert isinstance(c["score"], int | float)
    scores = [c["score"] for c in out["citations"]]
    assert scores == sorted(scores, reverse=True), "citations come best first"


def _strip_timing(outs: list[dict]) -> list[dict]:
    return [{k: v for k, v in o.items() if k != "elapsed_ms"} for o in outs]


@pytest.fixture
def stdin_batch(cli):
    r = cli.run("ask", "--json", "--batch", "-", stdin=_batch_input())
    return r


def test_batch_writes_one_json_line_per_input_line_in_order(stdin_batch):
    r = stdin_batch
    lines = r.stdout.splitlines()
    assert len(lines) == len(BATCH), str(r)
    outs = [json.loads(line) for line in lines]  # every line is one JSON object
    for item, out in zip(BATCH, outs, strict=True):
        _assert_contract(out)
        if isinstance(item, dict):
            assert out["id"] == item["id"]  # ids echoed, strings and numbers alike


def test_batch_answers_each_question_for_its_own_org_and_role(stdin_batch):
    outs = stdin_batch.json_lines()
    ks, smoke, _bad, harassed, wifi, _no_q, default = outs
    assert ks["citations"][0]["doc"] == DOC_EMPLOYEES and not ks["abstained"]
    assert "förnedras och blir behandlad annorlunda" in ks["citations"][0]["text"]
    assert smoke["lang"] == "en" and smoke["citations"][0]["doc"] == DOC_ALINGSAS
    assert "gruppledare" in harassed["text"]
    assert wifi["abstained"] is True and wifi["citations"] == []
    # a line with no org and role is answered for the defaults (Västerås, employee)
    assert default["citations"][0]["doc"] == DOC_EMPLOYEES
    assert "trakasserier av sexuell natur" in default["citations"][0]["text"]


def test_batch_bad_lines_get_an_error_answer_and_the_rest_still_run(stdin_batch):
    r = stdin_batch
    outs = r.json_lines()
    bad, no_q = outs[2], outs[5]
    for out in (bad, no_q):
        assert out["abstained"] is True
        assert out["citations"] == []
        assert "error" in out and "line" in out["error"]
    assert "line 3" in bad["error"]
    assert no_q["id"] == "q6", "a JSON line without a question still echoes its id"
    assert "Traceback" not in r.stderr
    assert r.returncode != 0, "a batch with bad lines says so in its exit status"


def test_batch_from_a_file_is_the_same_as_from_stdin(cli, stdin_batch, tmp_path):
    f = tmp_path / "questions.jsonl"
    f.write_text(_batch_input(), encoding="utf-8")
    r = cli.run("ask", "--json", "--batch", str(f))
    assert r.returncode == stdin_batch.returncode, str(r)
    assert _strip_timing(r.json_lines()) == _strip_timing(stdin_batch.json_lines())


def test_batch_with_a_missing_file_is_a_clear_error(cli, tmp_path):
    r = cli.run("ask", "--json", "--batch", str(tmp_path / "missing.jsonl"))
    assert r.returncode == 2
    assert "missing.jsonl" in r.stderr and "Traceback" not in r.stderr


def test_batch_needs_json(cli):
    r = cli.run("ask", "--batch", "-", stdin='{"q": "hej"}\n')
    assert r.returncode == 2 and "--json" in r.stderr


def test_batch_elapsed_ms_is_in_process_time(cli):
    r = cli.run("ask", "--json", "--batch", "-", stdin=json.dumps({"id": 1, "q": "Vad är trakasserier?"}) + "\n")
    (out,) = r.json_lines()
    # in-process time of one answer, not the process start-up (which takes far more than a second)
    assert 0 < out["elapsed_ms"] < 1000 * r.seconds


def test_ask_json_prints_one_json_object(cli):
    r = cli.run("ask", "--json", "--org", "vasteras", "--role", "employee", "Vad är sexuella trakasserier?")
    assert r.returncode == 0, str(r)
    lines = [line for line in r.stdout.splitlines() if line.strip()]
    assert len(lines) == 1
    out = json.loads(lines[0])
    assert isinstance(out, dict)
    _assert_contract(out)
    assert out["intent"] == "policy_answer"
    assert "trakasserier av sexuell natur" in out["citations"][0]["text"]


def test_ask_without_json_prints_the_answer_text(cli):
    r = cli.run("ask", "--org", "vasteras", "Vad är sexuella trakasserier?")
    assert r.returncode == 0, str(r)
    assert "> Sexuella trakasserier är trakasserier av sexuell natur." in r.stdout
    assert not r.stdout.lstrip().startswith("{")


def test_ask_with_no_question_is_a_usage_error(cli):
    r = cli.run("ask", "--json")
    assert r.returncode == 2 and "question" in r.stderr


def test_unknown_org_gives_a_clear_message_listing_the_known_ones(cli):
    for command in (["ask", "--json", "--org", "nowhere", "What is harassment?"], ["chat", "--org", "nowhere"]):
        r = cli.run(*command, stdin="hej\n")
        assert r.returncode == 2, str(r)
        assert r.stdout == "" and len(r.stderr.strip().splitlines()) == 1, str(r)
        assert "nowhere" in r.stderr and all(org in r.stderr for org in ORGS), str(r)


def test_unknown_role_is_refused_with_the_known_ones(cli):
    r = cli.run("ask", "--role", "boss", "Vad är trakasserier?")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, str(r)
    for role in ("employee", "manager", "elected", "group_leader"):
        assert role in r.stderr


def test_chat_answers_each_stdin_line_and_exits_at_eof(cli):
    script = "Vad är sexuella trakasserier?\n\nWhat is the wifi password?\nFår man röka på arbetstid?\n"
    r = cli.run("chat", "--org", "vasteras", "--role", "employee", stdin=script, timeout=120)
    assert r.returncode == 0, str(r)
    out = r.stdout
    # each question is echoed and answered, in order
    i1 = out.index("> Vad är sexuella trakasserier?")
    i2 = out.index("> What is the wifi password?")
    i3 = out.index("> Får man röka på arbetstid?")
    assert i1 < i2 < i3
    assert "trakasserier av sexuell natur" in out[i1:i2]
    assert "HR" in out[i2:i3] and "manager" in out[i2:i3]
    # the third line is asked of Västerås: Alingsås's smoking rule is not quoted
    answer3 = out[i3:].split("\n", 1)[1]
    assert answer3.strip()
    assert "röka på arbetstid" not in answer3
    assert "Traceback" not in r.stderr


def test_chat_for_another_org_and_quit_command(cli):
    script = "Får man röka på arbetstid?\n/quit\nVad är sexuella trakasserier?\n"
    r = cli.run("chat", "--org", "alingsas", "--user", "anna", stdin=script, timeout=120)
    assert r.returncode == 0, str(r)
    assert "får man inte heller röka på arbetstid" in r.stdout
    assert "sexuell natur" not in r.stdout, "nothing after /quit is answered"
    assert "Vad är sexuella trakasserier?" not in r.stdout


def test_chat_with_empty_stdin_exits_cleanly(cli):
    r = cli.run("chat", stdin="")
    assert r.returncode == 0, str(r)
    assert "Traceback" not in r.stderr


def test_eval_prints_hit_at_1_and_hit_at_3(cli):
    dev = DEV_SET
    assert dev.exists(), f"{dev} is missing"
    r = cli.run("eval", str(dev))
    assert r.returncode == 0, str(r)
    assert "hit@1" in r.stdout and "hit@3" in r.stdout
    assert "routing mentions" in r.stdout and "out-of-scope abstained" in r.stdout
    assert "latency" in r.stdout


def test_eval_lists_misses_only_when_asked(cli, tmp_path):
    qs = tmp_path / "qs.jsonl"
    items = [
        {"id": "ok", "org": "vasteras", "role": "employee", "q": "Vad är sexuella trakasserier?",
         "gold": ["trakasserier av sexuell natur"]},
        {"id": "miss", "org": "vasteras", "role": "employee", "q": "Vad är sexuella trakasserier?",
         "gold": ["a phrase that is in no passage"], "mention_any": ["a word no answer has"]},
        {"id": "oos", "org": "vasteras", "role": "employee", "q": "What is the wifi password?", "abstain": True},
    ]  # fmt: skip
    qs.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items), encoding="utf-8")
    quiet = cli.run("eval", str(qs))
    assert quiet.returncode == 0, str(quiet)
    assert re.search(r"answerable 2: hit@1 0\.500\s+hit@3 0\.500", quiet.stdout), str(quiet)
    assert "routing mentions: 0/1" in quiet.stdout
    assert "out-of-scope abstained: 1/1" in quiet.stdout
    assert "MISS" not in quiet.stdout, "without --verbose the misses are not listed"
    assert "Vad är sexuella" not in quiet.stdout
    loud = cli.run("eval", str(qs), "--misses")
    assert "MISS | miss" in loud.stdout


def test_eval_of_a_missing_file_is_a_clear_error(cli, tmp_path):
    r = cli.run("eval", str(tmp_path / "nope.jsonl"))
    assert r.returncode == 2 and "nope.jsonl" in r.stderr and "Traceback" not in r.stderr


def test_python_m_bot_help(cli):
    r = cli.run("--help")
    assert r.returncode == 0
    for cmd in ("ask", "chat", "index", "eval"):
        assert cmd in r.stdout
    for cmd in ("ask", "chat", "index", "eval"):
        sub = cli.run(cmd, "--help")
        assert sub.returncode == 0 and "usage: conductbot " + cmd in sub.stdout


def test_the_console_script_is_installed(tmp_path, session_index):
    script = Path(sys.executable).parent / "conductbot"
    assert script.exists(), "the conductbot console script is not installed in this environment"
    p = subprocess.run(
        [str(script), "ask", "--json", "Vad är kränkande särbehandling?"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=clean_env(tmp_path / "home", session_index.cache),
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["citations"][0]["doc"] == DOC_EMPLOYEES


def test_no_subcommand_is_a_usage_error(cli):
    r = cli.run()
    assert r.returncode == 2 and "usage" in r.stderr


def test_a_broken_config_file_is_a_clear_error(cli):
    (cli.home).mkdir(parents=True, exist_ok=True)
    (cli.home / "config.yaml").write_text("corpus_dirs: [unclosed\n", encoding="utf-8")
    r = cli.run("ask", "Vad är trakasserier?")
    assert r.returncode == 2
    assert "config.yaml" in r.stderr and "Traceback" not in r.stderr
