"""Moderation services: the append-only log, reports, the queue, actions and sanctions.

- `do_log` (in `moderation.log`) appends to the append-only moderation log.
- `check_report` lets a member report a post or comment; reports about one item merge.
- `check_act` is what a moderator does to an item from the queue or the item itself:
  it calls the walls' own service for the action and resolves the item's open report.
- `check_warn`, `check_suspend`, `check_lift_suspension` act on members.

The content itself belongs to walls: it is read and changed only through walls' services
(`access_post`, `check_hide`...). The log lives in `moderation.log`, which walls use too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts import services as accounts
from ..accounts.models import User
from ..db import on_commit, utcnow, valid_id
from ..errors import Invalid, NotFound
from ..extensions import db
from ..notifications import services as notifications
from ..permissions import can, require
from ..walls import services as walls
from .log import do_log
from .models import REPORT_REASONS, ModerationAction, Report, ReportEntry

# Vocabulary ------------------------------------------------------------------------------------

TARGET_TYPES = ("post", "comment")
POST_ACTIONS = ("hide", "unhide", "delete", "restore", "lock", "unlock", "pin", "unpin",
                "move", "approve", "reject", "dismiss")
COMMENT_ACTIONS = ("hide", "unhide", "delete", "restore", "dismiss")
ACTIONS = {"post": POST_ACTIONS, "comment": COMMENT_ACTIONS}
REPORT_TEXT_MAX = 1000
REASON_MAX = 1000
QUEUE_PAGE = 20
LOG_PAGE = 50
HISTORY_MAX = 50
PENDING_MAX = 50
BADGE_SECONDS = 30

REPORT_REASON_LABELS = {
    "spam": _l("Spam ou publicité"),
    "abusive": _l("Propos injurieux ou irrespectueux"),
    "off_topic": _l("Hors sujet"),
    "personal_data": _l("Données personnelles exposées"),
    "misinformation": _l("Information fausse ou trompeuse"),
    "other": _l("Autre raison"),
}

# What the buttons say, for each action on an item.
ACTION_BUTTONS = {
    "hide": _l("Masquer"), "unhide": _l("Rendre visible"), "delete": _l("Supprimer"),
    "restore": _l("Restaurer"), "lock": _l("Fermer les commentaires"),
    "unlock": _l("Rouvrir les commentaires"), "pin": _l("Épingler"),
    "unpin": _l("Désépingler"), "move": _l("Déplacer"), "approve": _l("Approuver"),
    "reject": _l("Refuser"), "dismiss": _l("Classer sans suite"),
}

# Actions whose walls service refuses an empty reason (delete: only someone else's content).
REASON_REQUIRED = frozenset({"hide", "delete", "move", "reject"})

# Every action the log can hold, as moderators read it.
ACTION_LABELS = {
    "post.hide": _l("Message masqué"),
    "comment.hide": _l("Commentaire masqué"),
    "post.unhide": _l("Message rendu visible"),
    "comment.unhide": _l("Commentaire rendu visible"),
    "post.delete": _l("Message supprimé"),
    "comment.delete": _l("Commentaire supprimé"),
    "post.restore": _l("Message restauré"),
    "comment.restore": _l("Commentaire restauré"),
    "post.edit": _l("Message modifié"),
    "comment.edit": _l("Commentaire modifié"),
    "post.lock": _l("Commentaires fermés"),
    "post.unlock": _l("Commentaires rouverts"),
    "post.pin": _l("Message épinglé"),
    "post.unpin": _l("Message désépinglé"),
    "post.move": _l("Message déplacé"),
    "post.approve": _l("Message approuvé"),
    "post.reject": _l("Message refusé"),
    "report.dismiss": _l("Signalement classé sans suite"),
    "member.warn": _l("Avertissement"),
    "member.suspend": _l("Suspension"),
    "member.unsuspend": _l("Suspension levée"),
    "wall.create": _l("Mur créé"),
    "wall.premoderation": _l("Pré-modération modifiée"),
    # The library's decisions (app/library/services/).
    "document.approve": _l("Document publié"),
    "document.request_changes": _l("Modifications demandées sur un document"),
    "document.reject": _l("Document refusé"),
    "document.unpublish": _l("Document retiré"),
    "document.republish": _l("Document republié"),
    "document.edit": _l("Document modifié"),
    "document.propose": _l("Document proposé à la bibliothèque du réseau"),
    "document.version_approve": _l("Nouvelle version publiée"),
    "document.version_reject": _l("Nouvelle version refusée"),
    "document_comment.delete": _l("Commentaire de document supprimé"),
    "collection.create": _l("Dossier créé"),
    "collection.add": _l("Document ajouté à un dossier"),
    "collection.remove": _l("Document retiré d'un dossier"),
    # Other features' decisions.
    "project.remove_member": _l("Membre retiré d'un projet"),
    "chat_message.delete": _l("Message de discussion supprimé"),
}


def _clean_reason(reason: str | None, required: bool) -> str:
    text = (reason or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise Invalid(_l("Le motif est obligatoire."), field="reason")
    if len(text) > REASON_MAX:
        raise Invalid(_l("Le motif est trop long (%(n)d caractères au plus).", n=REASON_MAX),
                      field="reason")
    return text


# Targets -------------------------------------------------------------------------------------

def access_target(actor: User, target_type: str, target_id: int) -> Any:
    """The post or comment as `actor` may see it (walls decide); else NotFound."""
    if target_type not in TARGET_TYPES or not valid_id(target_id):
        raise NotFound()
    if target_type == "post":
        return walls.access_post(actor, target_id)
    return walls.access_comment(actor, target_id)


def _is_visible(target_type: str, target: Any) -> bool:
    if target_type == "comment":
        return target.is_visible and target.post.is_visible
    return target.is_visible


def open_report(target_type: str, target_id: int) -> Report | None:
    return db.session.scalar(
        select(Report).where(Report.target_type == target_type, Report.target_id == target_id,
                             Report.status == "open")
        .order_by(Report.id).limit(1))


# Reports --------------------------------------------------------------------------------------

def check_report(actor: User, target_type: str, target_id: int, reason: str | None,
                 text: str | None = "") -> Report:
    """A member reports a post or comment they can see (others: 404), not their own.

    One open report per item gathers every reporter; reporting again replaces one's own
    reason and text.
    """
    require(actor, "content.report")
    target = access_target(actor, target_type, target_id)
    if not _is_visible(target_type, target):
        raise NotFound()
    if target.author_id == actor.id:
        raise Invalid(_l("Vous ne pouvez pas signaler votre propre contribution."))
    if reason not in REPORT_REASONS:
        raise Invalid(_l("Choisissez un motif de signalement dans la liste."), field="reason")
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > REPORT_TEXT_MAX:
        raise Invalid(_l("Votre message est trop long (%(n)d caractères au plus).",
                         n=REPORT_TEXT_MAX), field="text")
    return do_report(actor, target_type, target, reason, text)


def do_report(actor: User, target_type: str, target: Any, reason: str, text: str) -> Report:
    report = open_report(target_type, target.id)
    if report is None:
        report = Report(target_type=target_type, target_id=target.id,
                        target_user_id=target.author_id, status="open", created_at=utcnow())
        db.session.add(report)
        db.session.flush()
    entry = db.session.scalar(select(ReportEntry).where(
        ReportEntry.report_id == report.id, ReportEntry.reporter_id == actor.id))
    if entry is None:
        db.session.add(ReportEntry(report_id=report.id, reporter_id=actor.id, reason=reason,
                                   text=text, created_at=utcnow()))
    else:
        entry.reason, entry.text = reason, text
    db.session.flush()
    _badge_changed()
    return report


def do_resolve_report(actor: User, report: Report, resolution: str,
                      status: str = "resolved") -> None:
    report.status = status
    report.resolved_at = utcnow()
    report.resolved_by_id = actor.id
    report.resolution = resolution
    _badge_changed()


# The queue ------------------------------------------------------------------------------------

@dataclass
class QueueItem:
    report: Report
    target: Any  # Post | Comment | None (never hard-deleted, but defensively optional)

    @property
    def count(self) -> int:
        return len(self.report.entries)


@dataclass
class QueuePage:
    items: list[QueueItem]
    next_cursor: int | None


def _open_reports(actor: User):
    """Open reports on content `actor` may see: a private project's wall is moderated by
    its leads, never shown to network moderators outside it."""
    return (Report.status == "open") & ~(
        ((Report.target_type == "post") & Report.target_id.in_(walls.unreadable_posts(actor)))
        | ((Report.target_type == "comment")
           & Report.target_id.in_(walls.unreadable_comments(actor))))


def report_queue(actor: User, before_id: int | None = None,
                 limit: int = QUEUE_PAGE) -> QueuePage:
    """Open reports, newest first, by keyset on id; a constant number of queries."""
    require(actor, "moderation.access")
    stmt = (select(Report).where(_open_reports(actor))
            .options(selectinload(Report.entries).selectinload(ReportEntry.reporter))
            .order_by(Report.id.desc()).limit(limit + 1))
    if valid_id(before_id):
        stmt = stmt.where(Report.id < before_id)
    reports = list(db.session.scalars(stmt))
    next_cursor = reports[limit - 1].id if len(reports) > limit else None
    reports = reports[:limit]
    targets = walls.load_targets(actor, [(r.target_type, r.target_id) for r in reports])
    return QueuePage(items=[QueueItem(r, targets.get((r.target_type, r.target_id)))
                            for r in reports], next_cursor=next_cursor)


def pending_posts(actor: User) -> list:
    """Posts waiting for approval (walls' pre-moderation), oldest first."""
    require(actor, "moderation.access")
    return walls.pending_posts(actor, limit=PENDING_MAX)


def open_report_count(actor: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Report).where(_open_reports(actor))) or 0


