"""`SoraClient`: the Videos API's endpoints (see `api`), plus jobs that follow them to the end.

The endpoints answer one request each; a job creates a video, polls it and saves it in the
background. They live in two layers so that jobs, the poller and the library can use the
endpoints without importing the jobs that use them.
"""

from __future__ import annotations

from typing import Any

from sora_widget.engine.api import VideosAPI
from sora_widget.engine.jobs import VideoJob, submit, submit_remix


class SoraClient(VideosAPI):
    """Async client for the Videos API; `submit` and `submit_remix` start background jobs."""

    def submit(self, prompt: str, **options: Any) -> VideoJob:
        """Create a video as a background job and return at once; see `jobs.submit`."""
        return submit(self, prompt, **options)

    def submit_remix(self, video_id: str, prompt: str, **options: Any) -> VideoJob:
        """Remix as a background job and return at once; see `jobs.submit_remix`."""
        return submit_remix(self, video_id, prompt, **options)
