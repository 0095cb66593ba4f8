"""Holistic needs screening: validated instruments as data files, run by one engine.

- instruments/*.yml: the questions, LOINC codes, answer options and scoring rules
- instrument.py: loading and validating those files
"""
