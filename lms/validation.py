"""Checks shared by forms, services and the CLI."""

import re

#: Tabs, newlines, NUL and other invisible controls: never part of a name or an address.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
