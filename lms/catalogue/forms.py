"""The catalogue's search and filter form: read from the query string (a GET form, so a
search can be bookmarked and works without JavaScript; nothing is written, so no CSRF token)."""

from __future__ import annotations

from decimal import Decimal

from wtforms import BooleanField, DecimalField, Form, SearchField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from lms.catalogue.listing import MAX_SEARCH_CHARS, CatalogueFilters
from lms.validation import CONTROL_CHARACTERS

#: Beyond any course's credits; keeps a typed-in number within the column's range.
MAX_CREDITS_FILTER = Decimal("9999")


def _no_control_characters(_form: Form, field: SearchField) -> None:
    if field.data and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError("Remove the invisible control characters from the search.")


def _finite(_form: Form, field: DecimalField) -> None:
    # "NaN" and "Infinity" parse as decimals, and NaN cannot even be compared with a limit.
    if field.data is not None and not field.data.is_finite():
        field.errors[:] = []
        raise ValidationError("Give a number from 0.")


_CREDITS_CHECKS = [Optional(), _finite, NumberRange(0, MAX_CREDITS_FILTER, "Give a number from 0.")]


class CatalogueFilterForm(Form):
    q = SearchField(
        "Search courses",
        filters=[lambda value: " ".join(value.split()) if isinstance(value, str) else value],
        validators=[
            Length(
                max=MAX_SEARCH_CHARS, message=f"Search with at most {MAX_SEARCH_CHARS} characters."
            ),
            _no_control_characters,
        ],
    )
    mine = BooleanField("Counts for my certifications")
    min_credits = DecimalField(
        "Credits from",
        validators=_CREDITS_CHECKS,
    )
    max_credits = DecimalField(
        "Credits up to",
        validators=_CREDITS_CHECKS,
    )

    def validate_max_credits(self, field: DecimalField) -> None:
        low = self.min_credits.data
        if field.data is None or low is None or self.min_credits.errors:
            return
        if field.data < low:
            raise ValidationError("The upper limit is below the lower one.")

    def filters(self) -> CatalogueFilters:
        """What the valid form asks for."""
        return CatalogueFilters(
            search=self.q.data or "",
            my_certifications=bool(self.mine.data),
            min_credits=self.min_credits.data,
            max_credits=self.max_credits.data,
        )
