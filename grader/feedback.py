"""Feedback without the hidden tests: `HideHiddenTests` (in `GenerateFeedback.preprocessors`, nbgrader_config.py)
removes hidden test code from the test cells and keeps only the message of their tracebacks."""

from __future__ import annotations

from nbgrader.preprocessors import ClearHiddenTests

from .execute import _is_test


class HideHiddenTests(ClearHiddenTests):
    """For feedback: hidden test code leaves the cells, and tracebacks keep only the message."""

    def preprocess_cell(self, cell, resources, cell_index):
        if _is_test(cell):
            self._remove_hidden_test_region(cell)
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
