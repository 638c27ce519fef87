#!/usr/bin/env python3
"""Regenerate assets/fonts/NotoSansSC-subset.otf.

Source: Noto Sans CJK SC Regular (SIL OFL 1.1), Debian package fonts-noto-cjk.
Kept: ASCII, every GB2312 character (6,763 hanzi plus full-width symbols) and
every character used in i18n/*.toml. Needs `pip install fonttools`.
Run from the repository root: python3 scripts/make-font-subset.py
"""
import pathlib
import subprocess
import sys

SRC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SC_INDEX = 2  # the collection's order: JP, KR, SC, TC, HK
OUT = pathlib.Path("assets/fonts/NotoSansSC-subset.otf")

# status symbols the UI draws (the default egui fonts have no emoji)
SYMBOLS = "✓⚠↗×▶⬆⬇○●←→—•"
chars = set(chr(c) for c in range(0x20, 0x7F)) | set(SYMBOLS)
for hi in range(0xA1, 0xF8):
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
for f in pathlib.Path("i18n").glob("*.toml"):
    chars.update(f.read_text(encoding="utf-8"))
chars = {c for c in chars if c.isprintable() and ord(c) > 0x7F or 0x20 <= ord(c) < 0x7F}
text = "".join(sorted(chars))
subprocess.run(
    [sys.executable, "-m", "fontTools.subset", SRC, f"--font-number={SC_INDEX}",
     f"--text={text}", f"--output-file={OUT}", "--layout-features=*",
     "--no-hinting", "--name-IDs=*"],
    check=True,
)
print(f"{OUT}: {OUT.stat().st_size} bytes, {len(chars)} characters")
