# gigbot: one image for `gigbot run` (webhook or long polling) and every other `gigbot` command.
# The install steps below are the ones tests/e2e/test_deploy.py runs in a fresh virtualenv.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GIGBOT_DATA_DIR=/var/lib/gigbot \
    GIGBOT_PORT=8080

WORKDIR /src
COPY pyproject.toml README.md ./
COPY gigbot ./gigbot

# step: install
RUN python -m pip install --no-cache-dir .
# step: check
RUN gigbot --help > /dev/null && python -c "import gigbot.runner, gigbot.cluster"

RUN useradd --system --home-dir /var/lib/gigbot --create-home gigbot
USER gigbot
WORKDIR /var/lib/gigbot

EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('GIGBOT_PORT', '8080') + '/healthz', timeout=4)"
# SIGTERM stops it cleanly within 10 s (updates in progress finish, the leader lock is freed)
STOPSIGNAL SIGTERM
CMD ["gigbot", "run"]
