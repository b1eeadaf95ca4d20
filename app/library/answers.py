"""What an upload form answers, on the library's page and on a project's documents tab:
JSON to the upload script (one request per file, with a progress bar), or the page again
with the errors next to their fields."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_babel import gettext as _

from ..errors import Invalid
from ..web import wants_json
from .forms import SubmitForm
from .models import Document


def refused(form: SubmitForm, error: Invalid):
    """The JSON answer to a refused upload, or None after putting the error on the form.

    A browser does not keep the chosen files when the page comes back: say so, unless the
    files were the problem."""
    if wants_json():
        return jsonify({"ok": False, "error": "invalid", "field": error.field,
                        "message": str(error.message)}), 400
    form.add_error(error)
    if error.field != "files" and request.files.getlist("files"):
        form.files.errors = [*form.files.errors, _(
            "Joignez à nouveau vos fichiers : un navigateur ne les garde pas d'un "
            "envoi à l'autre.")]
    return None


def accepted(documents: list[Document], next_url: str):
    """The JSON answer to an accepted upload: the new documents and where to go next."""
    return jsonify({"ok": True, "documents": [
        {"id": d.id, "title": d.title,
         "url": url_for("library.document", document_id=d.id)} for d in documents],
        "next": next_url}), 201
