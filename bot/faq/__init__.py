"""The FAQ engine: YAML content, validation and a multilingual matcher."""
