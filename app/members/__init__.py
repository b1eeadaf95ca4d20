"""Member profiles and the directory ("Annuaire des catalyseurs")."""
