"""Gunicorn settings the image's fixed CMD cannot carry; gunicorn reads this
file from its working directory (/app in the image).

The control socket (gunicorn >= 25.1) would be created under $HOME, which does
not exist on the image's read-only root filesystem; Kubernetes, not gunicornc,
manages these pods, so it is switched off.
"""

control_socket_disable = True
# Access lines on stdout, where `kubectl logs` reads them.
accesslog = "-"
# Seconds a worker has to finish its requests after SIGTERM (gunicorn's default,
# written out because the deployment depends on it): scripts/chart_values.py
# copies it into constructs_lib and the todo-backend chart, whose zero-downtime
# grace period must outlast it.
graceful_timeout = 30
