"""Export the bundled model to ONNX (fp32 and int8) once, at set-up: `python -m knowledge.onnx_export`."""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from knowledge.embeddings import MODEL_NAME, model_path

FP32 = "model.onnx"
INT8 = "model-int8.onnx"
TOKENIZER = "tokenizer.json"
MANIFEST = "export.json"
# Bump when the export recipe changes, so existing exports are redone.
EXPORT_FORMAT = 2
OPSET = 17

log = logging.getLogger(__name__)


def fingerprint(source: Path) -> dict:
    """Return what an export depends on: the weights, the tokenizer and the recipe."""
    digest = hashlib.sha256()
    for name in ("config.json", TOKENIZER):
        digest.update((source / name).read_bytes())
    weights = source / "model.safetensors"
    digest.update(f"{weights.stat().st_size}".encode())
    return {"model": MODEL_NAME, "source": digest.hexdigest()[:16], "format": EXPORT_FORMAT, "opset": OPSET}


def is_current(onnx_dir: Path, source: Path | None = None) -> bool:
    """Tell whether onnx_dir holds a complete export of the bundled model made by this recipe."""
    manifest = onnx_dir / MANIFEST
    if not manifest.exists() or not all((onnx_dir / f).exists() for f in (FP32, INT8, TOKENIZER)):
        return False
    return json.loads(manifest.read_text()) == fingerprint(source or model_path())


def export(onnx_dir: Path, source: Path | None = None) -> Path:
    """Write model.onnx, model-int8.onnx and the tokenizer into onnx_dir, unless already current."""
    source = source or model_path()
    onnx_dir = Path(onnx_dir)
    if is_current(onnx_dir, source):
        return onnx_dir
    onnx_dir.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and swap in whole, so a reader never sees half an export.
    staging = Path(tempfile.mkdtemp(prefix=".onnx-", dir=onnx_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the bot may run as another user
    try:
        _export_fp32(source, staging / FP32)
        _quantize(staging / FP32, staging / INT8)
        shutil.copyfile(source / TOKENIZER, staging / TOKENIZER)
        (staging / MANIFEST).write_text(json.dumps(fingerprint(source)))
        if onnx_dir.exists():
            shutil.rmtree(onnx_dir)
        staging.rename(onnx_dir)
    except OSError:
        # Another process finished the same export first: theirs is as good as ours.
        if not is_current(onnx_dir, source):
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return onnx_dir


def _export_fp32(source: Path, target: Path) -> None:
    """Trace the transformer (without pooling) to ONNX; the route NOTES.md found working."""
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(source), local_files_only=True).eval()

    class Encoder(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    sample = torch.ones((2, 16), dtype=torch.long)
    axes = {0: "batch", 1: "sequence"}
    # The tracer warns about branches that do not matter here (the mask is always given).
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder(model), (sample, sample, torch.zeros_like(sample)), str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
            opset_version=OPSET, dynamo=False,
        )  # fmt: skip


def _quantize(fp32: Path, int8: Path) -> None:
    """Quantise the weights of the matrix products to int8 (dynamic activations)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Weights of the matrix products only, per output channel: cosine to PyTorch at worst 0.987 on
    # library chunks, against 0.91 for the default (every op type, per tensor).
    logging.disable(logging.WARNING)  # its advice to pre-process first is noise on every set-up
    try:
        quantize_dynamic(
            str(fp32), str(int8), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"], per_channel=True
        )
    finally:
        logging.disable(logging.NOTSET)


def main(argv: list[str] | None = None) -> int:
    """Export into the configured [embedding] onnx_dir."""
    from knowledge.config import ConfigError, load_settings

    parser = argparse.ArgumentParser(prog="python -m knowledge.onnx_export", description=__doc__)
    parser.add_argument("--config", default="config.toml", help="settings file (default: config.toml)")
    parser.add_argument("--force", action="store_true", help="export again even if current")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    target = settings.resolve(settings.embedding.onnx_dir)
    if args.force and target.exists():
        shutil.rmtree(target)
    if is_current(target):
        print(f"ONNX models current in {target}")
        return 0
    export(target)
    print(f"exported ONNX models (fp32, int8) to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
