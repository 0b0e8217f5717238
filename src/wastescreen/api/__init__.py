"""The HTTP API (FastAPI): thin routes over the screening and registry services."""
