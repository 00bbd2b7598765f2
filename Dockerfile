FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=coop.settings.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu gettext curl \
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
