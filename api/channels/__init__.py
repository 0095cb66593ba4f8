"""Channels: each turns a transport into "participant said X" and back.

- base.py: the one interface (`Channel`) and the channel-neutral `Message` turns speak
- registry.py: every channel by name, and `say()`: render for the channel, into the outbox
- sms_channel.py, web_channel.py: the SMS and web chat implementations

- twilio_sms.py: the signed Twilio webhook, status callbacks and the sender
- webchat.py: the JSON web chat API and the /chat page
- simulator/: a Twilio-compatible server and an SMS simulator page, for local runs and tests
- menus.py: buttons as numbered menus, and numbered replies back into payloads
"""
