# BankPM image: one image for web (gunicorn), Celery worker and Celery beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=bankpm.settings.production
WORKDIR /app
COPY . .
COPY --from=assets /app/node_modules ./node_modules
# python-ldap (LDAP sign-on) builds against OpenLDAP's and SASL's headers.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libldap2-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -e . \
    && DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && useradd --system --home /app bankpm && chown -R bankpm /app
USER bankpm
EXPOSE 8000
CMD ["gunicorn", "bankpm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
