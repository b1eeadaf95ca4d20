"""Live co-development sessions ("Codéveloppement"): the six phases run together over Socket.IO."""
