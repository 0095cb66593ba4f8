"""Booking: the partner directory (Open Referral HSDS, named time zones), matching a partner
to the need, language and place, booking a real slot, and contacting the partner for the
participant ("we make the first call"). Referrals follow the Gravity Task states:
requested / accepted / rejected / in-progress / completed / cancelled / failed.

Built in the booking issue; the screening's positive domains lead here.
"""
