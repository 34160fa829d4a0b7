import sys

from stripe_sandbox.cli import main

sys.exit(main())
