FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=coop.settings.production
# pgBackRest and restic for the backup and restore services. pgBackRest runs as the user that owns
# the data files, which the postgres image makes with uid 999: the same uid is made here first.
RUN groupadd --system --gid 999 postgres \
 && useradd --system --uid 999 --gid postgres --home-dir /var/lib/postgresql --no-create-home postgres \
 && apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu gettext curl \
      pgbackrest restic \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DJANGO_SECRET_KEY=build DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    CELERY_BROKER_URL=redis://localhost CELERY_RESULT_BACKEND=redis://localhost \
    sh -c "python manage.py compilemessages --ignore=.venv && python manage.py collectstatic --noinput"
RUN useradd --create-home coop && mkdir -p /app/media && chown coop /app/media
USER coop
EXPOSE 8000
CMD ["gunicorn", "coop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
