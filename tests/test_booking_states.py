"""The referral state machine: Gravity Task statuses, business statuses, history."""

from __future__ import annotations

import pytest

from api.booking import states
from api.booking.models import Referral


def _referral(status: str | None = None, business: str | None = None) -> Referral:
    referral = Referral(id="r1", status=status, business_status=business, events=[])
    return referral


def test_referral_transition_records_time_who_and_reason() -> None:
    referral = _referral()
    states.transition(referral, "requested", "booked", by="participant", reason="booked")
    event = states.transition(referral, "accepted", by="partner", reason="we'll see them")
    assert (referral.status, referral.business_status) == ("accepted", "booked")
    assert [(e.status, e.business_status, e.by) for e in referral.events] == [
        ("requested", "booked", "participant"),
        ("accepted", "booked", "partner"),
    ]
    assert event.reason == "we'll see them" and event.at.tzinfo is not None


def test_referral_transition_refuses_accepted_back_to_requested() -> None:
    referral = _referral("accepted", "booked")
    with pytest.raises(states.InvalidTransition):
        states.transition(referral, "requested", by="staff:x", reason="oops")
    assert referral.status == "accepted" and referral.events == []


@pytest.mark.parametrize("final", ["completed", "cancelled", "rejected", "failed"])
def test_referral_final_states_leave_only_to_entered_in_error(final: str) -> None:
    referral = _referral(final, "attended" if final == "completed" else None)
    for status in ("requested", "accepted", "in-progress", "on-hold"):
        with pytest.raises(states.InvalidTransition):
            states.transition(referral, status, by="staff:x")
    with pytest.raises(states.InvalidTransition):  # no business change on a final status
        states.transition(referral, final, "reminded", by="system")
    states.transition(referral, "entered-in-error", by="staff:x", reason="wrong person")
    with pytest.raises(states.InvalidTransition):
        states.transition(referral, "requested", by="staff:x")


def test_referral_business_status_changes_alone_while_live() -> None:
    referral = _referral("requested", "booked")
    states.transition(referral, "requested", "partner-notified", by="system", reason="email sent")
    assert referral.business_status == "partner-notified"
    with pytest.raises(states.InvalidTransition):  # nothing changed: not a change
        states.transition(referral, "requested", "partner-notified", by="system")
    with pytest.raises(ValueError):
        states.transition(referral, "requested", "lost", by="system")
    with pytest.raises(ValueError):
        states.transition(referral, "received", by="system")
