"""Forms of the library. Fields only parse; the services validate (one set of messages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import (
    FileField,
    MultipleFileField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from .. import taxonomy
from ..db import ID_MAX
from ..forms import BaseForm
from .files import LIBRARY_TYPES
from .services import (
    LANGUAGES,
    LICENCES,
    PAGE_MAX,
    TAG_VOCABULARIES,
    DocumentData,
    LibraryQuery,
)

ACCEPT = ",".join("." + ext for ext in (*LIBRARY_TYPES, "jpeg", "markdown"))
TAG_LABELS = {
    "domain": _l("Domaines de fragilité"),
    "sdg": _l("Objectifs de développement durable"),
    "region": _l("Régions"),
    "actor_profile": _l("Profils d'acteurs"),
    "territorial_level": _l("Échelle territoriale"),
}
FACET_LABELS = {"document_type": _l("Type de document"), **TAG_LABELS}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MetadataForm(BaseForm):
    title = StringField(_l("Titre"), render_kw={"maxlength": 200, "autocomplete": "off"})
    summary = TextAreaField(_l("Résumé"), render_kw={"rows": 4, "maxlength": 5000})
    authors = StringField(_l("Auteurs ou organisation"), render_kw={"maxlength": 300})
    year = StringField(_l("Année"), render_kw={"inputmode": "numeric", "maxlength": 4,
                                                 "autocomplete": "off"})
    document_type = SelectField(_l("Type de document"), validate_choice=False)
    language = SelectField(_l("Langue"), validate_choice=False, default="fr",
                           choices=list(LANGUAGES.items()))
    licence = SelectField(_l("Licence"), validate_choice=False, default="tous-droits",
                          choices=list(LICENCES.items()))
    keywords = StringField(_l("Mots-clés libres"), render_kw={"maxlength": 1000})
    domain = MultiCheckboxField(TAG_LABELS["domain"], validate_choice=False)
    sdg = MultiCheckboxField(TAG_LABELS["sdg"], validate_choice=False)
    region = MultiCheckboxField(TAG_LABELS["region"], validate_choice=False)
    actor_profile = MultiCheckboxField(TAG_LABELS["actor_profile"], validate_choice=False)
    territorial_level = MultiCheckboxField(TAG_LABELS["territorial_level"],
                                           validate_choice=False)

    def load_choices(self):
        self.document_type.choices = [("", _l("— Choisir —"))] + taxonomy.choices(
            "document_type")
        for name in TAG_VOCABULARIES:
            choices = taxonomy.choices(name)
            if name == "sdg":
                choices = [(c, f"{c}. {label}") for c, label in choices]
            getattr(self, name).choices = choices
        return self

    def data_object(self) -> DocumentData:
        return DocumentData(
            title=self.title.data or "", summary=self.summary.data or "",
            authors=self.authors.data or "", year=self.year.data or None,
            document_type=self.document_type.data or "", language=self.language.data or "",
            licence=self.licence.data or "", keywords=self.keywords.data or "",
            tags={name: list(getattr(self, name).data or []) for name in TAG_VOCABULARIES})

    def fill_from(self, document) -> None:
        self.title.data, self.summary.data = document.title, document.summary
        self.authors.data = document.authors
        self.year.data = str(document.year) if document.year else ""
        self.document_type.data = document.document_type.code
        self.language.data, self.licence.data = document.language, document.licence
        self.keywords.data = document.keywords
        for name in TAG_VOCABULARIES:
            getattr(self, name).data = [t.code for t in document.tags_of(name)]

    def has_tags(self) -> bool:
        return any(getattr(self, name).data for name in TAG_VOCABULARIES)


class SubmitForm(MetadataForm):
    files = MultipleFileField(_l("Fichiers"), render_kw={"accept": ACCEPT})


class VersionForm(BaseForm):
    file = FileField(_l("Nouveau fichier"), render_kw={"accept": ACCEPT})
    change_note = StringField(_l("Ce qui change dans cette version"),
                              render_kw={"maxlength": 2000})


class CommentForm(BaseForm):
    body = TextAreaField(_l("Votre commentaire"), render_kw={"rows": 3, "maxlength": 5000})


class CollectionForm(BaseForm):
    title = StringField(_l("Titre du dossier"), render_kw={"maxlength": 150})
    description = TextAreaField(_l("Présentation"), render_kw={"rows": 2, "maxlength": 2000})


def _positive(args: MultiDict, name: str, maximum: int = ID_MAX) -> int | None:
    value = args.get(name, type=int)
    return value if value is not None and 0 < value <= maximum else None


def library_query(args: MultiDict, collection: str = "") -> LibraryQuery:
    """A shelf's search, filters, sort and page from a URL's query string (the library's
    pages and a project's documents tab); anything malformed is ignored."""
    terms = {name: value for name in FACET_LABELS
             if (value := args.get(name, "")) and len(value) <= 60}
    return LibraryQuery(
        q=args.get("q", "")[:200], sort=args.get("tri", ""),
        page=_positive(args, "page", PAGE_MAX) or 1, year=_positive(args, "annee", 3000),
        collection=collection, terms=terms)
