"""What one server can do, learned from its answers and remembered for the client's life.

Servers behind `OPENAI_BASE_URL` implement different parts of the Videos API: LiteLLM answers
the list with 400 "LLM Provider NOT provided" and has no DELETE route (405); a New API gateway
has neither; some send no `openai-poll-after-ms`; some return the MP4 for every `variant`. An
endpoint that answers as a missing route (404 or 405 without an API error body, the 404
"Invalid URL (...)" of OpenAI and New API, 501, or LiteLLM's missing-provider 400) is recorded
as unsupported after one try and not asked again.
A 404 with the API's own error body ("Video with id ... not found") is about a video, not the
endpoint, and teaches nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypedDict

logger = logging.getLogger(__name__)

#: Every feature tracked, with the words the panel shows when the server lacks it.
FEATURES: dict[str, str] = {
    "list": "This server cannot list videos (GET /videos): each video is polled on its own.",
    "delete": "This server cannot delete videos (no DELETE /videos/{id}): delete them where "
    "they were made, or let them expire.",
    "remix": "This server cannot remix videos (no POST /videos/{id}/remix): generate a new "
    "video with the changed prompt instead.",
    "edits": "This server cannot edit videos (no POST /videos/edits).",
    "extensions": "This server cannot extend videos (no POST /videos/extensions).",
    "variants": "This server sends the MP4 for every content variant: thumbnails and "
    "spritesheets are made from the video here.",
    "poll_hint": "This server sends no openai-poll-after-ms hint: videos are polled every 10 "
    "to 20 s, sooner near their expected end.",
}

#: LiteLLM's answer for a route it cannot send to any provider (the list, for one).
_LITELLM_NO_PROVIDER = "llm provider not provided"
#: OpenAI's own answer for a route it does not have.
_OPENAI_INVALID_URL = "invalid url ("


def endpoint_missing(
    status_code: int, message: str, api_body: bool, *, names_a_video: bool
) -> bool:
    """Whether an error answer means "no such endpoint here" rather than "no such video".

    `api_body`: the answer had the API's `{"error": {"message": ...}}` body. `names_a_video`:
    the path or the form names a video, so a 404 with an API error body is about that video.
    """
    said = message.lower()
    if status_code in (405, 501):
        return True
    if status_code == 400 and _LITELLM_NO_PROVIDER in said:
        return True
    if status_code == 404:
        if _OPENAI_INVALID_URL in said:
            return True
        return not api_body or not names_a_video
    return False


class FeatureState(TypedDict):
    """One feature as the widgets' `features` trait carries it: None while unknown."""

    supported: bool | None
    reason: str


class ServerSupport:
    """The features one server has shown it has (True), lacks (False) or not yet shown (None).

    `as_dict()` is the public read-only view (`client.features`); `reason(name)` says in plain
    words what the panel shows for a feature the server lacks.
    """

    def __init__(self) -> None:
        self._known: dict[str, bool | None] = dict.fromkeys(FEATURES)
        #: Why each unsupported feature is unsupported: the server's status and words.
        self._evidence: dict[str, str] = {}
        self._status: dict[str, int] = {}
        #: A server's own words for what it lacks, where its shape is known in advance.
        self._words: dict[str, str] = {}
        self._listeners: list[Callable[[ServerSupport], object]] = []

    def __repr__(self) -> str:
        return f"ServerSupport({self.as_dict()!r})"

    def supported(self, name: str) -> bool | None:
        return self._known[name]

    def unsupported(self, name: str) -> bool:
        """True only once the server has shown it lacks `name`."""
        return self._known[name] is False

    def evidence(self, name: str) -> str:
        return self._evidence.get(name, "")

    def status(self, name: str) -> int:
        """The HTTP status that showed `name` missing (0 if none did)."""
        return self._status.get(name, 0)

    def learn(
        self, name: str, supported: bool, evidence: str = "", status: int = 0, words: str = ""
    ) -> None:
        """Record what a request showed (or, with `words`, what the server's shape is known to
        lack, said in those words). A feature once seen working stays supported: one odd
        answer (a proxy's hiccup, a retrieve without its hint) does not take it away."""
        if name not in self._known:
            raise KeyError(name)
        if words:
            self._words[name] = words
        previous = self._known[name]
        if previous is supported or previous is True:
            return
        self._known[name] = supported
        if not supported:
            self._evidence[name] = evidence
            self._status[name] = status
            logger.info("The server does not support %s (%s); not asking again", name, evidence)
        for listener in list(self._listeners):
            try:
                listener(self)
            except Exception:
                logger.exception("A ServerSupport listener failed")

    def on_change(self, listener: Callable[[ServerSupport], object]) -> Callable[[], None]:
        """Call `listener(support)` whenever something new is learned; returns an unsubscribe."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def as_dict(self) -> dict[str, bool | None]:
        """A copy: {feature: True (seen working), False (missing), None (not tried yet)}."""
        return dict(self._known)

    def reason(self, name: str) -> str:
        """What to tell a person about a missing feature ("" while it is not known missing)."""
        if self._known[name] is not False:
            return ""
        evidence = self._evidence.get(name)
        return self._words.get(name, FEATURES[name]) + (
            f" (The server answered {evidence}.)" if evidence else ""
        )

    def payload(self) -> dict[str, FeatureState]:
        """JSON for the widgets: per feature, whether it is supported and why not."""
        return {
            name: {"supported": known, "reason": self.reason(name)}
            for name, known in self._known.items()
        }
