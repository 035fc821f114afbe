"""``python -m rsi_sim`` and the ``rsi-sim`` command.

The command line's libraries are imported inside :func:`main`, so a Ctrl-C while they load ends
with status 130 and one line, as it does during a run.
"""

import sys


def main() -> None:
    try:
        from .cli import main as cli_main
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    cli_main()


if __name__ == "__main__":
    main()
