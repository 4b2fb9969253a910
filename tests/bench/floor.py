"""The floor every page is measured against: bare Flask + Flask-SQLAlchemy on the same
database, one lookup by primary key, a tiny template. Served by gunicorn as ``floor:app``
(run.py sets BENCH_FLOOR_DATABASE_URL)."""

from __future__ import annotations

import os

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


def _sqlalchemy_url(url: str) -> str:
    # The same driver the LMS uses (psycopg 3), so the floor measures the same stack.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(os.environ["BENCH_FLOOR_DATABASE_URL"])
# A loader, not render_template_string: that would compile the template on every request.
TEMPLATE = "<!doctype html><title>{{ person.name }}</title><p>Hello, {{ person.name }}.</p>"
app.jinja_loader = DictLoader({"person.html": TEMPLATE})
db = SQLAlchemy(app, model_class=Base)


class Person(db.Model):
    __tablename__ = "lms_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


@app.get("/floor/<int:person_id>")
def person(person_id: int) -> str:
    return render_template("person.html", person=db.get_or_404(Person, person_id))
