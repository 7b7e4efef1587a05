# The application image: web (gunicorn), worker and scheduler all run from it.
FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HERNING_VAR_DIR=/var/lib/herning
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 herning \
    && mkdir -p /var/lib/herning && chown herning /var/lib/herning
WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
COPY herning/__init__.py herning/__init__.py
# The versions tested and audited (requirements.lock), as make install does.
RUN pip install --upgrade pip && pip install -c requirements.lock .
COPY . .
COPY --from=frontend /build/node_modules ./node_modules
RUN pip install --no-deps . \
    && HERNING_ENV=development python manage.py compilemessages --ignore=node_modules -v0 \
    && HERNING_ENV=development python manage.py collectstatic --no-input -v0 \
    && chown -R herning /var/lib/herning
USER herning
EXPOSE 8000
# gunicorn.conf.py: bind, workers, and an access log that never carries a query string (no CPR number).
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
