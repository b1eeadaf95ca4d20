"""Form helpers shared by every feature."""

from __future__ import annotations

from flask_wtf import FlaskForm

from .errors import Invalid


class BaseForm(FlaskForm):
    def add_error(self, error: Invalid) -> None:
        """Show a service's validation error next to its field, or at the top of the form."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)
