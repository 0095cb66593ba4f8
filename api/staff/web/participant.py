"""The participant page (`/staff/participants/{id}`) and what a case manager does from it.
Another organization's ids are 404, whatever the route. Views and reveals are audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from api.booking.models import Referral
from api.conversations.models import Participant
from api.handoff import service as handoffs
from api.referrals.models import ReferralDelivery
from api.reminders import program as reminder_program
from api.staff import actions, audit, participants
from api.staff import service as staff_service
from api.staff.models import StaffUser
from api.staff.web.deps import CsrfChecked, CurrentStaff, DbSession, StaffContext, page
from api.staff.web.labels import participant_label

router = APIRouter()
THREAD_POLL_SECONDS = 4
# What a redirect may say: fixed texts, never anything reflected from the request.
MESSAGES = {
    "sent": "Reply queued: it goes out by SMS from the outbox.",
    "note": "Note saved.",
    "assigned": "Assignment saved.",
    "referral": "Referral updated.",
    "call": "Call outcome recorded.",
    "handoff": "Handoff updated.",
    "not_allowed": "That change is not allowed for this referral now.",
}


def quiet_note() -> str:
    """The reply form's note on quiet hours, from the program's settings."""
    quiet = reminder_program.quiet_hours()
    if quiet.start == quiet.end:
        return "This program sets no quiet hours."
    return (f"Quiet hours ({quiet.start:%H:%M} to {quiet.end:%H:%M} in the participant's time) "
            "are respected: a reply written then waits for their end.")  # fmt: skip


def _participant(participant_id: str, staff: StaffContext, db: DbSession) -> Participant:
    found = participants.for_org(participant_id, staff.org_id, db_session=db)
    if found is None:
        raise HTTPException(404, "participant not found")
    return found


def _back(participant_id: str, message: str, anchor: str = "") -> RedirectResponse:
    url = f"/staff/participants/{participant_id}?msg={message}{anchor}"
    return RedirectResponse(url, status_code=303)


@router.get("/participants/{participant_id}")
def participant_page(
    participant_id: str, request: Request, staff: CurrentStaff, db: DbSession
) -> Response:
    participant = _participant(participant_id, staff, db)
    message = MESSAGES.get(request.query_params.get("msg", ""), "")
    return _render(request, participant, staff, db, message=message)


def _render(
    request: Request, participant: Participant, staff: StaffContext, db: DbSession, *,
    message: str = "", error: str = "", status: int = 200,
) -> Response:  # fmt: skip
    audit.record(staff.org_id, staff.user_id, audit.VIEW_PARTICIPANT,
                 f"participant:{participant.id}", db_session=db)  # fmt: skip
    handoff = participants.latest_handoff(participant.id, db_session=db)
    domains, withheld = participants.screening(handoff)
    response = page(
        request,
        "participant.html",
        staff,
        participant=participant,
        label=participant_label(participant),
        handoff=handoff,
        domains=domains,
        withheld=withheld,
        referrals=participants.referrals(participant.id, staff.org_id, db_session=db),
        referral_actions=actions.referral_actions,
        action_labels=actions.REFERRAL_ACTIONS,
        call_outcomes=actions.CALL_OUTCOMES,
        lines=participants.transcript(participant.id, db_session=db),
        notes=participants.notes(participant.id, db_session=db),
        assignee=participants.assignee(participant.id, db_session=db),
        users=staff_service.users_of(staff.org_id, db_session=db),
        message=message,
        error=error,
        poll_seconds=THREAD_POLL_SECONDS,
        quiet_note=quiet_note(),
    )
    response.status_code = status
    return response


@router.get("/participants/{participant_id}/thread")
def thread(participant_id: str, request: Request, staff: CurrentStaff, db: DbSession) -> Response:
    participant = _participant(participant_id, staff, db)
    lines = participants.transcript(participant.id, db_session=db)
    return page(request, "_thread.html", staff, lines=lines)


@router.post("/participants/{participant_id}/reveal/{domain}", dependencies=[CsrfChecked])
def reveal(
    participant_id: str, domain: str, request: Request, staff: CurrentStaff, db: DbSession
) -> Response:
    participant = _participant(participant_id, staff, db)
    handoff = participants.latest_handoff(participant.id, db_session=db)
    view = participants.domain_answers(handoff, domain)
    if view is None:
        raise HTTPException(404, "no such domain in the screening")
    audit.record(staff.org_id, staff.user_id, audit.REVEAL, f"participant:{participant.id}",
                 f"domain={domain}", db_session=db)  # fmt: skip
    return page(request, "_answers.html", staff, view=view)


Audited = tuple[str, str, str]  # the audit log's event, target and detail


def _after(
    staff: StaffContext, db: DbSession, participant_id: str, message: str, anchor: str,
    act: Callable[[], Audited | None],
) -> RedirectResponse:  # fmt: skip
    """Every change from the page: act, audit what was done, back to the page with a fixed
    message; a change the rules refuse goes back with "not_allowed" and no audit entry."""
    try:
        done = act()
    except actions.NotAllowed:
        return _back(participant_id, "not_allowed", anchor)
    if done is not None:
        event, target, detail = done
        audit.record(staff.org_id, staff.user_id, event, target, detail, db_session=db)
    return _back(participant_id, message, anchor)


@router.post("/participants/{participant_id}/reply", dependencies=[CsrfChecked])
def reply(
    participant_id: str,
    request: Request,
    staff: CurrentStaff,
    db: DbSession,
    text: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    participant = _participant(participant_id, staff, db)
    try:
        message = actions.reply(participant, text, db_session=db)
    except actions.CannotReply as exc:
        return _render(request, participant, staff, db, error=str(exc), status=400)
    target = f"participant:{participant.id}"
    return _after(staff, db, participant.id, "sent", "#thread",
                  lambda: (audit.REPLY, target, f"outbound={message.id}"))  # fmt: skip


@router.post("/participants/{participant_id}/notes", dependencies=[CsrfChecked])
def add_note(
    participant_id: str,
    staff: CurrentStaff,
    db: DbSession,
    text: Annotated[str, Form(min_length=1, max_length=4000)],
) -> Response:
    participant = _participant(participant_id, staff, db)

    def act() -> Audited:
        note = participants.add_note(participant, staff.user_id, text, db_session=db)
        return audit.NOTE, f"participant:{participant.id}", f"note={note.id}"

    return _after(staff, db, participant.id, "note", "#notes", act)


@router.post("/participants/{participant_id}/assign", dependencies=[CsrfChecked])
def assign(
    participant_id: str,
    staff: CurrentStaff,
    db: DbSession,
    user_id: Annotated[str, Form(max_length=32)] = "me",
) -> Response:
    participant = _participant(participant_id, staff, db)
    user = db.get(StaffUser, staff.user_id if user_id == "me" else user_id)
    if user is None or user.org_id != staff.org_id:
        raise HTTPException(404, "staff member not found")

    def act() -> Audited:
        participants.assign(participant, user, staff.user_id, db_session=db)
        return audit.ASSIGN, f"participant:{participant.id}", f"to={user.id}"

    return _after(staff, db, participant.id, "assigned", "", act)


@router.post("/referrals/{referral_id}/state", dependencies=[CsrfChecked])
def referral_state(
    referral_id: str,
    staff: CurrentStaff,
    db: DbSession,
    action: Annotated[str, Form(max_length=20)],
) -> Response:
    referral = db.get(Referral, referral_id)
    if referral is None or referral.org_id != staff.org_id:
        raise HTTPException(404, "referral not found")

    def act() -> Audited:
        actions.move_referral(referral, action, staff.by, db_session=db)
        return audit.REFERRAL_STATE, f"referral:{referral.id}", f"action={action}"

    return _after(staff, db, referral.participant_id, "referral", "#referrals", act)


@router.post("/calls/{task_id}/outcome", dependencies=[CsrfChecked])
def call_outcome(
    task_id: int,
    staff: CurrentStaff,
    db: DbSession,
    outcome: Annotated[str, Form(max_length=20)],
) -> Response:
    task = db.get(ReferralDelivery, task_id)
    referral = db.get(Referral, task.referral_id) if task else None
    if task is None or referral is None or referral.org_id != staff.org_id:
        raise HTTPException(404, "call task not found")

    def act() -> Audited:
        actions.record_call(task, outcome, staff.by, db_session=db)
        return audit.CALL_OUTCOME, f"call:{task.id}", f"outcome={outcome}"

    return _after(staff, db, referral.participant_id, "call", "#referrals", act)


@router.post("/handoffs/{handoff_id}/{step}", dependencies=[CsrfChecked])
def handoff_step(handoff_id: str, step: str, staff: CurrentStaff, db: DbSession) -> Response:
    handoff = handoffs.get_for_org(handoff_id, staff.org_id, db_session=db)
    if handoff is None or step not in ("acknowledge", "close"):
        raise HTTPException(404, "handoff not found")

    def act() -> None:  # the handoff's own history records who did it
        try:
            if step == "acknowledge":
                handoffs.acknowledge(handoff, staff.by, db_session=db)
            else:
                handoffs.close(handoff, staff.by, db_session=db)
        except handoffs.HandoffClosed:
            pass  # closed already: nothing to acknowledge

    return _after(staff, db, handoff.participant_id, "handoff", "", act)
