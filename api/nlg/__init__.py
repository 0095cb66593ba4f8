"""Rasa's NLG endpoint: every utter_* is rendered from the Babel catalogs."""
