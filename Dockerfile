# The Công Văn web service: the Flask app under waitress, with the embedded engine by default.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY archive ./archive
COPY indexer ./indexer
COPY web ./web
RUN pip install --no-cache-dir .

ENV CONGVAN_DATA=/data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"
CMD ["congvan", "serve", "--host", "0.0.0.0", "--port", "8000"]
