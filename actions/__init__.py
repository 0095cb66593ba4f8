"""Rasa custom actions: thin adapters over the app's services (api/).

The action server is rasa-sdk on the app's Python 3.11 environment, started by our launcher
`python -m actions.server` (127.0.0.1 only; each action runs off the event loop). Each action
opens one session through `api.db.session_scope()` and commits once when it returns.
"""
