"""Forms of the walls. Fields only parse; the services validate (one set of messages).

Select fields skip WTForms' own choice check (`validate_choice=False`): an unknown kind or
tag gets the service's French message, and a member forging "announcement" gets the 403
the permission rule gives, not a 400 from the form.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from .. import taxonomy
from ..forms import BaseForm
from ..uploads import DOCUMENT_TYPES, IMAGE_TYPES

KIND_LABELS = {
    "discussion": _l("Discussion"),
    "question": _l("Question"),
    "announcement": _l("Annonce"),
}
PREMODERATION_LABELS = {
    "off": _l("Aucune : les messages paraissent aussitôt"),
    "new_members": _l("Messages des nouveaux membres validés par l'équipe d'animation"),
    "all": _l("Tous les messages des membres validés par l'équipe d'animation"),
}
REACTION_LABELS = {
    "merci": (_l("Merci"), "🙏"),
    "bravo": (_l("Bravo"), "👏"),
    "idee": (_l("Bonne idée"), "💡"),
    "soutien": (_l("Soutien"), "🤝"),
}
ACCEPT = ",".join("." + ext for ext in (*IMAGE_TYPES, "jpeg", *DOCUMENT_TYPES))
TAG_FIELDS = ("domain", "region", "sdg")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PostForm(BaseForm):
    kind = SelectField(_l("Type de message"), validate_choice=False, default="discussion")
    title = StringField(_l("Titre"), render_kw={"maxlength": 200, "autocomplete": "off"})
    body = TextAreaField(_l("Message"), render_kw={"rows": 5, "data-mentions": "",
                                                    "maxlength": 20000})
    domain = MultiCheckboxField(_l("Domaines de fragilité"), validate_choice=False)
    region = MultiCheckboxField(_l("Régions"), validate_choice=False)
    sdg = MultiCheckboxField(_l("Objectifs de développement durable"), validate_choice=False)
    files = MultipleFileField(_l("Pièces jointes"), render_kw={"accept": ACCEPT})

    def load_choices(self, can_announce: bool) -> PostForm:
        kinds = ["discussion", "question"] + (["announcement"] if can_announce else [])
        self.kind.choices = [(k, KIND_LABELS[k]) for k in kinds]
        self.domain.choices = taxonomy.choices("domain")
        self.region.choices = taxonomy.choices("region")
        self.sdg.choices = [(c, f"{c}. {label}") for c, label in taxonomy.choices("sdg")]
        return self

    def tags(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name).data or []) for name in TAG_FIELDS}

    def has_tags(self) -> bool:
        return any(self.tags().values())


class EditPostForm(BaseForm):
    title = StringField(_l("Titre"), render_kw={"maxlength": 200, "autocomplete": "off"})
    body = TextAreaField(_l("Message"), render_kw={"rows": 10, "data-mentions": "",
                                                    "maxlength": 20000})
    reason = StringField(_l("Motif de la modification (communiqué à l'auteur·rice)"),
                         render_kw={"maxlength": 1000})


class EditCommentForm(BaseForm):
    body = TextAreaField(_l("Commentaire"), render_kw={"rows": 6, "data-mentions": "",
                                                        "maxlength": 10000})
    reason = StringField(_l("Motif de la modification (communiqué à l'auteur·rice)"),
                         render_kw={"maxlength": 1000})


class WallForm(BaseForm):
    name = StringField(_l("Nom du mur"), render_kw={"maxlength": 120})
    description = TextAreaField(_l("Description"), render_kw={"rows": 3, "maxlength": 2000})
    premoderation = SelectField(_l("Validation des messages avant publication"),
                                choices=list(PREMODERATION_LABELS.items()),
                                validate_choice=False, default="off")


class PremoderationForm(BaseForm):
    premoderation = SelectField(_l("Validation des messages avant publication"),
                                choices=list(PREMODERATION_LABELS.items()),
                                validate_choice=False)


class QuestionFilterForm(BaseForm):
    class Meta:
        csrf = False

    domain = SelectField(_l("Domaine de fragilité"), validate_choice=False)
    region = SelectField(_l("Région"), validate_choice=False)

    def load_choices(self) -> QuestionFilterForm:
        for name in ("domain", "region"):
            getattr(self, name).choices = [("", _l("Tous"))] + taxonomy.choices(name)
        return self

    def known(self, name: str) -> str:
        """A stale or forged code is ignored, as in the directory's filters."""
        field = getattr(self, name)
        return field.data if field.data in {code for code, _label in field.choices} else ""
