"""News feed ("Fil d'actualité"), follows, the notification centre and email digests."""
