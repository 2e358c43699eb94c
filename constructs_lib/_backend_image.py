"""Settings of the backend image that the constructs depend on.

Written by scripts/chart_values.py (`make docs`) from backend/gunicorn.conf.py
and backend/app/body_limit.py, which the image reads: edit those, not this file.
"""

# Seconds a gunicorn worker has to finish its requests after SIGTERM.
GRACEFUL_TIMEOUT = 30
# The largest request body the app reads; a larger one gets 413.
MAX_BODY_BYTES = 65536
