"""End-to-end tests: the real bot against gigbot.emulator (fixture ``harness``)."""
