"""A case's lifecycle: its states and the transitions allowed between them.

    reported → triaged → assessed → action decided → mitigated → re-tested → closed
                              ↘ disputed ↗                          ↘ (back to action decided,
                                                                      disputed or mitigated)

Some moves happen by themselves and are recorded like any other: the first assessment of a triaged
case makes it *assessed*; deciding an action on an assessed, disputed or re-tested case makes it
*action decided*; a re-test assessment of a mitigated case makes it *re-tested*.
"""

from __future__ import annotations

REPORTED, TRIAGED, ASSESSED, DISPUTED = "reported", "triaged", "assessed", "disputed"
ACTION_DECIDED, MITIGATED, RETESTED, CLOSED = "action_decided", "mitigated", "retested", "closed"
STATES: tuple[str, ...] = (REPORTED, TRIAGED, ASSESSED, DISPUTED, ACTION_DECIDED, MITIGATED, RETESTED, CLOSED)

#: Allowed moves: state -> states it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    REPORTED: frozenset({TRIAGED, CLOSED}),
    TRIAGED: frozenset({ASSESSED, CLOSED}),
    ASSESSED: frozenset({DISPUTED, ACTION_DECIDED, CLOSED}),
    DISPUTED: frozenset({ASSESSED, ACTION_DECIDED, CLOSED}),
    ACTION_DECIDED: frozenset({MITIGATED, DISPUTED, CLOSED}),
    MITIGATED: frozenset({RETESTED}),
    RETESTED: frozenset({ACTION_DECIDED, DISPUTED, MITIGATED, CLOSED}),
    CLOSED: frozenset(),
}

#: States in which an assessment may be added (a re-test also in MITIGATED and RETESTED).
ASSESSABLE = frozenset({TRIAGED, ASSESSED, DISPUTED, ACTION_DECIDED})
RETESTABLE = frozenset({MITIGATED, RETESTED, ACTION_DECIDED})
#: States in which an action may be decided.
ACTIONABLE = frozenset({ASSESSED, DISPUTED, ACTION_DECIDED, RETESTED})


def allowed(src: str, dst: str) -> bool:
    return dst in TRANSITIONS.get(src, frozenset())


def label(state: str) -> str:
    return {ACTION_DECIDED: "action decided", RETESTED: "re-tested"}.get(state, state)


def table_markdown() -> str:
    """The transition table, for the docs."""
    rows = ["| from | may move to |", "|---|---|"]
    rows += [f"| {label(s)} | {', '.join(label(d) for d in STATES if d in TRANSITIONS[s]) or '(final)'} |"
             for s in STATES]
    return "\n".join(rows)
