"""Talking to a server and following its jobs: transport, storage, polling, jobs, backends.

Knows no widget; the UI and the command line drive it.
"""
