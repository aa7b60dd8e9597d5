"""The contract's shapes and the facts about models: no I/O beyond reading a file's bytes.

Everything else imports from here; this layer imports nothing of the package's own above it.
"""
