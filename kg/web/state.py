"""What the web layer shares across requests: the store and the settings."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from kg.config import Settings
from kg.store import KGStore

EXTENSION = "strike_kg"


@dataclass(frozen=True)
class AppState:
    """The store an app answers from and the settings it was built with."""

    store: KGStore
    settings: Settings


def attach(app: Flask, store: KGStore, settings: Settings) -> None:
    """Keep the store and settings on ``app.extensions``, Flask's place for such state."""
    app.extensions[EXTENSION] = AppState(store, settings)


def current_state() -> AppState:
    """The state of the app handling the current request."""
    state = current_app.extensions[EXTENSION]
    if not isinstance(state, AppState):
        raise TypeError(f"app.extensions[{EXTENSION!r}] is not an AppState: {state!r}")
    return state
