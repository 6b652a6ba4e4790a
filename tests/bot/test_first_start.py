"""Several processes starting at once on a new data directory (a server and an admin command, two chats):
each gets the same keys, none fails, and none is left hanging."""

from __future__ import annotations

import multiprocessing as mp
import subprocess
import sys
from pathlib import Path

from conftest import REPO, Cli, clean_env

from bot.keys import read_or_make


def _make(args: tuple[str, int, object]) -> bytes:
    path, n, barrier = args
    barrier.wait()  # type: ignore[attr-defined]
    return read_or_make(Path(path), lambda: bytes([n]) * 32)


def test_a_key_made_by_many_processes_at_once_is_one_key(tmp_path: Path) -> None:
    for round_ in range(5):
        path = tmp_path / f"r{round_}" / "pseudonym.key"
        path.parent.mkdir()
        with mp.Manager() as manager:
            barrier = manager.Barrier(6)
            with mp.get_context("spawn").Pool(6) as pool:
                keys = pool.map(_make, [(str(path), n, barrier) for n in range(6)])
        assert len(set(keys)) == 1 and len(keys[0]) == 32, keys
        assert path.read_bytes() == keys[0]
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert [p.name for p in path.parent.iterdir()] == ["pseudonym.key"]  # no half-written leftovers


def test_chats_starting_together_on_a_new_data_directory_all_finish(cli: Cli) -> None:
    env = clean_env(cli.home, cli.cache)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--org", org, "--user", f"u{n}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=REPO, env=env, text=True, encoding="utf-8",
        )
        for n, org in enumerate(("vasteras", "alingsas", "kommun", "vasteras"))
    ]  # fmt: skip
    outs = [p.communicate("report anonymously\n", timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0 and "Traceback" not in err, err
        assert out.strip(), err
    assert len((cli.home / "pseudonym.key").read_bytes()) == 32
    keys = sorted(p.name for p in (cli.home / "keys").iterdir())
    assert keys == sorted(set(keys)) and not [k for k in keys if k.startswith(".")], keys