def open_items_count(actor: User) -> int:
    """Open reports plus posts awaiting approval, for the menu badge on every page.

    Cached per process and moderator (each counts what they may see) for BADGE_SECONDS
    (and dropped when this process changes a report), so browsing costs no query; another
    process's changes show within the delay.
    """
    if not can(actor, "moderation.access"):
        return 0
    cache = current_app.extensions.setdefault("moderation.badge", {})
    now = time.monotonic()
    cached = cache.get(actor.id)
    if cached is not None and now - cached[0] < BADGE_SECONDS:
        return cached[1]
    value = open_report_count(actor) + len(walls.pending_posts(actor, limit=PENDING_MAX))
    cache[actor.id] = (now, value)
    return value


def _badge_changed() -> None:
    cache = current_app.extensions.setdefault("moderation.badge", {})
    on_commit(cache.clear)


def walls_for_move(actor: User) -> list:
    return walls.walls_for(actor)


# Acting on content ------------------------------------------------------------------------------

def access_action(actor: User, target_type: str, target_id: int, action: str) -> Any:
    """The target of a moderation action, once the action is known for its type."""
    require(actor, "content.moderate")
    if action not in ACTIONS.get(target_type, ()):
        raise NotFound()
    return access_target(actor, target_type, target_id)


def action_target_for_display(actor: User, target_type: str, target_id: int,
                              action: str) -> Any:
    """The target of an action with what the action page shows (author, post, wall)."""
    target = access_action(actor, target_type, target_id, action)
    return walls.load_targets(actor, [(target_type, target.id)])[(target_type, target.id)]


