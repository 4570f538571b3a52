"""Dialogs for accounts, owners and metric settings (each edit goes through terradesk.edit)."""
