import marimo

__generated_with = "0.25.2"
app = marimo.App(
    width="medium",
    app_title="09 · Online metrics, A/B tests and bandits",
)

with app.setup:
    import marimo as mo
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    from workbench import glossary, ui
    from workbench.constants import EVENT_TYPE, EVENT_VALUE, SESSION_ID, TIMESTAMP, USER_ID
    from workbench.experiments import (
        multivariate_test,
        online_kpis,
        peeking_simulation,
        power,
        race_sentences,
        regret_curves,
        regret_runs,
        regret_summary,
        sample_size,
        two_proportion_test,
    )
    from workbench.sim import Policy, ScenarioConfig, ShopConfig, run_scenario

    pd.set_option("display.max_colwidth", 200)

    CONCEPTS = ["GN-11", "GN-12", "GN-16", "DH-04"]


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    # 09 · Online metrics, A/B tests and bandits

    Offline metrics (chapter 08) ask "would the model have found what users did next?".
    Only live traffic answers "does it make the shop better?". This chapter measures
    **online KPIs** on a simulated shop's event log, decides between two recommenders
    with an **A/B test** (and shows how to get one wrong), and lets **bandits** shift
    traffic toward the better option while still learning, the
    **exploration / exploitation** trade-off.

    Amazon Personalize leaves online metrics to you: you record the events
    (with `recommendationId` for attribution) and run the experiment; the service's
    guidance is to fix the traffic split before starting, choose the KPI and a large
    enough sample up front, keep everything but the recommender identical and judge
    significance at the usual 5 % level.
    """)
    return


@app.cell(hide_code=True)
def _():
    mo.md(
        "### Words of this chapter\n\n"
        + glossary.to_markdown(
            ["online metric", "CTR", "CVR", "bounce rate", "retention", "lifetime value", "A/B test", "multi-armed bandit", "exploration", "exploitation"]
        )
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 1 · Two recommenders on the same simulated shop

    The simulator plays one shop three times (same seed): arm **A** serves a popularity
    list that is never retrained, arm **B** a personal model fed by an event tracker,
    and **0** shows no recommendations at all (the baseline that says what lists add).
    In a real A/B test the visitors would be split at random between the arms. Here
    every arm meets the same customers on the same days, with the same mood and the
    same willingness to buy a given item (common random numbers): the columns differ
    only by what was shown. What stays uncertain is whether this one shop and these
    few weeks are typical. The warm-up week, before the lists switch on, is left out of
    every number below.
    """)
    return


@app.cell
def _():
    shop_days = ui.slider(14, 42, value=21, step=7, label="days simulated")
    shop_users = ui.slider(200, 800, value=300, step=100, label="customers")
    run = ui.run_button("Simulate both arms")
    ui.controls(shop_days, shop_users, run, title="Simulated shop")
    return run, shop_days, shop_users


