"""Exam practice: scenario files, the evidence behind their keys, and a quiz.

Each file in ``exam_scenarios/`` is one exam-style question about Amazon
Personalize with an explanation for every option. ``kind: simulated`` scenarios
also say how each option is *played* (a simulator policy, or another evidence
recipe), which metric decides and by what margin the key must win -- so a learner
can watch the right answer win instead of taking it on trust.

Typical use::

    from workbench.exam import load_scenarios, run, Quiz

    scenarios = load_scenarios()
    evidence = run(scenarios[0])        # plays options A-E of the footwear question
    evidence.table                      # value, rank, is_correct, margin per option
    evidence.figure                     # metric over simulated time, one line per option
    Quiz().widget()                     # the quiz in JupyterLab or marimo
"""

from .loader import DEFAULT_FOLDER, load_scenario, load_scenarios, topics
from .quiz import Grade, Question, Quiz, feedback_text, play
from .recipes import RECIPES, EvidenceRecipe, EvidenceUnavailable, RecipeResult, register
from .runner import TABLE_COLUMNS, Evidence, judge, lead, run, run_all
from .schema import EvidencePlan, OptionPlay, Scenario, ScenarioError, parse_answer, parse_scenario

__all__ = [
    "DEFAULT_FOLDER",
    "RECIPES",
    "TABLE_COLUMNS",
    "Evidence",
    "EvidencePlan",
    "EvidenceRecipe",
    "EvidenceUnavailable",
    "Grade",
    "OptionPlay",
    "Question",
    "Quiz",
    "RecipeResult",
    "Scenario",
    "ScenarioError",
    "feedback_text",
    "judge",
    "lead",
    "load_scenario",
    "load_scenarios",
    "parse_answer",
    "parse_scenario",
    "play",
    "register",
    "run",
    "run_all",
    "topics",
]
