"""The partner directory: HSDS 3.0 import and export, demo partners, the partner matrix,
slots, and matching a participant's needs to services."""
