"""Unknown keyword arguments are refused, naming the closest valid one.

A typo must never bill the wrong model: `SoraWidget("a fox", modle="veo-3.1")` would otherwise
make a `sora-2` video, since traitlets only warns about a keyword it does not know (in a
DeprecationWarning nobody sees), and Python 3.11's own TypeError suggests nothing.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Iterable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
_NAMED = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def refuse_unknown(owner: str, given: Iterable[str], allowed: Iterable[str]) -> None:
    """Raise TypeError for the first name in `given` that is not in `allowed`."""
    names = sorted(set(allowed))
    for name in given:
        if name in names:
            continue
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"it takes {', '.join(names)}."
        raise TypeError(f"{owner}: unknown argument {name!r}; {hint}")


def refuse_unknown_options(
    cls: type[object], given: Iterable[str], passed_on: Iterable[str]
) -> None:
    """For a constructor whose `**kwargs` go to its base class: its own parameters and the
    names the base takes (`passed_on`: a widget's trait names) are the valid ones."""
    refuse_unknown(f"{cls.__name__}()", given, [*parameter_names(cls.__init__), *passed_on])


def parameter_names(function: Callable[..., object]) -> list[str]:
    """The names `function` takes as keywords (its `**kwargs` excluded)."""
    parameters = inspect.signature(function).parameters.values()
    return [parameter.name for parameter in parameters if parameter.kind in _NAMED]


def strict_keywords(function: Callable[P, R]) -> Callable[P, R]:
    """`function`, refusing every keyword it does not name with the closest valid one."""
    names = parameter_names(function)
    constructor = function.__name__ == "__init__"

    @functools.wraps(function)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        # A constructor is named by the class called (`SoraClient()`, not `VideosAPI.__init__`).
        owner = type(args[0]).__name__ if constructor and args else function.__qualname__
        refuse_unknown(f"{owner}()", kwargs, names)
        return function(*args, **kwargs)

    return checked
