"""Channels: each turns a transport into "participant said X" and back.

- twilio_sms.py: the signed Twilio webhook, status callbacks and the sender
- webchat.py: the JSON web chat API and the /chat page
- simulator/: a Twilio-compatible server and an SMS simulator page, for local runs and tests
- menus.py: buttons as numbered menus, and numbered replies back into payloads
"""
