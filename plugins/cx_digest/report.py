"""Problems found in content: one warning each, or a failed build when strict."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass

logger = logging.getLogger("cx_digest")


@dataclass(frozen=True)
class Problem:
    source: str  # content file, relative to content/
    key: str
    value: str
    reason: str
    fallback: str

    def __str__(self) -> str:
        text = f"{self.source}: {self.key} {self.value!r}: {self.reason}"
        return f"{text}; {self.fallback}" if self.fallback else text


class StrictModeError(RuntimeError):
    """Raised at the end of grouping when ``CX_DIGEST_STRICT`` is on."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"cx_digest: CX_DIGEST_STRICT is on and the content has "
            f"{len(problems)} problem(s):\n{lines}"
        )


class Warns(ABC):
    """What takes a problem (:class:`Report` or :class:`Notes`): ``warn``
    makes it, ``add`` takes it."""

    def warn(
        self, source: str, key: str, value: object, reason: str, fallback: str = ""
    ) -> None:
        self.add(Problem(source, key, str(value), reason, fallback))

    @abstractmethod
    def add(self, problem: Problem) -> None:
        """Take one problem."""


class Notes(Warns):
    """Problems found where they cannot be reported yet (a worker process,
    say), kept in order for :meth:`Report.add`."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)


class Report(Warns):
    """Collects content problems and logs each one once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self._seen: set[Problem] = set()
        # Pelican's LimitFilter drops any message already logged by this
        # process, even in an earlier build (`pelican --autoreload`, tests):
        # a problem still present would go silent on the next build. The
        # Report de-duplicates within a build itself, so drop that filter.
        for log_filter in list(logger.filters):
            if type(log_filter).__name__ == "LimitFilter":
                logger.removeFilter(log_filter)

    def add(self, problem: Problem) -> None:
        """Note and log a problem, unless this build has already."""
        if problem in self._seen:
            return
        self._seen.add(problem)
        self.problems.append(problem)
        logger.warning("cx_digest: %s", problem)

    def raise_if_strict(self, strict: bool) -> None:
        if strict and self.problems:
            raise StrictModeError(list(self.problems))
