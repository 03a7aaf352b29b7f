#!/usr/bin/python3
"""Merges a capture-frames.py output folder into the committed frames, keeping at most --keep frames per
(api key, version) and skipping frames whose bytes equal a kept one apart from the correlation id.
Frames are taken in capture order (their -<n> number); kept ones are renumbered after those already there.

  merge-frames.py CAPTURED_DIR DEST_DIR [--keep 2]
"""
import argparse
import os
import re
import shutil

NAME = re.compile(r"(\d+)-v(\d+)-(\d+)\.bin")


def frames(folder):
    found = []
    for name in os.listdir(folder) if os.path.isdir(folder) else []:
        m = NAME.fullmatch(name)
        if m:
            found.append(((int(m.group(1)), int(m.group(2))), int(m.group(3)), os.path.join(folder, name)))
    return sorted(found)


def without_correlation_id(path):
    with open(path, "rb") as f:
        data = f.read()
    return data[:8] + data[12:]  # size, api key, api version | correlation id | rest


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("captured")
    p.add_argument("dest")
    p.add_argument("--keep", type=int, default=2)
    args = p.parse_args()
    os.makedirs(args.dest, exist_ok=True)
    kept = {}
    for key, n, path in frames(args.dest):
        kept.setdefault(key, []).append((n, without_correlation_id(path)))
    for key, _, path in frames(args.captured):
        have = kept.setdefault(key, [])
        body = without_correlation_id(path)
        if len(have) >= args.keep or any(b == body for _, b in have):
            continue
        n = max((k for k, _ in have), default=0) + 1
        target = os.path.join(args.dest, f"{key[0]}-v{key[1]}-{n}.bin")
        shutil.copyfile(path, target)
        have.append((n, body))
        print(f"kept {os.path.basename(path)} -> {target}")


if __name__ == "__main__":
    main()
