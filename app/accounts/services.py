"""Account services: the only code that changes users, invitations and account tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..db import utcnow
from ..errors import Invalid, NotFound
from ..extensions import db
from ..mailer import send_mail
from ..members.models import Profile
from ..permissions import require
from ..realtime import publish, user_room
from ..text import fold
from .models import ROLES, STATUSES, AccountToken, AuditEvent, Invitation, User, new_session_token

PASSWORD_MIN = 10
PASSWORD_MAX = 200
NAME_MAX = 120
EMAIL_MAX = 254
PARIS = ZoneInfo("Europe/Paris")
# Spent on unknown emails so that a login attempt takes as long whether the account exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password-just-for-timing")


def _hash(password: str) -> str:
    """scrypt by default (memory-hard); the test configuration picks a cheaper method."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalize_email(raw: str | None) -> str:
    return (raw or "").strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A random token to hand out once, and the hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def check_email(raw: str | None) -> str:
    email = normalize_email(raw)
    if not email or len(email) > EMAIL_MAX or "@" not in email.strip("@"):
        raise Invalid(_l("Adresse e-mail invalide."), field="email")
    return email


def check_password(raw: str | None, email: str = "") -> str:
    password = raw or ""
    if len(password) < PASSWORD_MIN:
        raise Invalid(
            _l("Le mot de passe doit contenir au moins %(n)d caractères.", n=PASSWORD_MIN),
            field="password",
        )
    if len(password) > PASSWORD_MAX:
        raise Invalid(_l("Le mot de passe est trop long."), field="password")
    if email and password.lower() == email.lower():
        raise Invalid(_l("Le mot de passe ne peut pas être votre adresse e-mail."),
                      field="password")
    return password


