# syntax=docker/dockerfile:1
#
# followthrough: the long-running worker (`followthrough run`).
#
#   docker build -t followthrough:0.1.0 .
#   docker run --read-only --tmpfs /tmp -p 8080:8080 \
#     -v "$PWD/config:/etc/followthrough:ro" -v followthrough-state:/var/lib/followthrough \
#     followthrough:0.1.0 run --config /etc/followthrough/followthrough.yaml
#
# The worker binds 127.0.0.1 unless told otherwise; the image tells it 0.0.0.0 so that a
# published port and the orchestrator's probes reach it.
# The root filesystem can be read-only: the process writes only under the declared volume
# /var/lib/followthrough (SQLite journal, parse cache) and /tmp. Secrets are never baked in:
# pass them at run time as FOLLOWTHROUGH_* environment variables or mounted *_file paths.

ARG PYTHON_VERSION=3.11.14
ARG DEBIAN_RELEASE=bookworm

# ---------------------------------------------------------------------------------------------
# builder: build the wheel, then install the locked dependencies and it into a self-contained venv.
# The full image of the same Python and Debian release: it has the C compiler that compiles the
# scan's modules (setup.py); only the venv goes on to the slim runtime.
FROM python:${PYTHON_VERSION}-${DEBIAN_RELEASE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /build
COPY pyproject.toml setup.py README.md requirements.lock ./
COPY src ./src

# Dependencies exactly as locked (with hashes), then the wheel alone, compiled or not at all.
RUN FOLLOWTHROUGH_COMPILE=1 python -m pip wheel --no-deps --wheel-dir /dist . \
    && python -m venv /opt/venv \
    && /opt/venv/bin/python -m pip install --no-cache-dir --require-hashes -r requirements.lock \
    && /opt/venv/bin/python -m pip install --no-cache-dir --no-deps /dist/followthrough-*.whl \
    && /opt/venv/bin/python -c "import sys, followthrough.build as b; print(b.describe()); sys.exit(not b.scan_compiled())"

# ---------------------------------------------------------------------------------------------
# runtime: the slim base, the venv holding the wheel, a non-root user. Nothing else.
FROM python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE} AS runtime

ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown

LABEL org.opencontainers.image.title="followthrough" \
      org.opencontainers.image.description="Turns postmortem action items into tracker tickets, nudges them, and reports follow-through per team." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/python:${PYTHON_VERSION}-slim-${DEBIAN_RELEASE}"

# A fixed numeric UID/GID so that Kubernetes can check runAsNonRoot without a name lookup.
RUN groupadd --system --gid 10001 followthrough \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
        --home-dir /var/lib/followthrough --shell /usr/sbin/nologin followthrough \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/followthrough \
    && install -d -o root -g root -m 0755 /etc/followthrough

COPY --from=builder /opt/venv /opt/venv

ENV PATH="/opt/venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/var/lib/followthrough \
    FOLLOWTHROUGH_STORE__SQLITE_PATH=/var/lib/followthrough/followthrough.db \
    FOLLOWTHROUGH_CACHE_DIR=/var/lib/followthrough/cache \
    FOLLOWTHROUGH_HTTP__HOST=0.0.0.0

WORKDIR /var/lib/followthrough
VOLUME ["/var/lib/followthrough"]
USER 10001:10001
EXPOSE 8080

# No curl in the slim image: the standard library asks /healthz on the configured port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('FOLLOWTHROUGH_HTTP__PORT', '8080'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"]

ENTRYPOINT ["followthrough"]
CMD ["run"]
