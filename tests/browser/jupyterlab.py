"""What a person does in JupyterLab, as Playwright steps: open a notebook, Run All, find a widget by its label.

Every step waits on what the page shows (a panel, a menu item, a widget), never on a fixed delay.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


def open_notebook(page: Page, lab, path: str) -> Locator:
    """Open `path` (relative to the server root) in a fresh JupyterLab workspace; returns its notebook panel."""
    # ?reset: a clean workspace, so no tab of an earlier test is restored next to this one
    page.goto(lab.url(f"lab/tree/{path}?reset"))
    panel = page.locator(".jp-NotebookPanel")
    expect(panel).to_have_count(1)
    expect(page.get_by_role("tab", name=re.compile(re.escape(path.rsplit("/", 1)[-1])))).to_be_visible()
    # The kernel is ready once the status bar names it and reads Idle (before, it says "No Kernel | Initializing",
    # then "Connecting"); the toolbar's indicator alone can read idle before a kernel is attached.
    expect(page.locator("#jp-main-statusbar")).to_contain_text(re.compile(r"Python[^|]*\|\s*Idle"))
    expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute("data-status", "idle")
    return panel


def run_all_cells(page: Page) -> None:
    """Run > Run All Cells, from the menu bar."""
    page.locator("#jp-MainMenu").get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def wait_until_idle(panel: Locator) -> None:
    """Every code cell has run: none shows [ ] (never run) or [*] (queued, running), and the kernel is idle."""
    expect(panel.locator(".jp-CodeCell .jp-InputPrompt", has_text=re.compile(r"\[[ *]\]"))).to_have_count(0)
    expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute("data-status", "idle")


def slider(scope: Locator, description: str) -> Locator:
    """The ipywidgets slider whose description label reads exactly `description`."""
    label = scope.page.locator("label.widget-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$"))
    found = scope.locator(".widget-slider").filter(has=label)
    expect(found).to_have_count(1)
    return found


def dropdown(scope: Locator, description: str) -> Locator:
    """The <select> of the ipywidgets Dropdown whose description label reads exactly `description`."""
    label = scope.page.locator("label.widget-label", has_text=re.compile(rf"^\s*{re.escape(description)}\s*$"))
    found = scope.locator(".widget-dropdown").filter(has=label)
    expect(found).to_have_count(1)
    return found.locator("select")


def press_on_slider(widget: Locator, *keys: str) -> None:
    """Focus the slider's handle (as Tab would) and press `keys` one after the other."""
    handle = widget.locator(".noUi-handle")
    handle.focus()
    for key in keys:
        handle.press(key)


def type_in_readout(widget: Locator, text: str) -> None:
    """Click the slider's editable readout, replace its number by `text`, press Enter."""
    readout = widget.locator(".widget-readout")
    readout.click()
    readout.press("Control+A")
    readout.press_sequentially(text)
    readout.press("Enter")
    expect(readout).to_have_text(text)


def image_source(output: Locator) -> str:
    """The data URL of the (single) image an output area shows right now."""
    img = output.locator("img")
    expect(img).to_have_count(1)
    return img.get_attribute("src") or ""


def wait_for_new_image(output: Locator, old_source: str) -> str:
    """Wait until the output area shows one image that is not `old_source`; returns its source."""
    img = output.locator("img")
    expect(img).to_have_count(1)
    expect(img).not_to_have_attribute("src", old_source)
    return image_source(output)
