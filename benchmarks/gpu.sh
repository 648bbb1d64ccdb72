#!/usr/bin/env bash
# Throughput of callsift on an NVIDIA GPU: the demo corpus with Whisper base (and large-v3).
#
#   benchmarks/gpu.sh                      # base only
#   benchmarks/gpu.sh /models/large-v3     # base, then a CTranslate2 large-v3 folder
#
# Makes a venv (.venv-gpu, or $GPU_VENV), installs callsift from this checkout
# (from the wheels in $CALLSIFT_WHEELS when that folder exists, else from the
# package index) with the CUDA 12 libraries CTranslate2 loads (cuBLAS, cuDNN 9),
# then processes demo/calls on cuda, float16, one after another (batch 0) and
# batched (batch $GPU_BATCH, default 16), without and with Whisper's English.
# Each run prints its real-time factor (wall s / audio s) and throughput
# (audio s / wall s); benchmarks/throughput_words.py does the runs.
# Without a GPU it stops at once and says so (exit 2).
set -euo pipefail

REPO="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${GPU_VENV:-$REPO/.venv-gpu}"
WHEELS="${CALLSIFT_WHEELS:-$REPO/wheels}"
BATCH="${GPU_BATCH:-16}"
LARGE="${1:-}"

if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L 2>/dev/null | grep -q "^GPU"; then
    echo "gpu.sh: no NVIDIA GPU on this machine (nvidia-smi lists none); for the CPU run: callsift bench" >&2
    exit 2
fi
if [[ -n "$LARGE" && ! -f "$LARGE/model.bin" ]]; then
    echo "gpu.sh: $LARGE is not a CTranslate2 Whisper folder (no model.bin)" >&2
    exit 2
fi
nvidia-smi -L

python3 -m venv "$VENV"
PIP=("$VENV/bin/pip" install --quiet)
if [[ -d "$WHEELS" ]]; then
    PIP+=(--no-index --find-links "$WHEELS")
fi
"${PIP[@]}" -e "$REPO" "nvidia-cublas-cu12" "nvidia-cudnn-cu12==9.*"
# CTranslate2 finds cuBLAS and cuDNN by the library path, not by the pip packages.
NVIDIA_LIBS="$("$VENV/bin/python" -c 'import os, nvidia.cublas as b, nvidia.cudnn as d
print(":".join(os.path.join(list(m.__path__)[0], "lib") for m in (b, d)))')"
export LD_LIBRARY_PATH="$NVIDIA_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
"$VENV/bin/python" -c 'import ctranslate2, sys
n = ctranslate2.get_cuda_device_count()
sys.exit(0 if n else "gpu.sh: CTranslate2 sees no CUDA device (driver or CUDA 12 libraries)")'

cd "$REPO"
for model in base ${LARGE:+"$LARGE"}; do
    for batch in 0 "$BATCH"; do
        for translate in --no-translate ""; do
            echo "== model $model, cuda float16, batch $batch ${translate:-with translation}"
            # shellcheck disable=SC2086  # $translate is one flag or none
            "$VENV/bin/python" benchmarks/throughput_words.py --device cuda --model "$model" \
                --workers 1 --batch "$batch" $translate \
                --save "/tmp/callsift-gpu-$(basename "$model")-b$batch${translate:+-nt}.json"
        done
    done
done
