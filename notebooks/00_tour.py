import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="00 · Tour of the recsys workbench")

with app.setup:
    import marimo as mo

    import workbench

    CONCEPTS: list[str] = []


@app.cell(hide_code=True)
def _():
    mo.md(
        f"""
    # recsys-workbench {workbench.__version__}

    Welcome. Each numbered notebook in this folder is one chapter: data in the
    Amazon Personalize format, popularity lists, collaborative filtering, association
    rules, content-based models, the event tracker, drift, metrics, experiments and
    exam practice. Open them from the file list on the left.
    """
    )
    return


if __name__ == "__main__":
    app.run()
