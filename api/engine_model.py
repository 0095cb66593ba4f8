"""Training the Rasa model only when its inputs changed, and finding the one to serve."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from api.config import ROOT

BOT_DIR = ROOT / "bot"
NLU_DIR = ROOT / "data" / "nlu"
MODELS_DIR = ROOT / "models"


def cache_dir() -> Path | None:
    """Trained models kept by fingerprint outside the checkout (a build cache, like pip's):
    a fresh clone on the same machine (CI) takes the model trained from the same inputs
    instead of training again. Training is seeded, so the cached model is the one training
    would build. FIRSTCALL_MODEL_CACHE="" turns it off."""
    configured = os.environ.get("FIRSTCALL_MODEL_CACHE")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "firstcall" / "models"


def rasa_bin() -> Path:
    return Path(os.environ.get("RASA_BIN", ROOT / ".venv-rasa" / "bin" / "rasa"))


def training_inputs() -> list[Path]:
    files = [BOT_DIR / "config.yml", BOT_DIR / "domain.yml"]
    for folder in (BOT_DIR / "data", NLU_DIR):
        files += sorted(p for p in folder.rglob("*.yml") if p.is_file())
    files += sorted((BOT_DIR / "components").rglob("*.py"))  # custom NLU components
    return files


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in training_inputs():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS_DIR / f"firstcall-{fingerprint()}.tar.gz"


def train(force: bool = False) -> tuple[Path, bool]:
    """Returns the model's path and whether it was trained now."""
    target = model_path()
    if target.exists() and not force:
        return target, False
    cache = cache_dir()
    cached = cache / target.name if cache is not None else None
    if cached is not None and cached.exists() and not force:
        MODELS_DIR.mkdir(exist_ok=True)
        shutil.copyfile(cached, target)
        _drop_others(target)
        return target, False
    if not rasa_bin().exists():
        raise RuntimeError(f"{rasa_bin()} not found: run `make install` first")
    MODELS_DIR.mkdir(exist_ok=True)
    command = [
        str(rasa_bin()),
        "train",
        "--config",
        str(BOT_DIR / "config.yml"),
        "--domain",
        str(BOT_DIR / "domain.yml"),
        "--data",
        str(BOT_DIR / "data"),
        str(NLU_DIR),
        "--out",
        str(MODELS_DIR),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    subprocess.run(command, check=True, cwd=ROOT)
    _drop_others(target)
    if cache is not None and cached is not None:
        cache.mkdir(parents=True, exist_ok=True)
        for old in cache.glob("firstcall-*.tar.gz"):
            old.unlink()  # keep one: the models are ~100 MB
        shutil.copyfile(target, cached)
    return target, True


def _drop_others(target: Path) -> None:
    for old in MODELS_DIR.glob("firstcall-*.tar.gz"):
        if old != target:
            old.unlink()
