"""Training the Rasa model only when its inputs changed, and finding the one to serve."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from api.config import ROOT

BOT_DIR = ROOT / "bot"
NLU_DIR = ROOT / "data" / "nlu"
MODELS_DIR = ROOT / "models"


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
    for old in MODELS_DIR.glob("firstcall-*.tar.gz"):
        if old != target:
            old.unlink()
    return target, True
