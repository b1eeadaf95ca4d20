"""Agenda pages, .ics files, the private calendar feed and `flask agenda reminders`."""

from __future__ import annotations

import click
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..db import transaction
from ..errors import Invalid
from ..extensions import limiter
from ..library import services as library
from ..permissions import require
from . import ics, services
from .forms import DocumentForm, EmptyForm, EventForm, ReplayForm
from .models import KINDS

bp = Blueprint("agenda", __name__, url_prefix="/agenda", cli_group="agenda")

EVENT = "<int(max=2147483647):event_id>"


@bp.get("/")
def index():
    kind = request.args.get("type") or None
    past = request.args.get("quand") == "passes"
    mine = request.args.get("mes") == "1"
    page = services.events_page(current_user, kind=kind if kind in KINDS else None, mine=mine,
                                past=past, cursor=request.args.get("apres"))
    return render_template("agenda/index.html", page=page, kind=kind, past=past, mine=mine,
                           KINDS=KINDS, KIND_LABELS=services.KIND_LABELS,
                           STATE_LABELS=services.STATE_LABELS)


def _event_form(formdata: bool = True, **kwargs) -> EventForm:
    form = EventForm(**kwargs) if formdata else EventForm(formdata=None, **kwargs)
    form.kind.choices = [(k, services.KIND_LABELS[k]) for k in services.NETWORK_KINDS]
    return form


def _data(form: EventForm) -> services.EventData:
    return services.EventData(
        kind=form.kind.data, title=form.title.data or "", starts_at=form.starts_at.data,
        ends_at=form.ends_at.data, description=form.description.data or "",
        location=form.location.data or "", visio_url=form.visio_url.data or "",
        capacity=form.capacity.data)


@bp.route("/nouveau", methods=["GET", "POST"])
def create():
    require(current_user, "agenda.event.create")
    form = _event_form(request.method == "POST")
    if request.method == "POST" and form.validate_on_submit():
        try:
            with transaction():
                event = services.check_create_event(current_user, _data(form))
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Le rendez-vous est publié dans l'agenda."), "success")
            return redirect(url_for("agenda.event", event_id=event.id))
    status = 400 if request.method == "POST" else 200
    return render_template("agenda/edit.html", form=form, event=None), status


@bp.route(f"/{EVENT}/modifier", methods=["GET", "POST"])
def edit(event_id: int):
    access = services.access_event(current_user, event_id)
    require(current_user, "agenda.event.manage", access)
    event = access.event
    if request.method == "GET":
        form = _event_form(False, obj=event)
        form.starts_at.data = event.starts_at.astimezone(services.PARIS).replace(tzinfo=None)
        form.ends_at.data = event.ends_at.astimezone(services.PARIS).replace(tzinfo=None)
        return render_template("agenda/edit.html", form=form, event=event)
    form = _event_form()
    if form.validate_on_submit():
        try:
            with transaction():
                services.check_update_event(current_user, event_id, _data(form))
        except Invalid as error:
            form.add_error(error)
        else:
            flash(_("Le rendez-vous est modifié."), "success")
            return redirect(url_for("agenda.event", event_id=event_id))
    return render_template("agenda/edit.html", form=form, event=event), 400


@bp.get(f"/{EVENT}")
def event(event_id: int):
    return _event_page(services.access_event(current_user, event_id))


def _event_page(access: services.EventAccess, document_form: DocumentForm | None = None,
                status: int = 200):
    """The event's page; `document_form`: the organiser's attachment, as they typed it."""
    return render_template(
        "agenda/event.html", access=access, event=access.event,
        people=services.attendees(access.event),
        documents=services.event_documents(current_user, access.event),
        form=EmptyForm(), replay_form=ReplayForm(formdata=None, obj=access.event),
        document_form=document_form or DocumentForm(formdata=None),
        is_past=services.is_past(access.event), KIND_LABELS=services.KIND_LABELS,
        STATE_LABELS=services.STATE_LABELS,
        DOCUMENT_LABELS=services.DOCUMENT_LABELS), status


