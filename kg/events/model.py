"""Plain data of the event stage: what one article says about one strike.

Spans are character offsets ``(begin, end)`` into the article text, so every argument can
be traced to the exact words it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kg.timex import PartialDate, Precision, ResolvedDate

__all__ = ["PartialDate", "Precision", "ResolvedDate"]  # dates are defined with their parser

Span = tuple[int, int]


class StrikeType(StrEnum):
    """The ontology class of a strike (``sk:`` local names)."""

    STRIKE = "Strike"
    AIR = "AirStrike"
    DRONE = "DroneStrike"
    MISSILE = "MissileStrike"
    ROCKET_OR_ARTILLERY = "RocketOrArtilleryStrike"
    BOMBING = "Bombing"


class Weapon(StrEnum):
    """Weapon concepts (``sk:`` local names)."""

    MISSILE = "Missile"
    ROCKET = "Rocket"
    AIRCRAFT = "Aircraft"
    HELICOPTER = "Helicopter"
    DRONE = "Drone"
    ARTILLERY = "Artillery"
    BARREL_BOMB = "BarrelBomb"
    CAR_BOMB = "CarBomb"
    SUICIDE_BOMB = "SuicideBomb"
    IED = "IED"
    OTHER = "OtherWeapon"


class Outcome(StrEnum):
    """Outcome concepts (``sk:`` local names)."""

    DESTROYED = "Destroyed"
    DAMAGED = "Damaged"
    INTERCEPTED = "Intercepted"
    MISSED = "Missed"
    UNKNOWN = "UnknownOutcome"


class Status(StrEnum):
    """Report status concepts (``sk:`` local names)."""

    REPORTED = "Reported"
    CLAIMED = "Claimed"
    UNCONFIRMED = "Unconfirmed"
    DENIED = "Denied"


@dataclass(frozen=True)
class Argument:
    """One argument of a report and the words it came from.

    Attributes:
        span: the characters that express it.
        text: those characters.
        entity: the key of the entity it names, when it names one (see ``kg.entities``).
    """

    span: Span
    text: str
    entity: str | None = None


@dataclass(frozen=True)
class DateArgument:
    """The strike's date as the text gives it."""

    span: Span
    text: str
    partial: PartialDate
    resolved: ResolvedDate | None


@dataclass(frozen=True)
class OutcomeClaim:
    """An outcome the article states, with its words ("shot down", "destroyed")."""

    outcome: Outcome
    span: Argument | None = None


@dataclass(frozen=True)
class Report:
    """What one article says about one strike.

    Attributes:
        sentences: indexes of the evidence sentences (into ``Analysis.sentences``), sorted.
        trigger: the words that say a strike happened ("hit", "air strike").
        kind: the strike's class, from its weapon or trigger words.
        outcomes: every outcome the article states for the strike; two different ones
            when its sources disagree ("shot down" against "destroyed").
        confidence: the extractor's own score in [0, 1], apart from the source's certainty.
        near: the location is only where the strike hit near ("a village near Aleppo",
            "southeast of Deir Ezzor"): a place named later may be the exact one.
        country: the state whose land the strike hit, where the text names it ("in northern
            Syria", "strikes on Syria"): all a report may say of where, short of a place.
        within: key of the place the text puts the location in ("the Damascus suburb of
            Jaramana": Damascus): the location refines a report placed there.
    """

    sentences: tuple[int, ...]
    trigger: Argument
    kind: StrikeType = StrikeType.STRIKE
    attacker: Argument | None = None
    target: Argument | None = None
    target_kind: str | None = None
    location: Argument | None = None
    country: Argument | None = None
    date: DateArgument | None = None
    weapon: Weapon | None = None
    weapon_span: Argument | None = None
    outcomes: tuple[OutcomeClaim, ...] = ()
    killed: int | None = None
    killed_span: Argument | None = None
    injured: int | None = None
    injured_span: Argument | None = None
    attributed_to: Argument | None = None
    status: Status = Status.REPORTED
    status_span: Argument | None = None
    confidence: float = 0.5
    near: bool = False
    within: str | None = None

    @property
    def outcome(self) -> Outcome:
        """The first outcome stated, or ``UnknownOutcome``."""
        return self.outcomes[0].outcome if self.outcomes else Outcome.UNKNOWN
