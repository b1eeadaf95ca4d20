"""Forms of the project spaces. Fields only parse; the services validate (one set of messages),
so select fields skip WTForms' own choice check and a stale code gets the service's French
message instead of a bare "Not a valid choice"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    FieldList,
    FileField,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .. import taxonomy
from ..forms import BaseForm
from ..library.forms import ACCEPT as LIBRARY_ACCEPT
from .services import (
    ACTION_STATUS_LABELS,
    PARIS,
    PARTNERS_MAX,
    STATUS_LABELS,
    VISIBILITY_LABELS,
    ActionFilters,
    DirectoryFilters,
    MeetingData,
    ProjectData,
)

PARTNER_ROWS = 5
TAG_FIELDS = ("region", "domain", "sdg", "actor_profile", "partnership_type")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PartnerForm(BaseForm):
    class Meta:
        csrf = False

    name = StringField(_l("Organisation"), render_kw={"maxlength": 160})
    kind = SelectField(_l("Type"), validate_choice=False)


def _sdg_choices() -> list[tuple[str, str]]:
    return [(c, f"{c}. {label}") for c, label in taxonomy.choices("sdg")]


class ProjectForm(BaseForm):
    title = StringField(_l("Titre du projet"), render_kw={"maxlength": 160})
    pitch = StringField(_l("En une phrase"), render_kw={"maxlength": 240})
    description = TextAreaField(_l("Description"), render_kw={"rows": 8, "maxlength": 20000})
    status = SelectField(_l("Statut"), choices=list(STATUS_LABELS.items()),
                         validate_choice=False, default="idea")
    visibility = SelectField(_l("Visibilité"), choices=list(VISIBILITY_LABELS.items()),
                             validate_choice=False, default="open")
    territory = StringField(_l("Territoire (commune, intercommunalité, quartier…)"),
                            render_kw={"maxlength": 160})
    region = MultiCheckboxField(_l("Régions"), validate_choice=False)
    domain = MultiCheckboxField(_l("Domaines de fragilité"), validate_choice=False)
    sdg = MultiCheckboxField(_l("Objectifs de développement durable"), validate_choice=False)
    actor_profile = MultiCheckboxField(_l("Acteurs impliqués"), validate_choice=False)
    partnership_type = MultiCheckboxField(_l("Type de partenariat"), validate_choice=False)
    partners = FieldList(FormField(PartnerForm), min_entries=PARTNER_ROWS,
                         max_entries=PARTNERS_MAX)
    cover = FileField(_l("Image de couverture"),
                      render_kw={"accept": "image/png,image/jpeg,image/webp,image/gif"})

    def load_choices(self) -> ProjectForm:
        for name in ("region", "domain", "actor_profile", "partnership_type"):
            getattr(self, name).choices = taxonomy.choices(name)
        self.sdg.choices = _sdg_choices()
        kinds = [("", _l("— type —"))] + taxonomy.choices("actor_profile")
        for entry in self.partners:
            entry.form.kind.choices = kinds
        return self

    def fill(self, project) -> ProjectForm:
        """Pre-fill from a project (its tags and partners loaded)."""
        for name in ("title", "pitch", "description", "status", "visibility", "territory"):
            getattr(self, name).data = getattr(project, name)
        for name in TAG_FIELDS:
            getattr(self, name).data = [t.code for t in project.terms(name)]
        while len(self.partners.entries) < len(project.partners) + 2 \
                and len(self.partners.entries) < PARTNERS_MAX:
            self.partners.append_entry()
        for entry, partner in zip(self.partners.entries, project.partners, strict=False):
            entry.form.name.data, entry.form.kind.data = partner.name, partner.kind
        return self.load_choices()

    def data_object(self) -> ProjectData:
        return ProjectData(
            title=self.title.data or "", pitch=self.pitch.data or "",
            description=self.description.data or "", status=self.status.data or "",
            visibility=self.visibility.data or "", territory=self.territory.data or "",
            tags={name: list(getattr(self, name).data or []) for name in TAG_FIELDS},
            partners=[(e.form.name.data or "", e.form.kind.data or "")
                      for e in self.partners.entries])


class DirectoryForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Rechercher"), render_kw={"maxlength": 100, "type": "search"})
    status = SelectField(_l("Statut"), validate_choice=False)
    region = SelectField(_l("Région"), validate_choice=False)
    domain = SelectField(_l("Domaine de fragilité"), validate_choice=False)
    sdg = SelectField(_l("ODD"), validate_choice=False)
    actor_profile = SelectField(_l("Acteurs impliqués"), validate_choice=False)

    def load_choices(self) -> DirectoryForm:
        every = [("", _l("Tous"))]
        self.status.choices = every + list(STATUS_LABELS.items())
        for name in ("region", "domain", "actor_profile"):
            getattr(self, name).choices = every + taxonomy.choices(name)
        self.sdg.choices = every + _sdg_choices()
        return self

    def known(self, name: str) -> str:
        """A stale or forged code is ignored, as in the members' directory."""
        field = getattr(self, name)
        return field.data if field.data in {str(c) for c, _label in field.choices} else ""

    def filters(self, mine: bool = False) -> DirectoryFilters:
        return DirectoryFilters(
            q=(self.q.data or "")[:100], status=self.known("status"),
            region=self.known("region"), domain=self.known("domain"), sdg=self.known("sdg"),
            actor_profile=self.known("actor_profile"), mine=mine)


