"""GET /health: the app, the database, the Rasa engine, the action server and the worker."""
