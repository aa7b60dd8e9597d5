"""The `sora-widget` command: argument parsing and the terminal's progress line."""