@bp.post(f"/{EVENT}/reponse")
def rsvp(event_id: int):
    answer = request.form.get("reponse", "")
    try:
        with transaction():
            row = services.check_rsvp(current_user, event_id, answer)
            state = row.state
    except Invalid as error:
        flash(error.message, "error")
    else:
        messages = {"going": _("Vous êtes inscrit·e."),
                    "waiting": _("Le rendez-vous est complet : vous êtes en liste d'attente. "
                                 "Vous serez prévenu·e si une place se libère."),
                    "declined": _("C'est noté : vous ne participez pas.")}
        flash(messages[state], "success")
    return redirect(url_for("agenda.event", event_id=event_id))


@bp.post(f"/{EVENT}/annulation")
def cancel(event_id: int):
    with transaction():
        services.check_cancel_event(current_user, event_id)
    flash(_("Le rendez-vous est annulé ; les inscrit·es sont prévenu·es."), "success")
    return redirect(url_for("agenda.event", event_id=event_id))


@bp.post(f"/{EVENT}/replay")
def replay(event_id: int):
    form = ReplayForm()
    try:
        with transaction():
            services.check_set_replay(current_user, event_id, form.replay_url.data or "")
    except Invalid as error:
        flash(error.message, "error")
    else:
        flash(_("Lien du replay enregistré."), "success")
    return redirect(url_for("agenda.event", event_id=event_id))


@bp.post(f"/{EVENT}/documents")
def attach_document(event_id: int):
    """Slides or minutes, filed in the library (which may hold them for moderation)."""
    form = DocumentForm()
    upload = form.file.data
    if form.validate_on_submit():
        content = upload.stream.read(library.max_bytes() + 1) if upload else b""
        try:
            with transaction():
                attached = services.check_attach_document(
                    current_user, event_id, form.kind.data,
                    upload.filename if upload else "", content, form.title.data)
                published = attached.published
        except Invalid as error:
            # A message may carry the file's name: plain text, never markup.
            form.add_error(error)
        else:
            flash(_("Le document est publié dans la bibliothèque et sur cette page.")
                  if published else
                  _("Le document est transmis à la bibliothèque : il apparaîtra ici pour "
                    "tous après validation par l'équipe d'animation."), "success")
            return redirect(url_for("agenda.event", event_id=event_id))
    access = services.access_event(current_user, event_id)
    require(current_user, "agenda.event.documents", access)
    return _event_page(access, document_form=form, status=400)


def _ics_response(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get(f"/{EVENT}.ics")
def event_ics(event_id: int):
    access = services.access_event(current_user, event_id)
    body = ics.calendar([access.event], base_url=current_app.config["BASE_URL"],
                        name=access.event.title)
    return _ics_response(body, f"rendez-vous-{event_id}.ics")


@bp.get("/flux")
def feed_settings():
    return render_template("agenda/feed.html", token=None, form=EmptyForm(),
                           has_token=services.has_feed_token(current_user))


@bp.post("/flux")
def feed_new():
    with transaction():
        token = services.check_new_feed_token(current_user)
    url = current_app.config["BASE_URL"] + url_for("agenda.feed", token=token)
    return render_template("agenda/feed.html", token=url, form=EmptyForm(), has_token=True)


@bp.post("/flux/revocation")
def feed_revoke():
    with transaction():
        services.do_revoke_feed_token(current_user)
    flash(_("L'adresse de votre flux ne fonctionne plus."), "success")
    return redirect(url_for("agenda.feed_settings"))


@bp.get("/flux/<token>.ics")
@limiter.limit("60 per minute")
def feed(token: str):
    """A calendar app's request: no session, the token is the key (app/web.py lets this
    endpoint through the login gate)."""
    user = services.user_for_feed_token(token)
    if user is None:
        abort(404)
    body = ics.calendar(services.feed_events(user), base_url=current_app.config["BASE_URL"],
                        name=_("Agenda des catalyseurs"))
    response = _ics_response(body, "agenda.ics")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.cli.command("reminders")
def reminders() -> None:
    """Remind members of the events of the next 24 hours (run it from cron, e.g. every
    15 minutes; each member is reminded once per event)."""
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]), \
            transaction():
        sent = services.do_send_reminders()
    click.echo(f"{sent} rappels envoyés.")

