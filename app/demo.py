"""`flask seed demo` and `make run`'s first start: realistic French demo data.

Each feature writes its own demo data (`app/<feature>/demo.py`) through its services, as
members would, for the demo members created first; none imports another's. This module
only runs them in order, in one request context (services build links with url_for).
"""

from __future__ import annotations

from contextlib import nullcontext

from flask import current_app, has_request_context

from .agenda.demo import load_demo_agenda
from .chat.demo import load_demo_chat
from .codev.demo import load_demo_codev
from .library.demo import load_demo_library
from .members.demo import DEMO_PASSWORD, load_demo_members
from .projects.demo import load_demo_projects
from .walls.demo import load_demo_walls

__all__ = ["DEMO_PASSWORD", "load_demo"]

# In this order: projects file documents in the library, co-development sessions and the
# agenda point at projects and documents.
FEATURES = (load_demo_walls, load_demo_chat, load_demo_library, load_demo_projects,
            load_demo_codev, load_demo_agenda)


def load_demo() -> tuple[list[tuple[str, str]], int]:
    """Create what does not exist yet. Returns (all demo (email, role), members created)."""
    accounts, created, people = load_demo_members()
    context = nullcontext() if has_request_context() else current_app.test_request_context(
        base_url=current_app.config["BASE_URL"])
    with context:
        for load in FEATURES:
            load(people)
    return accounts, created
