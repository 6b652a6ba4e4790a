"""`python -m bot` runs the `conductbot` command."""

import sys

from bot.cli import main

sys.exit(main())
