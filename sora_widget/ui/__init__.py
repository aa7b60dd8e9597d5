"""The notebook's widgets: their traits, what the traits carry, and files sent to views."""
