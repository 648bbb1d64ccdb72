"""The review web app: FastAPI pages and JSON API over the same library as the CLI."""
