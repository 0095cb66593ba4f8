"""Language access: the supported-locale registry, catalogs, SMS text rules, detection."""
