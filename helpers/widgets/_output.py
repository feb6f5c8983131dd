"""Redrawing an explorer's `ipywidgets.Output` by setting its `outputs`, never with `with output:`.

    with Frame(self.output) as frame:     # what the Output shows is replaced, at once, on leaving the block
        frame.display(fig)
        frame.print("a line of text")

Why not `output.clear_output(wait=True)` then `with output: display(fig); print(...)`, as ipywidgets' docs do:
a notebook run by nbclient (`jupyter nbconvert --execute`, papermill, nbgrader) stalled for the whole cell timeout
(jupyter/nbclient#312). nbclient emulates the front end's Output widget (nbclient/output_widget.py): once
`with output:` tells it the widget captures the cell's messages, every display or print into it makes nbclient
send the widget's new state back to the kernel with `kernel_client.shell_channel.send`, from the task that reads
IOPub, while another task awaits `shell_channel.get_msg` (a zmq poll) for the cell's execute_reply on that same
socket. A send on the socket can take the socket's pending input with it without waking the poll, so the reply
sits unnoticed until the poll's timeout runs out (the cell timeout: 300 s by default in nbconvert), after which
nbclient finds it and carries on as if nothing happened. Whether it happens depends on timing, so a run is
sometimes fast and sometimes not.

Setting the `outputs` trait from the kernel is the same state update a front end receives after `with output:`,
so JupyterLab shows the same plot and text, but nbclient is never asked to capture anything: it sends nothing on
the shell channel, and the notebook runs in seconds with nbclient's default widget emulation. Being one update,
it replaces the old plot without the blink that `clear_output(wait=True)` avoids. Warnings raised while drawing
(matplotlib's, numpy's) go into the widget too, as they did inside `with output:`.
"""

from __future__ import annotations

import warnings

__all__ = ["Frame"]


def _bundle(item) -> tuple[dict, dict]:
    """(data, metadata) of `item` as `display(item)` would publish it in this kernel (PNG for a figure)."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:  # plain Python (the unit tests): there is no front end to draw for
        return {"text/plain": repr(item)}, {}
    return shell.display_formatter.format(item)


class Frame:
    """Collects what an explorer draws (figures, lines of text, warnings) and shows it in `output` in one update."""

    def __init__(self, output):
        self.output, self.items = output, []

    def display(self, item) -> None:
        """Show `item` (a matplotlib figure, anything IPython can display) as `display(item)` would."""
        data, metadata = _bundle(item)
        self.items.append({"output_type": "display_data", "data": data, "metadata": metadata})

    def print(self, *values, sep: str = " ", end: str = "\n") -> None:
        """Show a line of text as `print(*values)` would."""
        self._stream("stdout", sep.join(str(v) for v in values) + end)

    def _stream(self, name: str, text: str) -> None:
        last = self.items[-1] if self.items else None
        if last is not None and last["output_type"] == "stream" and last["name"] == name:
            last["text"] += text  # consecutive prints are one block of text, as a front end shows them
        else:
            self.items.append({"output_type": "stream", "name": name, "text": text})

    def __enter__(self) -> Frame:
        self._warnings = warnings.catch_warnings(record=True)
        self._caught = self._warnings.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self._warnings.__exit__(*exc_info)
        for w in self._caught:
            self._stream("stderr", warnings.formatwarning(w.message, w.category, w.filename, w.lineno, w.line))
        self.output.outputs = tuple(self.items)
