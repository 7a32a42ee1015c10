"""Rules about loop."""
