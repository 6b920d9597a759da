import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="recsys workbench · chapters")

with app.setup:
    import marimo as mo

    from workbench import chapters, ui


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # recsys workbench

    Learn recommender systems by running them. Each chapter is a notebook that opens
    with its results already computed; move a control and the cells below it follow.
    Start with the tour, or jump to any chapter:
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(chapters.index_markdown(jupyter=ui.in_jupyter()))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    *Exam practice in a terminal: `make quiz`. The same chapters in JupyterLab:
    `make jupyterlab` (there, after moving a control, run the cells below it again).*
    """)
    return


if __name__ == "__main__":
    app.run()
