#!/usr/bin/python3
"""Generate small reference fixtures for the C# feature pipeline.

Run with Debian's interpreter (torch 1.13 / torchaudio 0.13 / numpy):

    /usr/bin/python3 tools/make_fixtures.py

Writes float32, C-order, little-endian .npy files into tests/fixtures/.
All reference computations are done in float64 and only cast to float32
when saved.
"""
import os
import sys

import numpy as np
import torch
import torchaudio

SR = 22050
N_FFT = 2048
HOP = 512
N_MELS = 128
F_MAX = 11025.0

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures")


def save(name, arr):
    a = np.ascontiguousarray(np.asarray(arr, dtype="<f4"))
    np.save(os.path.join(OUT, name), a)
    print(f"{name}: shape={a.shape} dtype={a.dtype} max={float(a.max()):.9g} min={float(a.min()):.9g}")
    return a


def make_signal():
    n = 4 * SR  # 88200
    t = np.arange(n, dtype=np.float64) / SR
    env = 0.5 * (1.0 - np.cos(2.0 * np.pi * 0.5 * t))  # slow 0.5 Hz envelope, 0..1
    f0, f1, T = 50.0, 10000.0, 4.0
    chirp = np.sin(2.0 * np.pi * (f0 * t + 0.5 * (f1 - f0) / T * t * t))
    rng = np.random.default_rng(1234)
    y = (0.5 * np.sin(2.0 * np.pi * 440.0 * t)
         + 0.3 * np.sin(2.0 * np.pi * 3000.0 * t) * env
         + 0.2 * chirp
         + 0.05 * rng.standard_normal(n))
    y[: int(0.3 * SR)] = 0.0            # first 0.3 s silent
    y[n - int(0.5 * SR):] *= 1.8         # last 0.5 s louder
    return y.astype(np.float32)


def mel_transform_f64():
    # Build with float64 as default dtype so the Hann window and the mel
    # filter bank are themselves computed in double precision.
    prev = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        tr = torchaudio.transforms.MelSpectrogram(
            sample_rate=SR, n_fft=N_FFT, win_length=N_FFT, hop_length=HOP,
            f_min=0.0, f_max=F_MAX, n_mels=N_MELS, window_fn=torch.hann_window,
            power=2.0, normalized=False, center=True, pad_mode="constant",
            norm="slaney", mel_scale="slaney")
    finally:
        torch.set_default_dtype(prev)
    return tr.double()


def mel_filters_f64():
    prev = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        fb = torchaudio.functional.melscale_fbanks(
            n_freqs=N_FFT // 2 + 1, f_min=0.0, f_max=F_MAX, n_mels=N_MELS,
            sample_rate=SR, norm="slaney", mel_scale="slaney")
    finally:
        torch.set_default_dtype(prev)
    return fb.double().numpy().T  # (n_mels, n_freqs)


def power_to_db(S, amin=1e-10, top_db=80.0):
    S = np.asarray(S, dtype=np.float64)
    db = 10.0 * np.log10(np.maximum(S, amin)) - 10.0 * np.log10(max(S.max(), amin))
    return np.maximum(db, db.max() - top_db)


def resize(x, size=(150, 150)):
    t = torch.from_numpy(np.asarray(x, dtype=np.float64))[None, None]
    y = torch.nn.functional.interpolate(t, size=size, mode="bilinear",
                                        align_corners=False, antialias=False)
    return y[0, 0].numpy()


def main():
    print(f"python={sys.version.split()[0]} torch={torch.__version__} "
          f"torchaudio={torchaudio.__version__} numpy={np.__version__}")
    os.makedirs(OUT, exist_ok=True)
    tr = mel_transform_f64()

    # Mel spectrogram of the 4-s test signal.
    y = save("mel_input.npy", make_signal())
    S = tr(torch.from_numpy(y.astype(np.float64))).numpy()
    assert S.dtype == np.float64
    assert S.shape == (N_MELS, 173), S.shape
    save("mel_power.npy", S)
    save("mel_db.npy", power_to_db(S))

    # Filter bank.
    fb = mel_filters_f64()
    assert fb.shape == (N_MELS, N_FFT // 2 + 1), fb.shape
    save("mel_filters.npy", fb)

    # Bilinear resize, downsampling (128x173 -> 150x150: rows up, cols down).
    x = np.random.default_rng(99).random((128, 173))
    x = save("resize_input.npy", x)
    save("resize_output.npy", resize(x))

    # Bilinear resize, upsampling in both axes.
    x = np.random.default_rng(100).random((40, 60))
    x = save("resize_up_input.npy", x)
    save("resize_up_output.npy", resize(x))

    # Short signal: center padding (1024 per side) longer than the signal.
    ys = (0.1 * np.random.default_rng(4321).standard_normal(1000)).astype(np.float32)
    try:
        Ss = tr(torch.from_numpy(ys.astype(np.float64))).numpy()
    except Exception as e:  # torch refuses pad > length for some modes
        print(f"skipping mel_short_*: {e}", file=sys.stderr)
    else:
        assert Ss.shape == (N_MELS, 2), Ss.shape
        save("mel_short_input.npy", ys)
        save("mel_short_power.npy", Ss)

    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT) if f.endswith(".npy"))
    print(f"total .npy bytes={total}")


if __name__ == "__main__":
    main()