class JoinForm(BaseForm):
    message = TextAreaField(_l("Un mot pour les porteur·ses (facultatif)"),
                            render_kw={"rows": 3, "maxlength": 1000})


class InviteForm(BaseForm):
    members = SelectMultipleField(_l("Membres à ajouter"), coerce=int, validate_choice=False)

    def load_choices(self, users) -> InviteForm:
        self.members.choices = [(u.id, u.display_name) for u in users]
        return self


class ActionForm(BaseForm):
    title = StringField(_l("Action"), render_kw={"maxlength": 200})
    owner_id = SelectField(_l("Responsable"), validate_choice=False)
    due_on = DateField(_l("Échéance"), validators=[Optional()])
    status = SelectField(_l("Statut"), choices=list(ACTION_STATUS_LABELS.items()),
                         validate_choice=False, default="todo")

    def load_choices(self, members) -> ActionForm:
        self.owner_id.choices = [("", _l("— personne —"))] + [
            (str(m.user_id), m.user.display_name) for m in members]
        return self

    def owner(self) -> int | None:
        raw = self.owner_id.data or ""
        return int(raw) if str(raw).isdigit() else None


class ActionFilterForm(BaseForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Statut"), validate_choice=False)
    owner = SelectField(_l("Responsable"), validate_choice=False)

    def load_choices(self, members) -> ActionFilterForm:
        self.status.choices = [("", _l("Tous"))] + list(ACTION_STATUS_LABELS.items())
        self.owner.choices = [("", _l("Tout le monde"))] + [
            (str(m.user_id), m.user.display_name) for m in members]
        return self

    def filters(self) -> ActionFilters:
        owner = self.owner.data or ""
        return ActionFilters(status=self.status.data or "",
                             owner_id=int(owner) if str(owner).isdigit() else None)


class MeetingForm(BaseForm):
    title = StringField(_l("Titre"), render_kw={"maxlength": 200})
    starts_at = DateTimeLocalField(_l("Date et heure (heure de Paris)"),
                                   format="%Y-%m-%dT%H:%M", validators=[Optional()])
    duration_minutes = IntegerField(_l("Durée (minutes)"), default=60,
                                    validators=[Optional()],
                                    render_kw={"min": 5, "max": 720, "step": 5})
    visio_url = StringField(_l("Lien de visioconférence"),
                            render_kw={"maxlength": 500, "type": "url",
                                       "placeholder": "https://"})
    agenda = TextAreaField(_l("Ordre du jour"), render_kw={"rows": 5, "maxlength": 10000})

    def fill(self, meeting) -> MeetingForm:
        """Pre-fill from a meeting, its start as the Paris wall-clock time typed in."""
        self.title.data, self.agenda.data = meeting.title, meeting.agenda
        self.starts_at.data = meeting.starts_at.astimezone(PARIS).replace(tzinfo=None)
        self.duration_minutes.data = meeting.duration_minutes
        self.visio_url.data = meeting.visio_url
        return self

    def data_object(self) -> MeetingData:
        return MeetingData(title=self.title.data or "", starts_local=self.starts_at.data,
                           duration_minutes=self.duration_minutes.data,
                           visio_url=self.visio_url.data or "", agenda=self.agenda.data or "")

    def field_errors(self) -> None:
        """WTForms' English parse errors become French messages the member understands."""
        if self.starts_at.errors:
            self.starts_at.errors = [_l("Date ou heure illisible (jj/mm/aaaa hh:mm).")]
        if self.duration_minutes.errors:
            self.duration_minutes.errors = [_l("Durée en minutes, un nombre entier.")]


class MinutesForm(BaseForm):
    file = FileField(_l("Fichier du compte rendu"), render_kw={"accept": LIBRARY_ACCEPT})
    title = StringField(_l("Titre (facultatif)"), render_kw={"maxlength": 200})

    @classmethod
    def for_meeting(cls, meeting_id: int, **kwargs) -> MinutesForm:
        """One form per meeting on the same page, its fields' ids prefixed by the meeting."""
        return cls(prefix=f"cr{meeting_id}", **kwargs)
