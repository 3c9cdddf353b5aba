"""Jobs: what one command does, from inputs to results, calling the core and the adapters. No rendering here."""
