"""WSGI entry point: `app` for any WSGI server (gunicorn wsgi:app) and for `flask --app wsgi`."""
from bot import create_app

app = create_app()
