"""Rasa custom actions: thin adapters over the app's services (api/).

The action server is rasa-sdk on the app's Python 3.11 environment:
`.venv/bin/python -m rasa_sdk --actions actions`. Each action opens one session through
`api.db.session_scope()` and commits once when it returns.
"""