@app.cell
def _(run, shop_days, shop_users):
    mo.stop(mo.running_in_notebook() and not run.value, mo.md("Press **Simulate both arms** to run the shop."))
    _shop = ShopConfig(n_users=int(shop_users.value), n_items=80, days=int(shop_days.value), warmup_days=7, seed=7)
    _arms = {
        "A: stale popularity": Policy(kind="stale", model="popularity"),
        "B: event tracker": Policy(kind="event_tracker", model="user_personalization"),
        "0: no recommendations": Policy(kind="none"),
    }
    _logs, _visits, _visitors = [], {}, {}
    for _name, _policy in _arms.items():
        _result = run_scenario(ScenarioConfig(shop=_shop, policy=_policy, name=_name), progress=False)
        _run_days = _result.events[TIMESTAMP] >= _result.world.day0
        _logs.append(_result.events[_run_days].assign(variant=_name))
        _visits[_name] = int(_result.daily["visits"].sum())
        _visitors[_name] = len(_result.visitors)  # everyone who came, with or without an event
    ab_events = pd.concat(_logs, ignore_index=True)
    ab_visits = pd.Series(_visits)
    kpis = online_kpis(ab_events, by="variant", visits=ab_visits, visitors=pd.Series(_visitors)).set_index(
        "variant").loc[list(_arms)]
    logged_sessions = ab_events.groupby("variant")[SESSION_ID].nunique()
    logged_visitors = ab_events.groupby("variant")[USER_ID].nunique()
    kpis[["visitors", "sessions", "clicks", "purchases", "revenue", "ctr", "cvr", "session_conversion_rate", "bounce_rate", "revenue_per_visitor", "recommendation_revenue_share"]].T.round(3)
    return ab_events, kpis, logged_sessions, logged_visitors


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Reading the table.** `sessions` are the visits the simulator made and `visitors`
    the customers who made them, the same in every arm (an event log alone would only
    count the visitors who did something; see below). `ctr` is the share of visits with a click on a listed item (no impression
    counts given); `cvr` follows the source document, purchases divided by clicks, so it
    can exceed 1 when visitors also buy items they reached without a click on a list
    (and is undefined with no lists); `session_conversion_rate` is visits with a
    purchase divided by visits; `revenue_per_visitor` sums purchase prices per distinct
    visitor.

    `bounce_rate` is visits with at most one *logged* event. It is a proxy, and here it
    misleads: the simulator decides who leaves after the first page by a draw that no
    list can change (the same visitors in every arm), yet the proxy differs between
    the arms, because a click on a list adds events to a visit. A lower logged bounce
    rate can mean more clicks rather than fewer visitors leaving.
    """)
    return


@app.cell
def _(kpis, logged_sessions, logged_visitors):
    _missing = {_v: int(kpis.loc[_v, "sessions"] - logged_sessions[_v]) for _v in kpis.index}
    mo.md(
        "**Visits that logged nothing.** A visit that looked at the landing page, clicked nothing and left "
        "writes no event, and counting sessions from the log would drop exactly those visits: "
        + "; ".join(f"{_v}: {_n:,} of {int(kpis.loc[_v, 'sessions']):,}" for _v, _n in _missing.items())
        + ". The weaker the lists, the more visits vanish, so every per-session rate of the weaker arm would look "
        "better than it is. The same goes for visitors: the log shows "
        + "; ".join(f"{_v}: {int(logged_visitors[_v]):,} of {int(kpis.loc[_v, 'visitors']):,}" for _v in kpis.index)
        + ", so revenue per visitor counted from the log alone would divide each arm by a different crowd. "
        "The table counts both (`online_kpis(..., visits=..., visitors=...)`), as a real shop would by logging "
        "page views."
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    Two more online metrics need time: **retention** (do customers come back?) and
    **lifetime value** (what they spend over the whole relationship). The next table
    measures retention as the share of the customers active in the first half of the
    run who come back in the second half (active: with a logged event), and revenue per
    customer over the whole run (a lifetime value so far, over every customer who visited).
    """)
    return


@app.cell
def _(ab_events, kpis):
    _start = ab_events[TIMESTAMP].min()
    _half = (ab_events[TIMESTAMP].max() - _start) / 2
    _rows = {}
    for _variant, _log in ab_events.groupby("variant", sort=False):
        _early = set(_log.loc[_log[TIMESTAMP] < _start + _half, USER_ID])
        _late = set(_log.loc[_log[TIMESTAMP] >= _start + _half, USER_ID])
        _spend = _log[_log[EVENT_TYPE] == "purchase"].groupby(USER_ID)[EVENT_VALUE].sum()
        _rows[_variant] = {
            "customers active in the first half": len(_early),
            "retention: share of them back in the second half": round(len(_early & _late) / max(len(_early), 1), 3),
            "revenue per customer over the whole period (LTV so far)": round(_spend.sum() / max(int(kpis.loc[_variant, "visitors"]), 1), 2),
        }
    pd.DataFrame(_rows)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 2 · Is B really better? The two-proportion test

    Take the KPI fixed in advance (here: session conversion) and ask how surprising
    B's difference would be if both arms converted at the same rate. The z-test gives a
    p-value and a 95 % confidence interval of the difference. It treats the arms as
    independent samples, as they are in a real A/B test; our arms share their visits,
    which makes the test conservative here (paired differences vary less).
    """)
    return


@app.cell
def _(kpis):
    _a, _b = kpis.loc["A: stale popularity"], kpis.loc["B: event tracker"]
    ab_result = two_proportion_test(
        int(round(_a["session_conversion_rate"] * _a["sessions"])),
        int(_a["sessions"]),
        int(round(_b["session_conversion_rate"] * _b["sessions"])),
        int(_b["sessions"]),
        alpha=0.05,
    )
    mo.md(f"**{_b.name} vs {_a.name}** (session conversion): {ab_result.summary()}")
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 3 · How many visitors do you need?

    Before starting, decide the smallest lift worth detecting. The sample size per arm
    grows with the square of 1 / effect: halving the effect roughly quadruples the
    traffic you need.
    """)
    return


