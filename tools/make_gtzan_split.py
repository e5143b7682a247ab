#!/usr/bin/python3
"""Write the fault-filtered GTZAN partition as src/Genre/Data/gtzan-filtered.csv.

The partition is Kereliuk, Sturm and Larsen (2015), "Deep learning and music adversaries"
(IEEE Trans. Multimedia 17(11)): GTZAN without its repeated and mislabelled excerpts, artists kept
on one side; 443 training, 197 validation and 290 test clips. Debian's python3-torchaudio (0.13)
ships the ids in torchaudio/datasets/gtzan.py (taken from jordipons/sklearn-audio-transfer-learning);
this script copies them, in the same `file,split` CSV that `genre train --split-file` reads.

    /usr/bin/python3 tools/make_gtzan_split.py
"""
import ast
import os

SOURCE = "/usr/lib/python3/dist-packages/torchaudio/datasets/gtzan.py"
OUT = os.path.join(os.path.dirname(__file__), "..", "src", "Genre", "Data", "gtzan-filtered.csv")
PARTS = [("filtered_train", "train"), ("filtered_valid", "val"), ("filtered_test", "test")]

lists = {}
for node in ast.parse(open(SOURCE).read()).body:
    if isinstance(node, ast.Assign) and node.targets[0].id.startswith("filtered_"):
        lists[node.targets[0].id] = ast.literal_eval(node.value)

rows = [(clip, split) for name, split in PARTS for clip in lists[name]]
assert [len(lists[n]) for n, _ in PARTS] == [443, 197, 290]
assert len({clip for clip, _ in rows}) == len(rows), "an id is listed twice"
with open(OUT, "w", newline="\n") as f:
    f.write("# fault-filtered GTZAN partition (Kereliuk, Sturm and Larsen 2015), from Debian's torchaudio 0.13 datasets/gtzan.py;\n")
    f.write("# made by tools/make_gtzan_split.py\n")
    f.write("file,split\n")
    for clip, split in rows:
        f.write(f"{clip},{split}\n")
print(f"wrote {len(rows)} ids to {os.path.normpath(OUT)}")
