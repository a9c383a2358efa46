"""tenderscan HTTP API: ``create_app(settings)`` builds the FastAPI application."""

from api.main import create_app
from api.settings import Settings

__all__ = ["Settings", "create_app"]
