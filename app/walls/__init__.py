"""Discussion walls ("Murs de discussion"): posts, comments, reactions, Q&A."""
