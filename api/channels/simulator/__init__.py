"""A Twilio-compatible HTTP server and an SMS simulator page, for local runs and tests.

The app's real `twilio` client is pointed here with TWILIO_API_BASE. The simulator page
plays a phone: it signs webhooks exactly as Twilio does and shows what the app sent back.
"""
