from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from .. import taxonomy
from ..accounts.services import NAME_MAX
from ..forms import BaseForm
from .services import BIO_MAX, TEXT_LIMITS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(BaseForm):
    display_name = StringField(_l("Prénom et nom"),
                               validators=[DataRequired(), Length(max=NAME_MAX)])
    organisation = StringField(_l("Structure"),
                               validators=[Length(max=TEXT_LIMITS["organisation"])])
    job_title = StringField(_l("Fonction"), validators=[Length(max=TEXT_LIMITS["job_title"])])
    territory = StringField(_l("Territoire (commune, pays, département…)"),
                            validators=[Length(max=TEXT_LIMITS["territory"])])
    region = SelectField(_l("Région"))
    catalyst_profile = SelectField(_l("Profil de catalyseur"))
    scope = SelectField(_l("Périmètre"))
    trade = MultiCheckboxField(_l("Métiers"))
    domain = MultiCheckboxField(_l("Domaines de fragilité (expertise)"))
    sdg = MultiCheckboxField(_l("Objectifs de développement durable"))
    bio = TextAreaField(_l("Présentation (Markdown)"), validators=[Length(max=BIO_MAX)])
    avatar = FileField(_l("Photo (PNG, JPEG, WebP ou GIF, 2 Mo au plus)"))
    remove_avatar = BooleanField(_l("Retirer la photo actuelle"))

    def load_choices(self) -> "ProfileForm":
        blank = [("", "—")]
        self.region.choices = blank + taxonomy.choices("region")
        self.catalyst_profile.choices = blank + taxonomy.choices("catalyst_profile")
        self.scope.choices = blank + taxonomy.choices("scope")
        self.trade.choices = taxonomy.choices("trade")
        self.domain.choices = taxonomy.choices("domain")
        self.sdg.choices = [(code, f"{code}. {label}") for code, label in taxonomy.choices("sdg")]
        return self


class DirectoryForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Nom ou structure"), validators=[Length(max=100)])
    region = SelectField(_l("Région"))
    catalyst_profile = SelectField(_l("Profil"))
    trade = SelectField(_l("Métier"))
    domain = SelectField(_l("Domaine de fragilité"))
    sdg = SelectField(_l("ODD"))

    FACETS = ("region", "catalyst_profile", "trade", "domain", "sdg")

    def load_choices(self) -> "DirectoryForm":
        for name in self.FACETS:
            getattr(self, name).choices = [("", _l("Tous"))] + taxonomy.choices(name)
        return self

    def known_choice(self, name: str) -> str:
        """The facet's value if it is one of the vocabulary's codes; a stale or forged one
        is ignored rather than turned into an error on a search page."""
        field = getattr(self, name)
        return field.data if field.data in {code for code, _label in field.choices} else ""
