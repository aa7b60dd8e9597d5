"""Where a job is: the server's states plus the client's own before and after them.

Apart from `jobs` so that what reads a job's status (its `estimate`) need not import the job.
"""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Where a job is: the server's states plus our own before and after them."""

    SUBMITTING = "submitting"  # the create request is on its way
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    SAVING = "saving"  # completed on the server, being downloaded into the library
    COMPLETED = "completed"  # done, and on disk when the job has a library
    FAILED = "failed"  # `job.error` says why
    CANCELLED = "cancelled"


FINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
