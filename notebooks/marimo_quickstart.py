"""The quickstart in marimo: `marimo edit notebooks/marimo_quickstart.py` (or `marimo run`).

The same widgets as in Jupyter, wrapped with `mo.ui.anywidget`. With no OPENAI_API_KEY they use
the local simulator, so nothing is paid for.
"""

import marimo

app = marimo.App(width="medium")


@app.cell
def _():
    import marimo as mo

    from sora_widget import Compare, SoraWidget

    return Compare, SoraWidget, mo


@app.cell
def _(mo):
    mo.md(
        """
        # Sora in marimo

        Type a prompt and press **Generate** (or Ctrl/Cmd+Enter). The panel follows the job
        and plays the video when it is done; every video is saved in `sora_videos/`.
        """
    )
    return


@app.cell
def _(SoraWidget, mo):
    panel = mo.ui.anywidget(SoraWidget())
    panel
    return (panel,)


@app.cell
def _(mo):
    mo.md(
        """
        One prompt on both models, side by side and played in step: one transport bar
        drives both videos.
        """
    )
    return


@app.cell
def _(Compare, mo):
    comparison = mo.ui.anywidget(
        Compare("a lighthouse at dusk, waves below", models=["sora-2", "sora-2-pro"])
    )
    comparison
    return (comparison,)


if __name__ == "__main__":
    app.run()