@app.cell
def _():
    baseline = ui.slider(0.01, 0.2, value=0.05, step=0.005, label="baseline conversion")
    lift = ui.slider(0.02, 0.5, value=0.1, step=0.01, label="relative lift to detect")
    alpha = ui.dropdown({"1 %": 0.01, "5 %": 0.05, "10 %": 0.1}, value="5 %", label="significance level")
    wanted_power = ui.slider(0.5, 0.95, value=0.8, step=0.05, label="power")
    ui.controls(baseline, lift, alpha, wanted_power, title="Sample size")
    return alpha, baseline, lift, wanted_power


@app.cell
def _(alpha, baseline, lift, wanted_power):
    n_needed = sample_size(float(baseline.value), float(lift.value), alpha=float(alpha.value), power=float(wanted_power.value), relative=True)
    _lifts = np.linspace(0.02, 0.5, 60)
    _sizes = [sample_size(float(baseline.value), x, alpha=float(alpha.value), power=float(wanted_power.value), relative=True) for x in _lifts]
    _fig, _ax = plt.subplots(figsize=(8, 3.5))
    _ax.plot(_lifts * 100, _sizes)
    _ax.scatter([float(lift.value) * 100], [n_needed], color="tab:red", zorder=3)
    _ax.set_yscale("log")
    _ax.set_xlabel("relative lift to detect (%)")
    _ax.set_ylabel("visitors per arm (log scale)")
    _ax.set_title(
        f"{n_needed:,} visitors per arm to detect {float(baseline.value):.1%} -> {float(baseline.value) * (1 + float(lift.value)):.2%} "
        f"(check: power at that size = {power(n_needed, float(baseline.value), float(lift.value), float(alpha.value), relative=True):.2f})"
    )
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 4 · Peeking: the fastest way to fool yourself

    Run many **A/A** tests (both arms identical, so every "winner" is false) and look at
    the p-value every day, stopping at the first p < 5 %. Each look is another chance
    for noise to cross the line, so the share of experiments stopped with a false
    winner grows with the number of looks; looking once, at the planned end, keeps it
    near 5 %.
    """)
    return


@app.cell
def _():
    peek_days = ui.slider(2, 30, value=14, label="days (one look per day)")
    peek_visitors = ui.slider(100, 2000, value=500, step=100, label="visitors per arm per day")
    ui.controls(peek_days, peek_visitors, title="A/A experiments")
    return peek_days, peek_visitors


@app.cell
def _(peek_days, peek_visitors):
    peeking = peeking_simulation(n_experiments=2000, days=int(peek_days.value), visitors_per_day=int(peek_visitors.value), rate=0.05, alpha=0.05, seed=42)
    _fig, _ax = plt.subplots(figsize=(8, 3.5))
    _ax.plot(peeking.by_day["day"], peeking.by_day["share_stopped_so_far"], marker="o", label="peeking daily: stopped with a false winner")
    _ax.plot(peeking.by_day["day"], peeking.by_day["share_significant_today"], marker=".", label="significant on that day alone")
    _ax.axhline(peeking.alpha, color="gray", linestyle="--", label="nominal 5 %")
    _ax.set_xlabel("day")
    _ax.set_ylabel("share of 2,000 A/A experiments")
    _ax.set_title(f"False winners: {peeking.false_positive_rate_peeking:.1%} with daily peeking vs {peeking.false_positive_rate_fixed:.1%} looking once")
    _ax.legend()
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return (peeking,)


@app.cell
def _(peek_days, peeking):
    _rate, _fixed = peeking.false_positive_rate_peeking, peeking.false_positive_rate_fixed
    mo.md(
        f"With {int(peek_days.value)} looks, {_rate:.1%} of the A/A experiments named a winner that does not exist, "
        f"{_rate / _fixed:.1f} times the {_fixed:.1%} of a single look at the end. Move the slider: two looks "
        "already inflate it a little, thirty inflate it a lot."
    )
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 5 · More than two variants

    A multivariate test compares several variants at once: a chi-square test of "all
    rates equal", then each variant against the control with a correction for testing
    several pairs (Holm). Without the correction, more variants mean more false winners.
    """)
    return


