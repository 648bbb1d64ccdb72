#!/usr/bin/env bash
# Regenerates the codec fixtures in this folder. Only needed to change them: the
# tests read the committed files and never call ffmpeg or sox (callsift decodes
# with PyAV alone). Needs the ffmpeg and sox command-line tools (Debian:
# `apt-get install ffmpeg sox libsox-fmt-all`; sox writes the AMR-NB file, as
# Debian's ffmpeg has no AMR encoder).
#
# Source: 2 s cuts of J. F. Kennedy's 1961 inaugural address (public domain),
# from faster-whisper's tests/data/jfk.flac; see README.md.
#
# Usage: tests/data/codecs/make_fixtures.sh [path/to/jfk.flac]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="${1:-$here/../real/en_jfk_faster-whisper.flac}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$here"

# ffmpeg ARGS... OUTPUT, with bit-exact output so that reruns give the same bytes.
ff() { ffmpeg -hide_banner -loglevel error -y "${@:1:$#-1}" -fflags +bitexact -flags:a +bitexact "${@: -1}"; }

# Two different 2 s stretches of speech, 8 kHz mono, as a telephone line carries them.
sox -R "$src" -r 8000 -c 1 -b 16 "$tmp/a.wav" trim 0 2 remix - highpass 300 lowpass 3400
sox -R "$src" -r 8000 -c 1 -b 16 "$tmp/b.wav" trim 3 2 remix - highpass 300 lowpass 3400

# One file per codec, all from the same 2 s of speech.
ff -i "$tmp/a.wav" -c:a pcm_s16le pcm16.wav
ff -i "$tmp/a.wav" -c:a pcm_alaw alaw.wav
ff -i "$tmp/a.wav" -c:a pcm_mulaw mulaw.wav
ff -i "$tmp/a.wav" -c:a libgsm_ms gsm.wav
ff -i "$tmp/a.wav" -c:a libmp3lame -b:a 16k mp3.mp3
# AMR-NB: 1 s of speech, then 1 s of silence, which the encoder sends as comfort-noise
# (DTX/SID) frames, as phones do in every pause. FFmpeg's own decoder cannot read those.
sox -R "$tmp/a.wav" -t amr-nb -C 7 amr.amr trim 0 1 pad 0 1
ff -i "$tmp/a.wav" -c:a libopus -b:a 12k opus.ogg
ff -i "$tmp/a.wav" -c:a aac -b:a 16k aac.m4a
ff -i "$tmp/a.wav" -c:a flac flac.flac

# Stereo: one party per channel, and the same mix on both channels.
ff -i "$tmp/a.wav" -i "$tmp/b.wav" -filter_complex "[0:a][1:a]join=inputs=2:channel_layout=stereo" \
    -c:a pcm_alaw stereo_two_parties.wav
ff -i "$tmp/a.wav" -ac 2 -c:a pcm_alaw stereo_same_mix.wav

# Broken inputs.
: > empty.wav
sox -R -n -t raw -r 8000 -e signed -b 16 -c 1 random_bytes.wav synth 0.25 whitenoise
ff -f lavfi -i color=c=gray:s=8x8 -frames:v 1 no_audio.png    # opens, but as video
printf 'Call log 2024-03-01\nThis is a note, not a recording.\n' > text.wav
head -c 16044 pcm16.wav > truncated.wav        # header says 2 s, file holds 1 s
cp flac.flac corrupt_mid.flac                   # garbage over the middle of the stream
sox -R -n -t raw -r 8000 -e signed -b 16 -c 1 - synth 0.05 whitenoise \
    | dd of=corrupt_mid.flac bs=1 seek=20000 conv=notrunc status=none

ls -l "$here"
