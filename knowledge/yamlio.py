"""YAML reading with libyaml's C parser when PyYAML has it: the data files (concepts, lexicon, routing)
are read at every start, and the pure-Python parser costs a second of a cold `conductbot ask`."""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """The data of a YAML text, safely (no arbitrary objects), as `yaml.safe_load` gives it."""
    return yaml.load(text, Loader=_LOADER)
