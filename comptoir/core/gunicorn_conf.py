"""gunicorn's settings under `comptoir serve --production` (which gives the address and the
number of web processes). GUNICORN_CMD_ARGS overrides them, e.g.
GUNICORN_CMD_ARGS="--access-logfile - --timeout 300"."""

import os

from comptoir.core import supervisor

wsgi_app = "comptoir.wsgi:application"
preload_app = True  # the application is loaded once, then the web processes are forked
timeout = 120  # a request taking longer (a huge export…) is stopped and its process replaced
graceful_timeout = 30  # on SIGTERM, requests under way may finish within this time
max_requests, max_requests_jitter = 1000, 100  # processes are renewed now and then
control_socket_disable = True  # one less file shared by the servers of a machine
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"  # heartbeats in memory, not on a slow or full disk


def on_starting(server):
    supervisor.stop_with_parent()
