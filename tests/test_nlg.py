"""Rasa's NLG endpoint renders from the catalogs in the conversation's language."""

from __future__ import annotations

from api.i18n.catalog import render


def _nlg(client, response: str, slots=None, metadata=None, arguments=None):  # type: ignore[no-untyped-def]
    body = {
        "response": response,
        "arguments": arguments or {},
        "tracker": {
            "sender_id": "abc",
            "slots": slots or {},
            "latest_message": {"metadata": metadata or {}},
        },
        "channel": {"name": "rest"},
    }
    return client.post("/nlg", json=body)


def test_slot_language_wins(client) -> None:
    response = _nlg(client, "utter_goodbye", slots={"language": "vi"}, metadata={"language": "es"})
    assert response.status_code == 200
    assert response.json()["text"] == render("utter_goodbye", "vi").text
    # Rasa validates the NLG response with a JSON schema: null is not an object
    assert "custom" not in response.json()


def test_metadata_language_when_no_slot_and_english_last(client) -> None:
    assert _nlg(client, "utter_goodbye", metadata={"language": "zh"}).json()["text"] == (
        render("utter_goodbye", "zh").text
    )
    assert _nlg(client, "utter_goodbye").json()["text"] == render("utter_goodbye", "en").text
    assert _nlg(client, "utter_goodbye", slots={"language": "xx"}).json()["text"] == (
        render("utter_goodbye", "en").text
    )


def test_argument_language_from_an_action_overrides_the_lagging_slot(client) -> None:
    body = _nlg(
        client, "utter_language_set", slots={"language": "en"}, arguments={"language": "ar"}
    ).json()
    assert body["text"] == render("utter_language_set", "ar").text


def test_buttons_and_program_name(client) -> None:
    body = _nlg(client, "utter_greet", slots={"language": "es"}).json()
    assert "Workforce Connect" in body["text"]
    assert [b["payload"] for b in body["buttons"]] == ["/affirm", "/deny"]


def test_unknown_response_falls_back_to_default_text(client) -> None:
    body = _nlg(client, "utter_does_not_exist", slots={"language": "es"}).json()
    assert body["text"] == render("utter_default", "es").text
