"""Project spaces: parse the request, call a service, render (docs/guide/projets.md).

One blueprint (`common.bp`), its routes in a module per part of the space; importing the
modules registers their routes.
"""

from . import documents, members, plan, space
from .common import bp

__all__ = ["bp", "documents", "members", "plan", "space"]
