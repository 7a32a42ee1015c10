"""Rules about loss."""
