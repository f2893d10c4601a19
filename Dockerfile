# The production image: gunicorn serving Django, and the same image running the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint renders PDFs with Pango and HarfBuzz; DejaVu gives it a font that covers most scripts.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 qms
WORKDIR /app

COPY . .
RUN pip install .

# collectstatic needs settings that import cleanly; this key is used for nothing else and never at run time.
RUN DEBUG=false SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 python manage.py collectstatic --no-input

RUN mkdir -p /data/media && chown -R qms:qms /data
USER qms
# Without S3_BUCKET, uploaded files stay in this folder (a single host); docker-compose.yml uses S3-compatible storage.
ENV MEDIA_ROOT=/data/media
# gunicorn reads this as its number of worker processes; more containers is the other way to grow.
ENV WEB_CONCURRENCY=3
EXPOSE 8000
CMD ["gunicorn", "qms.wsgi:application", "--bind", "0.0.0.0:8000", "--no-control-socket", "--access-logfile", "-"]
