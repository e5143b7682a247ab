#!/usr/bin/python3
"""Write a clip that is white noise except for a piece of another clip in a known span.

The README's `genre explain` picture uses it (the test Explanation/ExplainerTests.cs does the same in C#):

    /usr/bin/python3 tools/noise_with_span.py demo/data/jazz/jazz.00003.wav 12 20 30 noise-with-jazz.wav

copies seconds 12-20 of the source into seconds 12-20 of 30 s of noise at -26 dBFS RMS (16-bit mono WAV).
"""
import sys
import wave

import numpy as np

source, start, end, seconds, out = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
with wave.open(source) as w:
    rate = w.getframerate()
    assert w.getnchannels() == 1 and w.getsampwidth() == 2, "a mono 16-bit WAV is expected"
    music = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float64) / 32768
clip = np.random.default_rng(7).uniform(-0.087, 0.087, int(seconds * rate))  # RMS 0.05
a, b = int(start * rate), int(end * rate)
clip[a:b] += music[a:b]
clip = np.clip(clip, -1, 1)
with wave.open(out, "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(rate)
    w.writeframes((clip * 32767).astype("<i2").tobytes())
print(f"{out}: {seconds:.0f} s of noise with {source} from {start:g} to {end:g} s")
