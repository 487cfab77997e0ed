"""Admin of the taxonomy: standards, classes, mappings and filing conditions (all editable)."""
