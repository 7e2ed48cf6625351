# The web app, a worker or the scheduler: same image, different command (see README "Production shape").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 TZ=Asia/Shanghai
WORKDIR /app
COPY pyproject.toml README.md ./
COPY command ./command
COPY hotline ./hotline
COPY dispatch ./dispatch
COPY classifier ./classifier
COPY open311 ./open311
COPY web ./web
COPY migrations ./migrations
RUN pip install -e . && useradd --create-home --uid 10001 hotline && mkdir -p /app/var && chown hotline /app/var
USER hotline
ENV HOTLINE_VAR_DIR=/app/var
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/ready')"
CMD ["hotline12345", "run", "--host", "0.0.0.0", "--port", "8000", "--web-workers", "2", "--rq-workers", "2"]
