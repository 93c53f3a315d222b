import signal
import sys

from brainsim.cli import main

if hasattr(signal, "SIGPIPE"):  # `python -m brainsim run x --help | head` ends quietly
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
sys.exit(main())
