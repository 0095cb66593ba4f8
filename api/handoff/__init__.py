"""Case-manager handoffs: structured summaries (JSON, FHIR R4) and urgent flags."""
