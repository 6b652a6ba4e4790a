"""The App Home tab as Block Kit: what the bot does, the person's profile, and buttons to start."""

from __future__ import annotations

from typing import Any

from adapters.slack.blocks import escape, plain, word


def home_view(lang: str, org_name: str, role: str | None, profile_lang: str) -> dict[str, Any]:
    """The App Home tab: what the bot does, the person's profile, and buttons to start."""
    role_name = word(f"roles.{role}", lang) if role else word("home_role_unknown", lang)
    profile = word("home_profile", lang, org=escape(org_name), role=role_name, lang=word(f"langs.{profile_lang}", lang))
    labels = word("home_buttons", lang)
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": plain(word("home_title", lang), 150)},
            {"type": "section", "text": {"type": "mrkdwn", "text": word("home_intro", lang).strip()}},
            {"type": "section", "text": {"type": "mrkdwn", "text": word("home_can", lang).strip()}},
            {"type": "divider"},
            {"type": "section", "text": {"type": "mrkdwn", "text": profile}},
            {
                "type": "actions",
                "block_id": "home",
                "elements": [
                    {"type": "button", "action_id": f"home:{key}", "text": plain(labels[key]), "value": key}
                    for key in ("fqc", "report", "profile")
                ],
            },
        ],
    }
