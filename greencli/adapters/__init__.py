"""Adapters at the edges: files, spreadsheets, the ledger and the terminal."""
