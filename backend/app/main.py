"""The ASGI entry point the image runs: ``gunicorn app.main:app``.

Settings are read here, at import, so a missing variable stops the worker's
boot (and with it gunicorn) with a message naming the variable.
"""

from app.application import create_app
from app.settings import load_settings

app = create_app(load_settings())
