"""The model cache: a fresh checkout takes the model trained from the same inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from api import engine_model


@pytest.fixture()
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    models, cache = tmp_path / "models", tmp_path / "cache"
    monkeypatch.setattr(engine_model, "MODELS_DIR", models)
    monkeypatch.setenv("FIRSTCALL_MODEL_CACHE", str(cache))
    # Training would fail loudly: these tests must never reach it.
    monkeypatch.setenv("RASA_BIN", str(tmp_path / "no-rasa-here"))
    return models, cache


def test_a_cached_model_of_the_same_inputs_is_taken_instead_of_training(
    dirs: tuple[Path, Path],
) -> None:
    models, cache = dirs
    name = f"firstcall-{engine_model.fingerprint()}.tar.gz"
    cache.mkdir()
    (cache / name).write_bytes(b"model bytes")
    models.mkdir()
    (models / "firstcall-0000000000000000.tar.gz").write_bytes(b"stale")

    path, trained = engine_model.train()

    assert (path.name, trained) == (name, False)
    assert path.read_bytes() == b"model bytes"
    assert [p.name for p in models.iterdir()] == [name]  # the stale model is gone


def test_a_cached_model_of_other_inputs_is_not_taken(dirs: tuple[Path, Path]) -> None:
    _, cache = dirs
    cache.mkdir()
    (cache / "firstcall-0000000000000000.tar.gz").write_bytes(b"other inputs")
    with pytest.raises(RuntimeError, match="make install"):
        engine_model.train()  # it has to train, and there is no rasa here


def test_an_empty_setting_turns_the_cache_off(
    dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, cache = dirs
    cache.mkdir()
    (cache / f"firstcall-{engine_model.fingerprint()}.tar.gz").write_bytes(b"cached")
    monkeypatch.setenv("FIRSTCALL_MODEL_CACHE", "")
    with pytest.raises(RuntimeError, match="make install"):
        engine_model.train()
