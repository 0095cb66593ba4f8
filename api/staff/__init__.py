"""Organizations, staff users and API keys; staff see only their own organization."""
