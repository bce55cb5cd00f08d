"""One routes module per area of the web app."""
