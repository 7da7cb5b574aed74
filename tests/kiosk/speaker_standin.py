"""A stand-in speaker for the kiosk's spoken guidance: a real process in the player's place.

``python speaker_standin.py OUT HOLD WAV`` keeps a copy of WAV as OUT/NNN.wav, marks
OUT/NNN.start, takes HOLD seconds to "play" it, then marks OUT/NNN.end (never, when cut
short: the player is terminated).
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

out, hold, wav = Path(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])
n = len(list(out.glob("*.start")))
shutil.copyfile(wav, out / f"{n:03d}.wav")
(out / f"{n:03d}.start").touch()
time.sleep(hold)
(out / f"{n:03d}.end").touch()
