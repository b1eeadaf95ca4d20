"""Form helpers shared by every feature."""

from __future__ import annotations

from flask_wtf import FlaskForm

from .errors import Invalid


class BaseForm(FlaskForm):
    def add_error(self, error: Invalid) -> None:
        """Show a service's validation error next to its field, or at the top of the form.

        As plain text: Flask-Babel's lazy strings declare themselves safe HTML (`__html__`),
        so a message carrying member input (a file name in "« %(name)s » n'est pas d'un type
        accepté") would reach the page unescaped; a `str` is escaped like any other text.
        """
        message = str(error.message)
        field = getattr(self, error.field, None) if error.field else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message]
        else:
            self.form_errors.append(message)
