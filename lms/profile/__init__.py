"""The person's own settings: the time zone their pages show times in."""
