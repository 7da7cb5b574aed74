"""Voice tools: ``python -m drivers.voice clips DIR`` records a clip folder with espeak-ng;
``python -m drivers.voice say A023 5 [--out call.wav] [--play 'aplay -q {wav}']`` says one call."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from drivers.base import DriverError
from drivers.voice.engines import ClipEngine, EspeakEngine, make_clips
from drivers.voice.phrases import Call, phrase_for
from drivers.voice.players import make_player, wav_seconds


def main(argv: list[str] | None = None) -> int:
    """Run the voice command line; returns the exit status."""
    ap = argparse.ArgumentParser(prog="python -m drivers.voice", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    clips = sub.add_parser("clips", help="record every clip into a folder with espeak-ng")
    clips.add_argument("folder", type=Path)
    clips.add_argument("--lang", default="zh", choices=["zh", "en"])
    say = sub.add_parser("say", help="write (and optionally play) the WAV for one call")
    say.add_argument("ticket")
    say.add_argument("window", type=int)
    say.add_argument("--lang", default="zh", choices=["zh", "en"])
    say.add_argument("--recall", action="store_true")
    say.add_argument("--clips", type=Path, help="join clips from this folder instead of espeak-ng")
    say.add_argument("--out", type=Path, default=Path("call.wav"))
    say.add_argument("--play", help="player command, e.g. 'aplay -q {wav}'")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "clips":
            print(f"{len(make_clips(args.folder, args.lang))} clips in {args.folder}")
            return 0
        call = Call(args.ticket, args.window)
        engine = ClipEngine(args.clips, args.lang) if args.clips else EspeakEngine(args.lang)
        try:
            shutil.copyfile(engine.synthesize(call, recall=args.recall), args.out)
        finally:
            engine.close()
        print(f"{phrase_for(call, args.lang, recall=args.recall).text}: {args.out}, "
              f"{wav_seconds(args.out):.2f} s")  # fmt: skip
        if args.play:
            make_player(args.play).play(args.out)
        return 0
    except DriverError as e:
        print(f"{e.user_message} ({e})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
