"""The HTTP API (FastAPI): routes parse, call one service method and map domain errors to statuses."""
