import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium", app_title="14 · Exam practice")

with app.setup:
    import marimo as mo
    import pandas as pd

    from workbench import glossary, ui, wording
    from workbench.exam import RECIPES, Quiz, load_scenarios, run, topics

    pd.set_option("display.max_colwidth", 400)

    CONCEPTS = ["RT-10", "RT-08"]

    ALL_TOPICS = "all topics"


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 14 · Exam practice

    Certification questions about Amazon Personalize are short stories with four or
    five options, and most wrong options are *almost* right: a real service, a real
    feature, but not the one that fixes this story. This chapter quizzes you on the
    workbench's exam scenarios (`exam_scenarios/*.yaml`, one file per question) and,
    for the questions a simulation can settle, **plays every option that can be
    played** in the same simulated shop so you can watch the key win instead of taking
    it on trust (the others say why they are not played).

    Each scenario is either *simulated* (its options are played by an evidence
    recipe: the simulated shop, a loader test, a metric computation) or *concept*
    (nothing a simulation could show, such as a quota; its explanations cite the
    developer guide).
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(["event tracker", "recipe", "solution version", "campaign", "retraining", "managed service"])
    )
    return


@app.cell
def _():
    scenarios = load_scenarios()
    scenario_table = pd.DataFrame(
        [
            {
                "id": s.id,
                "topic": s.topic,
                "kind": s.kind,
                "evidence recipe": s.evidence.recipe if s.evidence is not None else "",
                "concepts": ", ".join(s.concepts),
            }
            for s in scenarios
        ]
    )
    scenario_table
    return scenario_table, scenarios


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · The footwear question, option by option

    The first source document ends with an exam question about a footwear shop:
    recommendations trained on purchase and browsing history lift sales at first,
    then sales of recommended products decline while new customers arrive and tastes
    move with the seasons. What should the company do? Read the options, decide, then
    read why each one is right or wrong.
    """)
    return


@app.cell
def _(scenarios):
    footwear = next(s for s in scenarios if s.id == "footwear-sales-decline")
    mo.md(f"> {footwear.question}\n\n" + "\n".join(f"* **{letter}** {text}" for letter, text in footwear.options.items()))
    return (footwear,)


@app.cell(hide_code=True)
def _():
    _note = r"""
    **Managed service or custom model (option A).** Building the recommender yourself
    on SageMaker is a legitimate design: full control of the model, at the price of
    machine-learning expertise, your own training pipeline and, for real-time use, your
    own serving architecture that ingests events and updates the model between
    trainings. Personalize sells exactly that plumbing (event tracker, campaigns,
    automatic updates) as a managed service. In the story, though, the problem is not
    the model family: any model trained once on old history ages the same way. The
    evidence in section 3 plays option A as a different model family trained once at
    launch and never updated.
    """
    OPTION_A_NOTE = "\n".join(line.strip() for line in _note.strip().splitlines())
    return (OPTION_A_NOTE,)


@app.cell
def _():
    reveal = ui.checkbox(value=False, label="reveal the key and the explanations")
    reveal
    return (reveal,)


@app.cell
def _(OPTION_A_NOTE, footwear, reveal):
    # hidden until the box is ticked, in marimo and in JupyterLab; a script run (CI) shows everything
    _shown = bool(reveal.value) or not (mo.running_in_notebook() or ui.in_jupyter())
    mo.md(
        f"**Key: {wording.letters(footwear.correct)}**\n\n{wording.feedback_markdown(footwear)}\n\n{OPTION_A_NOTE}"
        if _shown
        else "*Tick the box when you have chosen an answer: the key and why each option is right or wrong appear here.*"
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · The quiz

    Pick a topic and a question, answer it, and read why every option is right or
    wrong. In JupyterLab the whole topic is also shown as one form (the `Quiz`
    object's ipywidgets form, with a running score and a *Play the options* button);
    marimo does not display classic ipywidgets, so here the questions come one at a time.
    """)
    return


@app.cell
def _(scenarios):
    topic_choice = ui.dropdown([ALL_TOPICS, *topics(scenarios)], value=ALL_TOPICS, label="topic")
    topic_choice
    return (topic_choice,)


@app.cell
def _(scenarios, topic_choice):
    quiz = Quiz(scenarios, topic=None if topic_choice.value == ALL_TOPICS else topic_choice.value)
    question_choice = ui.dropdown({f"Q{q.number}. {q.title}": q.id for q in quiz.questions}, label="question")
    question_choice
    return question_choice, quiz


@app.cell
def _(question_choice, quiz):
    question = next(q for q in quiz.questions if q.id == question_choice.value)
    _letters = list(question.options)
    if question.select == 1:
        answer = ui.dropdown({"(choose)": "", **{letter: letter for letter in _letters}}, value="(choose)", label="your answer")
    else:
        answer = ui.multiselect(_letters, label=f"your answer (choose {question.select})")
    mo.md(
        f"**Q{question.number}. {question.title}** *({question.topic})*\n\n{question.text}\n\n"
        + "\n".join(f"* **{letter}** {text}" for letter, text in question.options.items())
    )
    return answer, question