def check_act(actor: User, target_type: str, target_id: int, action: str, *,
              reason: str | None = "", wall_id: int | None = None) -> Any:
    """Apply one moderation action through walls' services; resolve the open report.

    `dismiss` closes the report without touching the content (and is logged here; walls
    log every other action). Returns the target.
    """
    target = access_action(actor, target_type, target_id, action)
    report = open_report(target_type, target.id)
    if action == "dismiss":
        if report is None:
            raise Invalid(_l("Aucun signalement n'est en cours sur ce contenu."))
        reason = _clean_reason(reason, required=False)
        do_log(actor, "report.dismiss", target_type, target.id,
               target_user_id=target.author_id, reason=reason, report_id=report.id)
        do_resolve_report(actor, report, "dismiss", status="dismissed")
        return target
    _apply(actor, target_type, target, action, reason or "", wall_id)
    if report is not None:
        do_resolve_report(actor, report, action)
    else:
        _badge_changed()  # approve / reject change the pending count
    return target


def _apply(actor: User, target_type: str, target: Any, action: str, reason: str,
           wall_id: int | None) -> None:
    if action == "hide":
        walls.check_hide(actor, target, reason)
    elif action == "unhide":
        walls.check_unhide(actor, target, reason)
    elif action == "delete":
        delete = walls.check_delete_post if target_type == "post" else walls.check_delete_comment
        delete(actor, target, reason)
    elif action == "restore":
        walls.check_restore(actor, target, reason)
    elif action in ("lock", "unlock"):
        walls.check_set_locked(actor, target, action == "lock", reason)
    elif action in ("pin", "unpin"):
        walls.check_set_pinned(actor, target, action == "pin", reason)
    elif action == "move":
        _clean_reason(reason, required=True)
        if not valid_id(wall_id):
            raise Invalid(_l("Choisissez le mur vers lequel déplacer le message."),
                          field="wall_id")
        walls.check_move(actor, target, wall_id, reason)
    elif action == "approve":
        walls.check_approve(actor, target)
    elif action == "reject":
        walls.check_reject(actor, target, reason)
    else:  # pragma: no cover - ACTIONS lists every action handled above
        raise NotFound()


