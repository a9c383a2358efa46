"""API routers, grouped by OpenAPI tag."""