@app.cell
def _(answer):
    answer
    return


@app.cell
def _(answer, question, quiz):
    _given = answer.value if isinstance(answer.value, str) else ",".join(answer.value)
    mo.md(wording.feedback_markdown(quiz.scenario(question.id), _given)) if _given else mo.md("*Choose an answer to see the explanations.*")
    return


@app.cell
def _(quiz):
    # JupyterLab: the whole topic as one live ipywidgets form (marimo shows this note instead)
    quiz.widget() if ui.in_jupyter() else mo.md(f"*{len(quiz)} questions in this topic; JupyterLab shows them here as one form.*")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · Evidence, played live

    Choose a simulated question. Its evidence recipe plays every option that can be
    played, under identical conditions, and the table says which option won on the
    deciding metric and by what margin. Simulated-shop questions play every option on
    the paired seeds their file names (the same customers and draws for every option on
    a seed) beside a run without recommendations, and the key must win on *every*
    seed. Recipes marked *fast* run at once; the simulated-shop ones (*up to about 20
    seconds*, less when the runs are in the cache) wait for the button in the marimo
    editor (as a script, in CI and in Jupyter they simply run).
    """)
    return


@app.cell
def _(scenarios):
    _simulated = [s for s in scenarios if s.kind == "simulated"]
    _labels = {
        f"{s.id} ({'simulated shop, up to ~20 s' if RECIPES[s.evidence.recipe].plays_seeds else 'fast'})": s.id
        for s in _simulated
    }
    _default = next(label for label, sid in _labels.items() if sid == "millisecond-timestamps")
    evidence_choice = ui.dropdown(_labels, value=_default, label="question")
    play_button = ui.run_button("Play the options")
    ui.controls(evidence_choice, play_button, title="Evidence")
    return evidence_choice, play_button


@app.cell
def _(evidence_choice, play_button, scenarios):
    chosen = next(s for s in scenarios if s.id == evidence_choice.value)
    _heavy = RECIPES[chosen.evidence.recipe].plays_seeds  # the recipes that play the simulated shop
    mo.stop(
        mo.running_in_notebook() and _heavy and not ui.button_value(play_button),
        mo.md(f"**{chosen.id}** plays a simulated shop for every option: click *Play the options*."),
    )
    with mo.status.spinner(title=f"Playing the options of {chosen.id} ..."):
        evidence = run(chosen)
    mo.md(
        f"**{chosen.title}** -- {chosen.question}\n\n"
        + "\n".join(f"* **{letter}** {text}" for letter, text in chosen.options.items())
        + "\n\n"
        + wording.summary_markdown(evidence.summary())
    )
    return (evidence,)


@app.cell
def _(evidence):
    mo.vstack([evidence.table, mo.md("**Checks** (further comparisons the key must also win):"), evidence.checks]
              if evidence.checks is not None else [evidence.table])
    return


@app.cell
def _(evidence):
    evidence.figure
    return


@app.cell
def _(evidence):
    # the recipe's own tidy table (per-option details such as why the loader refused rows), when it has one
    evidence.details if evidence.details is not None else mo.md("*This recipe has no detail table.*")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **How to read it.** `value` is the deciding metric for each played option (the
    mean over seeds), `rank` orders them, `margin_achieved` is how far the key leads
    the best wrong option it is compared with (for a wrong option: how far it trails
    the key), the smallest over the seeds, and `seeds_met` counts the seeds on which
    the margin was met. A scenario may leave an option out of the comparison on the
    deciding metric (when it earns about as much as the key there) and judge it in a
    check instead: its margin is then empty, and the summary says "not compared on
    this metric". The evidence *confirms* the key only when it meets the margin
    on every seed, on the main metric and in every check. Options that cannot be
    simulated (for example a different AWS service), or that would replay another
    option's run unchanged, are not played; the summary says why for each.

    To play the footwear question itself, pick `footwear-sales-decline`: a custom kNN
    model, a look-alike model and a model with weighted event types (each trained once
    and never updated), one new solution version (and weekly ones) all run next to an
    event tracker in the same shop, on three seeds. The deciding metric is uplift per
    visit over the same visits without recommendations; the checks show what the
    tracker does that weekly retraining cannot (use the clicks of the visit in
    progress, know a new customer at once).
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ### Which questions practise which curriculum concept
    """)
    return


@app.cell
def _(scenario_table):
    _counts = scenario_table.assign(concept=scenario_table["concepts"].str.split(", ")).explode("concept")
    concept_practice = _counts[_counts["concept"] != ""].groupby("concept")["id"].agg(lambda ids: ", ".join(ids)).to_frame("questions")
    concept_practice
    return


if __name__ == "__main__":
    app.run()
