"""Small pure helpers with their own tests. Nothing here imports Django models."""
