"""Project spaces ("Espace Projets"): one space per shared project, composing a wall, a chat
channel, a document shelf, actions and meetings."""
