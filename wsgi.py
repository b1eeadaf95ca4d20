"""WSGI entry point: `flask --app wsgi run` in development, gunicorn in production."""

from app import create_app
from app.extensions import socketio

app = create_app()

__all__ = ["app", "socketio"]
