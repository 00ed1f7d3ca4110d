"""The volume API, Cinder v3-shaped."""
