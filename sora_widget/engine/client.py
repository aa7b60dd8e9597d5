"""`SoraClient`: the Videos API's endpoints (see `api`), plus jobs that follow them to the end.

The endpoints answer one request each; a job creates a video, polls it and saves it in the
background. They live in two layers so that jobs, the poller and the library can use the
endpoints without importing the jobs that use them.
"""

from __future__ import annotations

from sora_widget.engine import jobs
from sora_widget.engine.api import VideosAPI


class SoraClient(VideosAPI):
    """Async client for the Videos API; `submit` and `submit_remix` start background jobs."""

    # `jobs.submit(client, prompt, ...)` as methods: one signature, the client as `self`.
    submit = jobs.submit
    submit_remix = jobs.submit_remix
