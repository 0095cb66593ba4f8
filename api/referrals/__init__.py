"""The first call: a referral reaches the partner (email, SMS, signed webhook, or a phone
task for staff), the partner answers through a signed link, the participant is told, and a
partner that does not answer is escalated to the case manager. Booking itself (the
appointment, the referral's states) is api/booking/."""