def check_display_name(raw: str | None) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise Invalid(_l("Le nom est obligatoire."), field="display_name")
    if len(name) > NAME_MAX:
        raise Invalid(_l("Le nom est trop long (%(n)d caractères au plus).", n=NAME_MAX),
                      field="display_name")
    return name


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def access_user(actor: User, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def do_audit(actor: User | None, action: str, target_type: str, target_id: int | None,
             reason: str | None = None, **detail) -> None:
    db.session.add(AuditEvent(actor_id=actor.id if actor else None, action=action,
                              target_type=target_type, target_id=target_id,
                              reason=reason, detail=detail))


def do_create_user(email: str, display_name: str, password: str | None,
                   role: str = "member") -> User:
    user = User(email=email, display_name=display_name, role=role, status="active",
                password_hash=_hash(password) if password else None)
    user.profile = Profile(sort_name=fold(display_name)[:120], search_text=fold(display_name),
                           tags=[])
    db.session.add(user)
    db.session.flush()
    return user


def check_create_user(email: str, display_name: str, password: str, role: str) -> User:
    """Create an account directly (CLI): the one path besides invitations."""
    email = check_email(email)
    if role not in ROLES:
        raise Invalid(_l("Rôle inconnu."), field="role")
    if user_by_email(email):
        raise Invalid(_l("Un compte existe déjà avec cette adresse."), field="email")
    user = do_create_user(email, check_display_name(display_name),
                          check_password(password, email), role)
    do_audit(None, "user.create", "user", user.id, role=role)
    return user


def check_login(email: str, password: str) -> User | None:
    """The user matching these credentials if they may log in, else None (never says why).

    Lifts the member's suspension when its end date has passed: the login is where a
    member comes back."""
    user = user_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    do_lift_expired_suspension(user)
    if not user.is_active:
        return None
    return user


def last_seen_due(user: User) -> bool:
    """Activity is recorded at most every five minutes so that browsing does not write."""
    return user.last_seen_at is None or utcnow() - user.last_seen_at > timedelta(minutes=5)


def do_touch_last_seen(user: User) -> None:
    user.last_seen_at = utcnow()


# Invitations ----------------------------------------------------------------------------

def _send_invitation(invitation: Invitation, token: str, inviter: User | None) -> None:
    link = url_for("accounts.accept_invitation", token=token, _external=True)
    email, expires_at = invitation.email, invitation.expires_at
    inviter_name = inviter.display_name if inviter else None
    send_mail(email, _l("Invitation au réseau des catalyseurs territoriaux"), "invitation",
              link=link, inviter_name=inviter_name, expires_at=expires_at)


def check_invite(actor: User | None, raw_email: str, role: str = "member") -> Invitation:
    """Invite an email address; a pending invitation to the same address is renewed."""
    if actor is not None:
        require(actor, "invitation.create")
    email = check_email(raw_email)
    if role not in ROLES:
        raise Invalid(_l("Rôle inconnu."), field="role")
    if user_by_email(email):
        raise Invalid(_l("Un membre utilise déjà cette adresse."), field="email")
    pending = db.session.scalar(
        select(Invitation).where(Invitation.email == email, Invitation.accepted_at.is_(None),
                                 Invitation.revoked_at.is_(None)))
    if pending is not None:
        pending.role = role
        return do_resend_invitation(actor, pending)
    return do_invite(actor, email, role)


def do_invite(actor: User | None, email: str, role: str) -> Invitation:
    token, token_hash = new_token()
    invitation = Invitation(
        email=email, role=role, token_hash=token_hash,
        inviter_id=actor.id if actor else None,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    do_audit(actor, "invitation.create", "invitation", invitation.id, email=email, role=role)
    _send_invitation(invitation, token, actor)
    return invitation


def access_invitation(actor: User, invitation_id: int) -> Invitation:
    require(actor, "invitation.manage")
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound()
    return invitation


def do_resend_invitation(actor: User | None, invitation: Invitation) -> Invitation:
    """A fresh token and expiry: the previous link stops working."""
    if not invitation.is_pending:
        raise Invalid(_l("Cette invitation n'est plus en attente."))
    token, invitation.token_hash = new_token()
    invitation.expires_at = utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"])
    invitation.sent_count += 1
    do_audit(actor, "invitation.resend", "invitation", invitation.id, email=invitation.email)
    _send_invitation(invitation, token, actor)
    return invitation


def do_revoke_invitation(actor: User, invitation: Invitation) -> None:
    if not invitation.is_pending:
        raise Invalid(_l("Cette invitation n'est plus en attente."))
    invitation.revoked_at = utcnow()
    do_audit(actor, "invitation.revoke", "invitation", invitation.id, email=invitation.email)


def invitation_by_token(token: str) -> Invitation:
    """The usable invitation behind a link; expired, used and revoked links all look invalid."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token or "")))
    if invitation is None or not invitation.is_usable(utcnow()):
        raise NotFound()
    return invitation


def check_accept_invitation(token: str, display_name: str, password: str) -> User:
    invitation = invitation_by_token(token)
    name = check_display_name(display_name)
    password = check_password(password, invitation.email)
    if user_by_email(invitation.email):
        raise NotFound()
    user = do_create_user(invitation.email, name, password, invitation.role)
    invitation.accepted_at = utcnow()
    invitation.user_id = user.id
    do_audit(user, "invitation.accept", "invitation", invitation.id)
    return user


def pending_invitations() -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc())))


# Password reset and account changes ------------------------------------------------------

def _issue_token(user: User, purpose: str, hours: int, new_email: str | None = None) -> str:
    token, token_hash = new_token()
    db.session.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=token_hash,
                                new_email=new_email,
                                expires_at=utcnow() + timedelta(hours=hours)))
    return token


def check_request_password_reset(raw_email: str) -> None:
    """Email a reset link if the account exists and is active; silent otherwise."""
    user = user_by_email(raw_email)
    if user is not None:
        do_lift_expired_suspension(user)
    if user is None or not user.is_active:
        return
    do_send_password_reset(user)


def do_send_password_reset(user: User) -> None:
    token = _issue_token(user, "reset", current_app.config["RESET_TOKEN_HOURS"])
    link = url_for("accounts.reset_password", token=token, _external=True)
    email, name = user.email, user.display_name
    send_mail(email, _l("Réinitialisation de votre mot de passe"), "reset_password",
              link=link, name=name, locale=user.locale)


def _token(token: str, purpose: str) -> AccountToken:
    row = db.session.scalar(select(AccountToken).where(
        AccountToken.token_hash == hash_token(token or ""), AccountToken.purpose == purpose))
    if row is None or not row.is_usable(utcnow()):
        raise NotFound()
    return row


def reset_token_valid(token: str) -> bool:
    try:
        _token(token, "reset")
    except NotFound:
        return False
    return True


def check_reset_password(token: str, password: str) -> User:
    row = _token(token, "reset")
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise NotFound()
    do_set_password(user, check_password(password, user.email))
    row.used_at = utcnow()
    do_audit(user, "user.password_reset", "user", user.id)
    return user


def do_set_password(user: User, password: str) -> None:
    """New hash and a new session token: every other open session is logged out."""
    user.password_hash = _hash(password)
    user.session_token = new_session_token()
    db.session.execute(
        AccountToken.__table__.update()
        .where(AccountToken.user_id == user.id, AccountToken.purpose == "reset",
               AccountToken.used_at.is_(None))
        .values(used_at=utcnow()))


def check_change_password(user: User, current: str, new: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise Invalid(_l("Mot de passe actuel incorrect."), field="current_password")
    do_set_password(user, check_password(new, user.email))
    do_audit(user, "user.password_change", "user", user.id)


def check_request_email_change(user: User, password: str, raw_email: str) -> None:
    """Send a confirmation link to the new address; the change happens when it is opened."""
    if not user.password_hash or not check_password_hash(user.password_hash, password or ""):
        raise Invalid(_l("Mot de passe incorrect."), field="password")
    email = check_email(raw_email)
    if email == user.email:
        raise Invalid(_l("C'est déjà votre adresse."), field="email")
    if user_by_email(email):
        # Same wording whether the address is taken or not would confuse the member here;
        # only logged-in members reach this form, so saying it is taken is acceptable.
        raise Invalid(_l("Cette adresse est déjà utilisée par un autre compte."), field="email")
    do_request_email_change(user, email)


def do_request_email_change(user: User, email: str) -> None:
    token = _issue_token(user, "email", 24, new_email=email)
    link = url_for("accounts.confirm_email", token=token, _external=True)
    name = user.display_name
    send_mail(email, _l("Confirmez votre nouvelle adresse e-mail"), "confirm_email",
              link=link, name=name, locale=user.locale)


def check_confirm_email(token: str) -> User:
    row = _token(token, "email")
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active or row.new_email is None:
        raise NotFound()
    if user_by_email(row.new_email):
        raise Invalid(_l("Cette adresse est déjà utilisée par un autre compte."))
    do_change_email(user, row)
    return user


def do_change_email(user: User, row: AccountToken) -> None:
    old = user.email
    user.email = row.new_email
    row.used_at = utcnow()
    do_audit(user, "user.email_change", "user", user.id, old=old, new=user.email)


def check_set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise Invalid(_l("Langue inconnue."), field="locale")
    do_set_locale(user, locale)


def do_set_locale(user: User, locale: str) -> None:
    user.locale = locale


# Administration -------------------------------------------------------------------------

def check_change_role(actor: User, target: User, role: str) -> None:
    require(actor, "user.change_role", target)
    if role not in ROLES:
        raise Invalid(_l("Rôle inconnu."), field="role")
    if role != target.role:
        do_audit(actor, "user.role", "user", target.id, old=target.role, new=role)
        target.role = role


def check_change_status(actor: User, target: User, status: str, reason: str = "",
                        until: date | None = None) -> None:
    require(actor, "user.change_status", target)
    do_change_status(actor, target, status, reason,
                     until=check_suspension_end(until) if status == "suspended" else None)


def suspension_end(day: date) -> datetime:
    """A suspension "until 10 March" ends at midnight, Paris time, at the start of that day:
    the member may log in again from that date on."""
    return datetime.combine(day, time.min, tzinfo=PARIS).astimezone(UTC)


def check_suspension_end(day: date | None) -> datetime | None:
    """The end of a suspension chosen as a date (None: until someone lifts it)."""
    if day is None:
        return None
    if day <= utcnow().astimezone(PARIS).date():
        raise Invalid(_l("La date de fin de suspension doit être dans le futur."),
                      field="until")
    return suspension_end(day)


def do_change_status(actor: User | None, target: User, status: str, reason: str = "", *,
                     until: datetime | None = None) -> None:
    """Suspending rotates the session token, so the member's open sessions end at once.

    `until` ends a suspension by itself (see `do_lift_expired_suspension`); suspending a
    suspended member again only changes that end. `actor` is None when an operator acts
    from the command line.
    """
    if status not in STATUSES:
        raise Invalid(_l("Statut inconnu."), field="status")
    if len(reason or "") > 1000:
        raise Invalid(_l("Le motif est trop long."), field="reason")
    until = until if status == "suspended" else None
    if status == target.status:
        if status == "suspended" and until != target.suspended_until:
            do_audit(actor, "user.suspension_changed", "user", target.id, reason=reason or None,
                  old_until=_iso(target.suspended_until), until=_iso(until))
            target.suspended_until = until
        return
    do_audit(actor, f"user.{status}", "user", target.id, reason=reason or None,
          old=target.status, new=status, until=_iso(until))
    target.status = status
    target.suspended_until = until
    if status == "suspended":
        target.session_token = new_session_token()
        # Open tabs reload and land on the login page.
        publish(user_room(target.id), "session:ended", {"type": "session", "op": "ended"})


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def do_lift_expired_suspension(user: User, now: datetime | None = None) -> bool:
    """End a suspension whose end date has passed; True if it did.

    The status column stays the one truth about who may come in (the login, the directory
    and every SQL filter read it), so an expired suspension is lifted here, at the
    member's next login or password reset, or for everyone by `flask users
    lift-expired-suspensions` (cron). Changes the session; the caller commits.
    """
    now = now or utcnow()
    if user.status != "suspended" or user.suspended_until is None \
            or user.suspended_until > now:
        return False
    do_audit(None, "user.suspension_expired", "user", user.id,
          until=_iso(user.suspended_until))
    user.status = "active"
    user.suspended_until = None
    return True


def do_lift_expired_suspensions(now: datetime | None = None) -> int:
    """Lift every suspension whose end date has passed; returns how many."""
    now = now or utcnow()
    users = db.session.scalars(select(User).where(
        User.status == "suspended", User.suspended_until.is_not(None),
        User.suspended_until <= now))
    return sum(do_lift_expired_suspension(user, now) for user in users)


def members_for_admin(query: str = "") -> list[User]:
    stmt = select(User).order_by(func.lower(User.display_name))
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(func.lower(User.display_name).like(like) | User.email.like(like))
    return list(db.session.scalars(stmt))
