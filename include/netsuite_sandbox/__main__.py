import sys

from netsuite_sandbox.cli import main

sys.exit(main())
