"""Echoes its argv and __name__, then exits with the status given as its first argument."""

import sys

print("argv:", sys.argv[1:])
print("name:", __name__)
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
