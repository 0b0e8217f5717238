# Multi-stage image: build a venv with the pinned dependencies, run it as a non-root user.
# Build: docker build -t wastescreen .   Run: docker run -p 8000:8000 wastescreen
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml constraints.txt README.md ./
COPY src ./src
RUN /opt/venv/bin/pip install --no-cache-dir -c constraints.txt .

FROM python:3.11-slim
# Pango/HarfBuzz/fontconfig and a font are what WeasyPrint needs to render the PDF report.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 wastescreen
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
RUN mkdir -p /app/var && chown wastescreen:wastescreen /app/var
USER wastescreen
ENV PATH=/opt/venv/bin:$PATH \
    WASTESCREEN_VAR_DIR=/app/var \
    NUMBA_CACHE_DIR=/app/var/numba-cache \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"
CMD ["sh", "-c", "wastescreen demo --if-empty && wastescreen train --if-missing && wastescreen demo cycle --if-empty && wastescreen serve --host 0.0.0.0 --port 8000"]