# Members ---------------------------------------------------------------------------------------

def access_member(actor: User, user_id: int) -> User:
    require(actor, "moderation.access")
    member = db.session.get(User, user_id) if valid_id(user_id) else None
    if member is None:
        raise NotFound()
    return member


def _home_path() -> str:
    return url_for("notifications.centre", _external=False)


def check_warn(actor: User, member: User, reason: str | None) -> ModerationAction:
    """A written warning: logged, and sent to the member as a moderation notification."""
    require(actor, "member.sanction", member)
    reason = _clean_reason(reason, required=True)
    if not member.is_active:
        raise Invalid(_l("Ce compte est suspendu : l'avertissement ne lui parviendrait pas."))
    entry = do_log(actor, "member.warn", "user", member.id, target_user_id=member.id,
                   reason=reason)
    notifications.do_notify(
        member.id, "moderation", actor, "user", member.id, url=_home_path(),
        text=str(_l("Avertissement de l'équipe d'animation : %(reason)s", reason=reason)))
    return entry


def check_suspend(actor: User, member: User, until: date | None,
                  reason: str | None) -> ModerationAction:
    """Suspend a member (moderators: members only; admins: moderators too; never oneself).

    Their sessions end at once (accounts rotate the session token). `until` is the day
    from which they may log in again (Paris time); None: until someone lifts it. The
    member is told first, while their account can still receive a notification.
    """
    require(actor, "member.sanction", member)
    reason = _clean_reason(reason, required=True)
    end = accounts.check_suspension_end(until)
    if member.status == "suspended" and member.suspended_until == end:
        raise Invalid(_l("Ce compte est déjà suspendu jusqu'à cette date."))
    if until is None:
        text = _l("Votre compte est suspendu par l'équipe d'animation : %(reason)s",
                  reason=reason)
    else:
        text = _l("Votre compte est suspendu par l'équipe d'animation jusqu'au %(date)s : "
                  "%(reason)s", date=until.strftime("%d/%m/%Y"), reason=reason)
    notifications.do_notify(member.id, "moderation", actor, "user", member.id,
                            url=_home_path(), text=str(text))
    accounts.do_change_status(actor, member, "suspended", reason, until=end)
    return do_log(actor, "member.suspend", "user", member.id, target_user_id=member.id,
                  reason=reason, until=until.isoformat() if until else None)


