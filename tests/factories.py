"""Small factories: each returns a committed object with sensible French defaults."""

from __future__ import annotations

import itertools

from app.accounts.models import User
from app.accounts.services import do_create_user
from app.db import transaction
from app.members.services import ProfileData, check_update_profile

PASSWORD = "motdepasse-solide"
_seq = itertools.count(1)


def make_user(*, email: str | None = None, name: str | None = None, role: str = "member",
              status: str = "active", password: str = PASSWORD, **profile) -> User:
    n = next(_seq)
    with transaction():
        user = do_create_user(email or f"membre{n}@exemple.fr", name or f"Membre {n}",
                              password, role)
        if profile:
            tags = {k: profile.pop(k) for k in ("trade", "domain", "sdg") if k in profile}
            check_update_profile(user, user, ProfileData(
                display_name=user.display_name, tags=tags, **profile))
        user.status = status
    return user
