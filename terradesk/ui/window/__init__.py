"""Pieces of the main window: actions, file operations, territory menu, status bar, icons."""
