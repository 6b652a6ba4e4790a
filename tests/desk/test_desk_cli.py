"""`conductbot desk add-user | list-users | remove-user` through the front door.

A handler's account needs the organisation's own secret key (the pair of `keys/<org>.public`), HR's
none; a short passphrase, an unknown organisation or a missing name is refused with exit 2; and the
database holds neither the login name, nor the passphrase, nor the secret key in the clear.
"""

from __future__ import annotations

from pathlib import Path

from conftest import Cli
from desk_harness import secrets_dir

NAME, PASSPHRASE = "MARKER-anna-handläggare", "en lång och hemlig fras"


def test_add_list_and_remove_desk_users(cli: Cli, tmp_path: Path) -> None:
    assert cli.run("keys", "--org", "vasteras").returncode == 0
    (key,) = secrets_dir(cli).glob("vasteras-*.secret")
    other = tmp_path / "usb" / "kommun.secret"
    assert cli.run("keys", "--org", "kommun", "--out", str(other)).returncode == 0

    def add(*args: str, stdin: str = PASSPHRASE + "\n") -> tuple[int, str]:
        r = cli.run("desk", "add-user", "--passphrase-stdin", *args, stdin=stdin)
        return r.returncode, r.stdout + r.stderr

    refused = [
        (("--org", "vasteras", "--role", "handler", "--name", NAME), "needs --secret-key"),
        (("--org", "vasteras", "--role", "handler", "--name", NAME, "--secret-key", str(other)), "is not the secret"),
        (("--org", "vasteras", "--role", "hr", "--name", NAME, "--secret-key", str(key)), "HR never gets"),
        (("--org", "nowhere", "--role", "hr", "--name", NAME), "unknown organisation"),
        (("--org", "vasteras", "--role", "hr"), "needs --name"),
    ]
    for args, said in refused:
        code, out = add(*args)
        assert code == 2 and said in out, (args, out)
    code, out = add("--org", "vasteras", "--role", "hr", "--name", NAME, stdin="kort\n")
    assert code == 2 and "at least 12 characters" in out, out
    assert "No desk users." in cli.run("desk", "list-users").stdout

    code, out = add("--org", "vasteras", "--role", "handler", "--name", NAME, "--secret-key", str(key))
    assert code == 0 and "secret key is sealed" in out, out
    code, out = add("--org", "vasteras", "--role", "hr", "--name", "hr-MARKER")
    assert code == 0 and "no key" in out, out
    listed = cli.run("desk", "list-users").stdout
    assert "vasteras   handler" in listed and "vasteras   hr" in listed, listed
    assert "MARKER" not in listed, "names are not stored, so not listed"

    data = b"".join(p.read_bytes() for p in cli.home.rglob("conductbot.sqlite3*"))
    for needle in (NAME.encode(), b"hr-MARKER", PASSPHRASE.encode(), key.read_bytes()):
        assert needle not in data, needle
    r = cli.run("desk", "remove-user", "--name", NAME)
    assert r.returncode == 0 and "removed" in r.stdout, str(r)
    r = cli.run("desk", "remove-user", "--name", NAME)
    assert r.returncode == 2 and "no such desk user" in r.stderr, str(r)
    assert "handler" not in cli.run("desk", "list-users").stdout
