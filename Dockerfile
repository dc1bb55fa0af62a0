# Slim image that runs `mentorbot serve` as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md alembic.ini ./
COPY bot bot
COPY core core
COPY adapters adapters
COPY migrations migrations
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
# The web chat is a local demo with no accounts: a container never serves it unless
# WEBCHAT_ENABLED=true (and then only to loopback, or after WEBCHAT_PASSWORD).
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HOST=0.0.0.0 PORT=8000 WEBCHAT_ENABLED=false
COPY --from=build /install /usr/local
RUN useradd --create-home --uid 10001 mentorbot
USER mentorbot
WORKDIR /home/mentorbot
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
CMD ["mentorbot", "serve"]
