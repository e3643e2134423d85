"""Progress reporting for long work: a tqdm bar on stderr that can be switched off.

>>> with Progress(["read", "validate"], enabled=False) as p:
...     p.step("read"); p.step("validate")
"""

from __future__ import annotations

import sys
from types import TracebackType

from tqdm.auto import tqdm


class Progress:
    """A bar over named phases; ``step(name)`` marks the start of the next phase."""

    def __init__(self, phases: list[str], *, enabled: bool = True, desc: str = ""):
        self.phases = phases
        self.enabled = enabled and sys.stderr is not None
        self._bar = None
        self._done = 0
        self.desc = desc

    def __enter__(self) -> Progress:
        if self.enabled:
            self._bar = tqdm(total=len(self.phases), desc=self.desc, file=sys.stderr, leave=False,
                             bar_format="{desc}{bar:20}| {n_fmt}/{total_fmt}{postfix}")  # postfix: ", <phase>"
        return self

    def step(self, phase: str) -> None:
        if self._bar is None:
            return
        if self._done:
            self._bar.update(1)
        self._done += 1
        self._bar.set_postfix_str(phase)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            if exc is None:
                self._bar.update(len(self.phases) - self._bar.n)
            self._bar.close()
