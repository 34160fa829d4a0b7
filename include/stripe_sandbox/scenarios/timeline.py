"""A scenario as a list of dated steps, run in time order (the seeder only moves forward in time).

Steps at the same instant keep the order they were added in. Each step gets the instant and a
shared ``refs`` dict where earlier steps leave the IDs later ones need.
"""

from __future__ import annotations

from collections.abc import Callable

Step = Callable[[int, dict], None]


class Timeline:
    def __init__(self) -> None:
        self._steps: list[tuple[int, int, Step]] = []
        self.refs: dict = {}

    def at(self, when: int, step: Step) -> None:
        self._steps.append((int(when), len(self._steps), step))

    def run(self) -> None:
        steps = sorted(self._steps, reverse=True)  # ``(when, order)`` is unique: steps are never compared
        self._steps = []
        while steps:  # each step is dropped once run, so a large scenario does not hold them all to the end
            when, _, step = steps.pop()
            step(when, self.refs)
