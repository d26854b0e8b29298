"""Showing a watch's progress: a widget in Jupyter when ipywidgets is installed, text lines otherwise."""
from __future__ import annotations

import html
import os
import sys
from typing import IO, Optional, Protocol, Union

from .models import AppDeployment, ComputePool, DeploymentEvent

Subject = Union[AppDeployment, ComputePool]


class Progress(Protocol):
    """Receives every event of a watch, then the deployment or pool as it ended."""

    def update(self, event: DeploymentEvent) -> None: ...

    def finish(self, subject: Optional[Subject], phase: str) -> None: ...


def event_line(e: DeploymentEvent) -> str:
    """``#  7 DEPLOYING    step 3/4    50%  Step 3/4: Apply the ManifestWork ...``"""
    return f"#{e.seq:>3} {e.phase:<12} {e.step_label():<10} {e.percent:>3}%  {e.message}"


class TextProgress:
    """One line per event on a stream (stdout by default), then the access URLs."""

    def __init__(self, stream: Optional[IO[str]] = None) -> None:
        self.stream = stream or sys.stdout

    def update(self, event: DeploymentEvent) -> None:
        print("  " + event_line(event), file=self.stream, flush=True)

    def finish(self, subject: Optional[Subject], phase: str) -> None:
        if subject is None:
            return
        print(f"{subject.name} is {phase}", file=self.stream)
        for u in getattr(subject, "access_urls", []):
            print(f"  {u.component:<12} {u.url}", file=self.stream)
        failure = subject.status.failure if subject.status else None
        if failure:
            print(f"  failed at step {failure.step}: {failure.reason}: {failure.message}", file=self.stream)
        self.stream.flush()


class WidgetProgress:
    """A progress bar and the latest message, updated in place in a Jupyter output cell."""

    def __init__(self) -> None:
        import ipywidgets  # noqa: F401 - only constructed when available
        from IPython.display import display

        self._w = ipywidgets
        self.bar = ipywidgets.IntProgress(value=0, min=0, max=100, description="", bar_style="info")
        self.label = ipywidgets.HTML(value="")
        self.box = ipywidgets.VBox([ipywidgets.HBox([self.bar, self.label])])
        display(self.box)

    def update(self, event: DeploymentEvent) -> None:
        self.bar.value = event.percent
        self.bar.description = event.phase
        step = event.step_label()
        self.label.value = f"<code>{html.escape(step)}</code> {html.escape(event.message)}"

    def finish(self, subject: Optional[Subject], phase: str) -> None:
        self.bar.bar_style = "success" if phase in ("RUNNING", "DELETED") else "danger"
        self.bar.description = phase
        urls = getattr(subject, "access_urls", [])
        if urls:
            links = "".join(f"<li>{html.escape(u.component)}: <a href='{html.escape(u.url)}' target='_blank'>{html.escape(u.url)}</a></li>" for u in urls)
            self.box.children = tuple(self.box.children) + (self._w.HTML(value=f"<ul>{links}</ul>"),)


def in_notebook() -> bool:
    """True inside a Jupyter kernel (not a plain Python or IPython terminal)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def default_progress() -> Progress:
    """A widget in a Jupyter kernel with ipywidgets installed, otherwise text on stdout.

    ``SPOKEGRAPH_PROGRESS=text`` forces text lines (e.g. for a notebook executed headless, whose
    output is read as a log); ``SPOKEGRAPH_PROGRESS=widget`` forces the widget.
    """
    mode = os.environ.get("SPOKEGRAPH_PROGRESS", "").lower()
    if mode == "text":
        return TextProgress()
    if mode == "widget":
        return WidgetProgress()
    if in_notebook():
        try:
            return WidgetProgress()
        except ImportError:
            pass
    return TextProgress()
