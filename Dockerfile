# The Công Văn web service: the Flask app under waitress (a production WSGI server), with
# Tesseract's Vietnamese model for scans and LibreOffice for Word 97–2003 files. Searches Meilisearch when MEILI_URL is set (see
# compose.yaml), else the embedded engine in the data folder.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-dejavu-core tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY archive ./archive
COPY indexer ./indexer
COPY web ./web
RUN pip install --no-cache-dir . \
    && useradd --system --uid 10001 --home-dir /data congvan \
    && mkdir -p /data && chown congvan /data

USER congvan
ENV CONGVAN_DATA=/data PYTHONUNBUFFERED=1
VOLUME ["/data"]
EXPOSE 8000
# /api/health answers 503 when the search engine is unreachable.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"
CMD ["congvan", "serve", "--host", "0.0.0.0", "--port", "8000"]
