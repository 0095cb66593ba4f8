"""FHIR R4 for case managers and health systems: a handoff as a Bundle on the Gravity
SDOH Clinical Care profiles (builder in bundle.py, the profile rules in rules.py)."""
