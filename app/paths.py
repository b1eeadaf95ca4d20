"""Same-site paths of the application's pages, built inside a request or outside one (CLI
jobs, demo data, background extraction, tests): notifications and feed items store them."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values: Any) -> str:
    """`url_for`'s path; outside a request, built from the URL map (`_anchor` kept)."""
    if has_request_context():
        return url_for(endpoint, **values)
    anchor = values.pop("_anchor", None)
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return f"{path}#{anchor}" if anchor else path
