"""Reports rendered from findings: terminal (rich) and JSON. All take the same Finding objects."""
