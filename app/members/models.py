from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import UTCDateTime, utcnow
from ..extensions import db
from ..taxonomy import TaxonomyTerm

profile_terms = Table(
    "profile_terms",
    db.metadata,
    Column("profile_id", ForeignKey("profiles.user_id", ondelete="CASCADE"), primary_key=True),
    Column("term_id", ForeignKey("taxonomy_terms.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class Profile(db.Model):
    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    organisation: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    territory: Mapped[str] = mapped_column(String(200), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomy_terms.id"), index=True)
    catalyst_profile_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomy_terms.id"))
    scope_id: Mapped[int | None] = mapped_column(ForeignKey("taxonomy_terms.id"))
    bio: Mapped[str] = mapped_column(Text, default="")
    # Accent-free, lower-cased copies for ordering and searching (see members.services).
    sort_name: Mapped[str] = mapped_column(String(120), default="", index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    avatar_key: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile", lazy="raise")
    region: Mapped[TaxonomyTerm | None] = relationship(foreign_keys=[region_id], lazy="raise")
    catalyst_profile: Mapped[TaxonomyTerm | None] = relationship(
        foreign_keys=[catalyst_profile_id], lazy="raise"
    )
    scope: Mapped[TaxonomyTerm | None] = relationship(foreign_keys=[scope_id], lazy="raise")
    # Trades, fragility domains and SDGs, all in one association table.
    tags: Mapped[list[TaxonomyTerm]] = relationship(
        secondary=profile_terms, lazy="raise", order_by=TaxonomyTerm.position
    )

    def tags_of(self, vocabulary: str) -> list[TaxonomyTerm]:
        return [t for t in self.tags if t.vocabulary == vocabulary]
