"""Settings of the backend image's gunicorn that the constructs depend on.

Written by scripts/chart_values.py (`make docs`) from backend/gunicorn.conf.py,
which the image reads: edit that file, not this one.
"""

# Seconds a worker has to finish its requests after SIGTERM.
GRACEFUL_TIMEOUT = 30
