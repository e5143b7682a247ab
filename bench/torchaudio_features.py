#!/usr/bin/python3
"""torchaudio peer of the `prepare` feature benchmark.

    /usr/bin/python3 bench/torchaudio_features.py DIR [--threads 2]

Reads every *.wav under DIR (22050 Hz, mono, 16-bit PCM), cuts 4-s chunks
with a 2-s hop, computes a 128-band mel power spectrogram, power_to_db
relative to each chunk's max (floor -80 dB) and a bilinear resize to
150x150. Prints exactly one line on stdout.
"""
import argparse
import math
import os
import sys
import time
import wave

import numpy as np
import torch
import torchaudio

SR = 22050
CHUNK = 4 * SR      # 88200
HOP = 2 * SR        # 44100


def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1 or w.getframerate() != SR:
            raise ValueError(f"{path}: need {SR} Hz mono 16-bit, got "
                             f"{w.getframerate()} Hz {w.getnchannels()} ch {8 * w.getsampwidth()}-bit")
        raw = w.readframes(w.getnframes())
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


def chunk_count(n):
    count = 1 if n <= CHUNK else math.ceil((n - CHUNK) / HOP) + 1
    if count > 1 and n - (count - 1) * HOP < CHUNK / 2:
        count -= 1
    return count


def chunks(y):
    count = chunk_count(len(y))
    out = np.zeros((count, CHUNK), dtype=np.float32)
    for i in range(count):
        seg = y[i * HOP: i * HOP + CHUNK]
        out[i, : len(seg)] = seg
    return out


def process(path, mel):
    y = read_wav(path)
    x = torch.from_numpy(chunks(y))                    # (C, 88200)
    S = mel(x)                                         # (C, 128, 173)
    amin = 1e-10
    db = 10.0 * torch.log10(torch.clamp(S, min=amin))
    ref = torch.clamp(S.amax(dim=(1, 2), keepdim=True), min=amin)
    db = db - 10.0 * torch.log10(ref)
    db = torch.maximum(db, db.amax(dim=(1, 2), keepdim=True) - 80.0)
    img = torch.nn.functional.interpolate(db[:, None], size=(150, 150), mode="bilinear",
                                          align_corners=False, antialias=False)
    return img, len(y) / SR


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(args.folder)
                   for f in fs if f.lower().endswith(".wav"))
    if not files:
        print(f"no .wav files under {args.folder}", file=sys.stderr)
        sys.exit(1)

    mel = torchaudio.transforms.MelSpectrogram(
        sample_rate=SR, n_fft=2048, win_length=2048, hop_length=512,
        f_min=0.0, f_max=11025.0, n_mels=128, window_fn=torch.hann_window,
        power=2.0, normalized=False, center=True, pad_mode="constant",
        norm="slaney", mel_scale="slaney")

    with torch.inference_mode():
        process(files[0], mel)                         # warm-up, not timed
        audio = 0.0
        t0 = time.perf_counter()
        for f in files:
            _, secs = process(f, mel)
            audio += secs
        wall = time.perf_counter() - t0

    print(f"torchaudio: files={len(files)} audio_seconds={audio:.3f} wall_seconds={wall:.3f} "
          f"realtime={audio / wall:.1f} ms_per_30s_clip={wall / audio * 30 * 1000:.2f}")


if __name__ == "__main__":
    main()
