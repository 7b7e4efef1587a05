"""Models arrive with their issue; see the app docstring in apps.py for what this app owns."""
