# syntax=docker/dockerfile:1
# BPO Portal image: gunicorn for the web; the same image runs migrations, the Celery worker and beat
# (see docker-compose.yml).

# Front-end packages (Bootstrap, htmx, Chart.js) come from npm; only node_modules leaves this stage.
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
# PYTHONPATH: the settings find templates/ and static/ beside the code, so the code must be imported from
# /app, not from the copy pip puts in site-packages. WEB_CONCURRENCY: gunicorn's worker count.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    WEB_CONCURRENCY=3
WORKDIR /app

RUN groupadd --system portal && useradd --system --gid portal --home-dir /app --no-create-home portal

# Dependencies first, from pyproject.toml alone, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY --from=assets /app/node_modules ./node_modules
COPY . .
RUN pip install --no-deps .

# Static files are built into the image so the manifest matches the code it ships with. The key and database
# here only let the settings load for collectstatic; nothing signed or stored at build time is kept.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-build-time-key-not-used-at-run-time \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        python manage.py collectstatic --noinput --verbosity 0 \
    && rm -f /tmp/build.sqlite3

USER portal
EXPOSE 8000
CMD ["gunicorn", "bpo_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--timeout", "60", "--access-logfile", "-"]
