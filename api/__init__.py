"""HTTP API of the screening service (FastAPI). Thin: validation, auth and error mapping only."""
