"""`conductbot eval --intents`: a labelled intent set scored with precision and recall per intent."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import REPO, Cli

INTENTS = REPO / "eval" / "blind" / "intents.jsonl"


def test_intent_set_is_scored_per_intent(cli: Cli, tmp_path: Path) -> None:
    lines = [json.loads(x) for x in INTENTS.read_text(encoding="utf-8").splitlines() if x.strip()]
    by_intent: dict[str, list[dict[str, str]]] = {}
    for item in lines:
        by_intent.setdefault(item["intent"], []).append(item)
    sample = [it for items in by_intent.values() for it in items[:5]]  # five of each intent: a quick run
    path = tmp_path / "intents.jsonl"
    path.write_text("".join(json.dumps(it, ensure_ascii=False) + "\n" for it in sample), encoding="utf-8")
    r = cli.run("eval", str(path), "--intents", "--misses", timeout=600)
    assert r.returncode == 0, str(r)
    rows = {m.group(1): (float(m.group(2)), float(m.group(3))) for m in
            re.finditer(r"^(\w+)\s+([01]\.\d{3})\s+([01]\.\d{3})\s+\d+$", r.stdout, re.M)}  # fmt: skip
    assert set(by_intent) <= set(rows), r.stdout
    acc = float(re.search(r"accuracy=([01]\.\d{3})", r.stdout).group(1))  # type: ignore[union-attr]
    assert acc >= 0.7, r.stdout
    assert rows["crisis"][1] >= 0.8, "messages about acute danger must be recognised"


def test_a_check_that_quotes_the_rule_first_counts_as_the_check(cli: Cli, tmp_path: Path) -> None:
    """The check answers "is it OK to accept ... from a supplier" with the rule first, then asks its first
    question: the message started the check, and is scored so."""
    text = "är det okej att jag tar emot en present från en leverantör, typ ett presentkort på 500 kr"
    item = {"id": "x1", "text": text, "intent": "four_question_check", "org": "vasteras", "role": "employee"}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(item, ensure_ascii=False) + "\n", encoding="utf-8")
    r = cli.run("eval", str(path), "--intents", "--misses", timeout=300)
    assert r.returncode == 0, str(r)
    assert "MISS" not in r.stdout and "accuracy=1.000" in r.stdout, r.stdout
    chat = cli.run("chat", "--org", "vasteras", "--role", "employee", "--user", "e1", stdin=item["text"] + "\n")
    assert "Så här står det" in chat.stdout and "Fråga 1 av 4" in chat.stdout, chat.stdout
