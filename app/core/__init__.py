"""Home page, health check and the navigation's sections."""