@app.cell
def _():
    layouts = multivariate_test(
        successes={"control": 500, "layout B": 540, "layout C": 610, "layout D": 515},
        trials={"control": 10_000, "layout B": 10_000, "layout C": 10_000, "layout D": 10_000},
        control="control",
    )
    mo.md(
        f"Chi-square = {layouts.chi2:.2f}, p = {layouts.p_value:.4f} ({layouts.dof} degrees of freedom); "
        f"each layout against the control, {layouts.correction.capitalize()}-corrected:"
    )
    return (layouts,)


@app.cell
def _(layouts):
    layouts.pairwise.round(4)
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    ## 6 · Bandits: learn while you earn

    An A/B test pays for its certainty: half the traffic sees the worse arm until the
    end. A **multi-armed bandit** moves traffic toward the arm that looks best while
    still trying the others now and then. **Regret** counts the clicks lost against
    always showing the best arm. *Epsilon-greedy* explores a fixed share of the time
    (so its regret keeps growing linearly); *UCB* explores arms whose estimate is still
    uncertain; *Thompson sampling* plays each arm as often as it is likely to be the
    best. Exploration is also why Personalize's User-Personalization recipe has an
    `explorationWeight` (0 to 1, default 0.3) for new, little-seen items.
    """)
    return


@app.cell
def _():
    n_arms = ui.slider(2, 8, value=4, label="arms")
    gap = ui.slider(0.005, 0.05, value=0.02, step=0.005, label="best arm's lead in click rate")
    epsilon = ui.slider(0.0, 0.5, value=0.1, step=0.05, label="epsilon (epsilon-greedy)")
    horizon = ui.dropdown({"1,500": 1500, "5,000": 5000, "20,000 (about 10 s)": 20000}, value="1,500", label="visitors per run")
    bandit_run = ui.run_button("Run bandits")
    ui.controls(n_arms, gap, epsilon, horizon, bandit_run, title="Bandit race")
    return bandit_run, epsilon, gap, horizon, n_arms


@app.cell
def _(bandit_run, epsilon, gap, horizon, n_arms):
    mo.stop(mo.running_in_notebook() and not bandit_run.value, mo.md("Press **Run bandits**."))
    true_rates = [0.05] * (int(n_arms.value) - 1) + [0.05 + float(gap.value)]
    bandit_frame = regret_runs(
        true_rates,
        policies=("random", "epsilon_greedy", "ucb", "thompson"),
        steps=int(horizon.value),
        runs=10,
        seed=42,
        policy_settings={"epsilon_greedy": {"epsilon": float(epsilon.value)}},
    )
    bandit_curves = regret_curves(true_rates, runs_frame=bandit_frame)
    bandit_summary = regret_summary(bandit_frame)
    bandit_summary.round(3)
    return bandit_curves, bandit_summary, true_rates


@app.cell
def _(bandit_curves):
    _fig, _ax = plt.subplots(figsize=(8, 4))
    for _policy, _curve in bandit_curves.groupby("policy", sort=False):
        _ax.plot(_curve["step"], _curve["mean_cumulative_regret"], label=_policy)
        _ax.fill_between(_curve["step"], _curve["p10"], _curve["p90"], alpha=0.15)
    _ax.set_xlabel("visitor")
    _ax.set_ylabel("cumulative regret (expected clicks lost)")
    _ax.set_title("Regret of four policies (mean and 10-90 % band over 10 runs)")
    _ax.legend()
    _fig.tight_layout()
    plt.close(_fig)
    _fig
    return


@app.cell
def _(bandit_summary, epsilon, horizon, true_rates):
    mo.md("**What this race shows.** " + race_sentences(bandit_summary, true_rates, steps=int(horizon.value), epsilon=float(epsilon.value)))
    return


@app.cell(hide_code=True)
def _():
    mo.md(r"""
    **Why UCB1 is slow here.** Its bonus `sqrt(2 ln N / n)` is sized for rewards
    anywhere between 0 and 1; with click rates around 5 % it dwarfs the differences
    between the arms for many thousands of visitors, so UCB1 keeps spreading traffic
    almost as evenly as random play. Raise the lead or the horizon and watch it start
    to concentrate.

    **Take-aways.** Decide the KPI, the sample size and the end date before starting;
    don't stop at the first good-looking p-value; correct for many variants; and when
    the goal is to earn while learning rather than to publish a verdict, use a bandit,
    tuned to the rates you expect: the race above shows how much the choice of policy
    and its settings matters.
    """)
    return


if __name__ == "__main__":
    app.run()
