"""A course card's generated picture, for a course without an uploaded image: its initials
on a colour chosen from its id. Drawn as inline SVG by the template: no request, no file."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Dark enough that white initials keep a contrast of at least 4.5:1 on each.
CARD_COLOURS = (
    "#1e466e",  # navy
    "#1d6b3a",  # green
    "#8a2c2c",  # brick
    "#5b3a8c",  # violet
    "#0f5f66",  # teal
    "#7a4b00",  # ochre
    "#3d4a5c",  # slate
    "#8c2f5c",  # plum
)
_SMALL_WORDS = frozenset({"a", "an", "and", "the", "of", "for", "to", "in", "on", "with", "&"})


def initials(title: str) -> str:
    """Up to two capital letters from the title's first significant words: "Water damage
    restoration basics" -> "WD"."""
    words = [w for w in re.findall(r"[^\W_]+", title) if w.lower() not in _SMALL_WORDS]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def card_colour(course_id: int) -> str:
    """The same colour for a course every time, and neighbours told apart."""
    return CARD_COLOURS[course_id % len(CARD_COLOURS)]


@dataclass(frozen=True)
class CardPicture:
    """What a card's picture needs, for pages that have a course row rather than a card."""

    id: int
    title: str
    image_id: int | None = None
    image_filename: str | None = None

    @property
    def initials(self) -> str:
        return initials(self.title)

    @property
    def colour(self) -> str:
        return card_colour(self.id)
