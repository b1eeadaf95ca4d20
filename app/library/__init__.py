"""Moderated document library ("Espace documentaire"): documents, versions, collections, search."""