def check_lift_suspension(actor: User, member: User,
                          reason: str | None = "") -> ModerationAction:
    require(actor, "member.sanction", member)
    reason = _clean_reason(reason, required=False)
    if member.status != "suspended":
        raise Invalid(_l("Ce compte n'est pas suspendu."))
    accounts.do_change_status(actor, member, "active", reason)
    notifications.do_notify(
        member.id, "moderation", actor, "user", member.id, url=_home_path(),
        text=str(_l("Votre compte est de nouveau actif.")))
    return do_log(actor, "member.unsuspend", "user", member.id, target_user_id=member.id,
                  reason=reason)


@dataclass
class MemberRecord:
    member: User
    history: list[ModerationAction]
    reports: list[Report]


def member_record(actor: User, member: User) -> MemberRecord:
    """A member's recent moderation history and the reports about their content."""
    require(actor, "moderation.access")
    history = list(db.session.scalars(
        select(ModerationAction).where(ModerationAction.target_user_id == member.id)
        .options(selectinload(ModerationAction.actor))
        .order_by(ModerationAction.id.desc()).limit(HISTORY_MAX)))
    reports = list(db.session.scalars(
        select(Report).where(Report.target_user_id == member.id)
        .options(selectinload(Report.entries))
        .order_by(Report.id.desc()).limit(HISTORY_MAX)))
    return MemberRecord(member=member, history=history, reports=reports)


# The log ---------------------------------------------------------------------------------------

@dataclass
class LogFilters:
    action: str = ""
    actor_id: int | None = None
    member_id: int | None = None
    since: date | None = None
    until: date | None = None

    def args(self) -> dict[str, Any]:
        """The filters as query-string arguments (for the next-page link)."""
        values = {"action": self.action, "moderateur": self.actor_id,
                  "membre": self.member_id,
                  "du": self.since.isoformat() if self.since else None,
                  "au": self.until.isoformat() if self.until else None}
        return {key: value for key, value in values.items() if value}


@dataclass
class LogPage:
    rows: list[ModerationAction]
    next_cursor: int | None
    targets: dict[tuple[str, int], Any] = field(default_factory=dict)


def _paris_midnight(day: date) -> datetime:
    return accounts.suspension_end(day)


def log_page(actor: User, filters: LogFilters, before_id: int | None = None,
             limit: int = LOG_PAGE) -> LogPage:
    """The moderation log, newest first, by keyset; filters combine. Dates are Paris days,
    both ends included. A constant number of queries whatever the page holds."""
    require(actor, "moderation.access")
    stmt = select(ModerationAction).options(selectinload(ModerationAction.actor),
                                            selectinload(ModerationAction.target_user))
    if filters.action:
        stmt = stmt.where(ModerationAction.action == filters.action)
    if valid_id(filters.actor_id):
        stmt = stmt.where(ModerationAction.actor_id == filters.actor_id)
    if valid_id(filters.member_id):
        stmt = stmt.where(ModerationAction.target_user_id == filters.member_id)
    if filters.since:
        stmt = stmt.where(ModerationAction.created_at >= _paris_midnight(filters.since))
    if filters.until:
        stmt = stmt.where(
            ModerationAction.created_at < _paris_midnight(filters.until + timedelta(days=1)))
    if valid_id(before_id):
        stmt = stmt.where(ModerationAction.id < before_id)
    rows = list(db.session.scalars(stmt.order_by(ModerationAction.id.desc()).limit(limit + 1)))
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    rows = rows[:limit]
    refs = list(dict.fromkeys((r.target_type, r.target_id) for r in rows
                              if r.target_type in TARGET_TYPES))
    targets = walls.load_targets(actor, refs) if refs else {}
    return LogPage(rows=rows, next_cursor=next_cursor, targets=targets)


def moderators() -> list[User]:
    """Who can appear as the author of a log line (for the log's filter)."""
    return list(db.session.scalars(
        select(User).where(User.role.in_(("moderator", "admin")))
        .order_by(func.lower(User.display_name))))
