"""The embedded default: `make run` on one machine, SQLite, no broker, DEBUG on."""

from .base import *  # noqa: F403
from .base import env, refuse_development_key

DEBUG = env.bool("DEBUG", default=True)
refuse_development_key(debug=DEBUG, secret_key=SECRET_KEY)
