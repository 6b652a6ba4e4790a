"""The seams of the core: no chat SDK below the adapters, the JSON "intent" names the intent that
answered, the one seam `Bot.handle(Incoming) -> list[Reply]`, and the dev set still meets its targets."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from conftest import DEV_SET, REPO, Cli, SessionIndex, clean_env

SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "microsoft_agents")  # microsoft_agents: the M365 Agents SDK
CORE_PACKAGES = ("bot", "intents", "knowledge")


def _imported_modules(path: Path) -> set[str]:
    """Every module a source file imports: import statements, and import_module/__import__ calls."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in ("import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
                found.add(str(node.args[0].value))
    return found


def test_no_chat_sdk_is_imported_by_the_core() -> None:
    sources = [p for pkg in CORE_PACKAGES for p in (REPO / pkg).rglob("*.py")]
    names = {p.relative_to(REPO).as_posix() for p in sources}
    assert {"bot/core.py", "bot/store.py", "intents/registry.py", "intents/report_concern.py"} <= names
    assert {"knowledge/routing.py", "knowledge/retrieval.py"} <= names
    offenders = {
        p.relative_to(REPO).as_posix(): sorted(m for m in _imported_modules(p) if m.split(".")[0] in SDKS)
        for p in sources
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_scan_would_see_an_sdk_import(tmp_path: Path) -> None:
    """The scanner above is not blind: it finds each way of importing an SDK."""
    src = tmp_path / "m.py"
    src.write_text(
        "import slack_bolt\nfrom slack_sdk.web import WebClient\nimport importlib\n"
        "def f():\n    from botbuilder.core import TurnContext\n    return importlib.import_module('slack_bolt.app')\n"
        "from microsoft_agents.activity import Activity\n",
        encoding="utf-8",
    )
    assert {m.split(".")[0] for m in _imported_modules(src)} >= set(SDKS)


def test_chat_and_ask_run_without_loading_a_chat_sdk(cli: Cli, tmp_path: Path) -> None:
    """Importable stand-ins for the SDKs record any import; a chat and an answer must not trigger them."""
    stubs = tmp_path / "stubs"
    log = tmp_path / "sdk-imports.log"
    for name in SDKS:
        pkg = stubs / name
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text(f"open({str(log)!r}, 'a').write({name!r} + '\\n')\n", encoding="utf-8")
    env = clean_env(cli.home, cli.cache, {"PYTHONPATH": str(stubs)})
    # the stand-ins are what an import would load in this environment, and they leave a trace
    probe = subprocess.run([sys.executable, "-c", "import " + ", ".join(SDKS)], env=env, cwd=REPO)
    assert probe.returncode == 0 and log.read_text(encoding="utf-8").split() == list(SDKS)
    log.unlink()

    extra = {"PYTHONPATH": str(stubs)}
    r = cli.run(
        "chat",
        "--user",
        "seam",
        stdin="hej\nMin kollega verkar påverkad, vem säger jag till?\n1\n/profil\n3\n",
        env=extra,
    )
    assert r.returncode == 0, str(r)
    assert "meddela din chef" in r.stdout and "Förtroendevald" in r.stdout
    r = cli.run("ask", "--json", "Vad är kränkande särbehandling?", env=extra)
    assert r.returncode == 0 and '"policy_answer"' in r.stdout, str(r)
    assert not log.exists(), log.read_text(encoding="utf-8")


MIXED = [
    ({"q": "hej"}, "greeting"),
    ({"q": "Min kollega verkar påverkad på jobbet, vem säger jag till?", "role": "employee"}, "report_concern"),
    ({"q": "Vad är kränkande särbehandling?"}, "policy_answer"),
    ({"q": "Vad är lösenordet till wifi?"}, "out_of_scope"),
    ({"q": "thank you"}, "thanks"),
    ({"q": "I suspect a colleague is taking bribes, where do I report it?", "role": "elected"}, "report_concern"),
    ({"q": "help"}, "help"),
    ({"q": "Is smoking allowed during working hours?", "org": "alingsas"}, "policy_answer"),
    ({"q": "What is the capital of France?", "org": "kommun"}, "out_of_scope"),
    ({"q": "Jag blir mobbad, vem vänder jag mig till?", "org": "kommun"}, "report_concern"),
]


def test_json_intent_names_the_intent_used_across_a_mixed_batch(cli: Cli) -> None:
    items = [{"id": i, "org": "vasteras", **it} for i, (it, _) in enumerate(MIXED)]
    outs = cli.batch(items)
    assert [o["intent"] for o in outs] == [intent for _, intent in MIXED]
    by_intent: dict[str, list[dict]] = {}
    for o in outs:
        by_intent.setdefault(o["intent"], []).append(o)
    # the intent agrees with what the answer is
    for o in by_intent["report_concern"] + by_intent["policy_answer"]:
        assert o["citations"], o
        # kommun's documents say nothing of the matter: its general advice is a decline (citing its passage)
        assert o["abstained"] is (o is outs[9]), o
    for o in by_intent["out_of_scope"]:
        assert o["abstained"] is True and o["citations"] == [], o
    for o in by_intent["greeting"] + by_intent["help"] + by_intent["thanks"]:
        assert o["citations"] == [], o
    assert "vasteras.se/visselblåsarfunktion" in outs[5]["text"]
    assert "nämner ingen visselblåsarfunktion" in outs[9]["text"]


async def test_bot_handle_is_the_one_seam(tmp_path: Path, retriever, session_index: SessionIndex) -> None:
    """An adapter needs only `Bot.handle(Incoming) -> list[Reply]`: text in, replies out; a choice
    goes back by its value, as a Slack or Teams button would send it."""
    from bot.config import Settings
    from bot.runtime import build_bot
    from bot.types import Citation, Incoming, Reply

    settings = Settings(home=tmp_path / "home", cache=session_index.cache)
    bot = await build_bot(settings, retriever=retriever)
    try:
        who = {"user": "U-seam", "conversation": "C-seam", "platform": "slack", "org": "vasteras"}
        replies = await bot.handle(Incoming(text="Vad är kränkande särbehandling?", **who))
        assert replies and all(isinstance(r, Reply) for r in replies)
        answer = replies[0]
        assert answer.intent == "policy_answer"
        assert answer.citations and isinstance(answer.citations[0], Citation)
        down = next(c for c in answer.choices if c.label == "👎")
        thanks = await bot.handle(Incoming(choice=down.value, **who))
        assert thanks[0].intent == "feedback"
        await bot.questions.flush(force=True)  # a 👎 is held in memory first, then kept as its passages only
        kept = await bot.store.questions("vasteras")
        assert [(e.reason, e.text) for e in kept] == [("thumbs_down", None)] and kept[0].passages, kept
        role = await bot.handle(Incoming(choice="profile:role:elected", **who))
        assert role[0].intent == "profile"
        routed = await bot.handle(Incoming(text="Min kollega verkar påverkad, vem säger jag till?", **who))
        assert routed[0].intent == "report_concern" and "gruppledare" in routed[0].text
        stale = await bot.handle(Incoming(choice="no-such-intent:x", **who))
        assert stale[0].intent == "error"
    finally:
        await bot.close()


def test_dev_set_still_meets_the_targets(cli: Cli) -> None:
    r = cli.run("eval", str(DEV_SET))
    assert r.returncode == 0, str(r)
    m = re.search(r"answerable (\d+): hit@1 ([\d.]+)\s+hit@3 ([\d.]+)", r.stdout)
    assert m, r.stdout
    assert int(m.group(1)) >= 20
    assert float(m.group(2)) >= 0.85, r.stdout
    assert float(m.group(3)) >= 0.95, r.stdout
    mentions = re.search(r"routing mentions: (\d+)/(\d+)", r.stdout)
    abstained = re.search(r"out-of-scope abstained: (\d+)/(\d+)", r.stdout)
    assert mentions and mentions.groups() == ("8", "8"), r.stdout
    assert abstained and abstained.groups() == ("4", "4"), r.stdout
